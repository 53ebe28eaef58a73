//! What a run is: its configuration (`config`) and the reference experiments
//! as a table of configurations (`table`); the page's starter model (`starter`).
pub mod budget;
pub mod config;
pub mod curve;
pub mod floor;
pub mod ladder;
pub mod starter;
pub mod table;
