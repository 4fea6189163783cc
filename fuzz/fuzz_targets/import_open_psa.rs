//! Arbitrary bytes as an Open-PSA MEF file: read, and when small, solve three ways that must
//! agree (fault tree, enumeration, imported model). Never a panic.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    nines_fuzz::open_psa::check_import(data);
});
