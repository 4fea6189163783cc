//! Writes a generated benchmark model: `cargo run --example generate -- 1000 > big.yaml`.

#[path = "../benches/generator/mod.rs"]
mod generator;

fn main() {
    let n = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1000);
    print!("{}", generator::tiered_model(n));
}
