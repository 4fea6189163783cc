//! Arbitrary bytes as a JSON model file: parse, validate, evaluate when small. Never a panic.

#![no_main]

use libfuzzer_sys::fuzz_target;
use nines::model::Format;

fuzz_target!(|data: &[u8]| {
    nines_fuzz::check_loader(data, Format::Json);
});
