//! Generated valid models through both exact engines: probabilities in range, states that add
//! up, `evaluate` = `evaluate_whole` to 1e-9, and = enumeration when small.

#![no_main]

use libfuzzer_sys::fuzz_target;
use nines_fuzz::recipe::Recipe;

fuzz_target!(|recipe: Recipe| {
    nines_fuzz::check_recipe(&recipe);
});
