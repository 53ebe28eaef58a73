//! Training as a resumable run: `step` advances by at most so many units of
//! work or seconds and returns progress, so the page can drive it in
//! frame-sized slices and the CLI in a loop. A run is a plan of stages
//! (`plan`), built once from its config; each stage is a type in its own file
//! holding only what it needs, and leaves its output in the run's shared
//! context (`context`).

mod batch;
mod context;
mod evaluate;
mod fit;
mod graph;
mod halves;
mod index;
pub mod plan;
mod prepare;
mod progress;
mod run;
mod spread;

// What a run does, for the FLOP count of `experiment::floor`.
pub use context::Inputs;
pub use evaluate::HASH_QUERIES;
pub use index::ITQ_ITERATIONS;
pub use plan::{Plan, Purpose, Stage};
pub use progress::{Phase, Progress, Results};
pub use run::Trainer;
