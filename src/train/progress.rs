//! What a run reports: its phase, a progress snapshot after each `step`, the
//! figures of a finished run, and the sums behind the log's epoch lines.

use crate::data::Protocol;
use crate::retrieval::hash::HashMetrics;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    /// Turning the digits into the network's inputs (scaling, deskewing).
    Prepare,
    Graph,
    Autoencode,
    Propagate,
    Supervise,
    Evaluate,
    Done,
    Failed,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Progress {
    pub phase: Phase,
    /// 1-based epoch within the phase (0 before the first batch).
    pub epoch: usize,
    pub epochs: usize,
    pub batch: usize,
    pub batches: usize,
    /// Share of all the run's work done, 0..1: units done over the plan's.
    pub fraction: f64,
    /// Mean cost over the batches since the last report.
    pub cost: Option<f64>,
    /// Training-batch accuracy since the last report (supervised phase).
    pub accuracy: Option<f64>,
    /// Per-pixel reconstruction MSE on 0..1 since the last report (autoencode).
    pub recon_mse: Option<f64>,
    /// Seconds spent inside `step`.
    pub elapsed: f64,
    /// Log lines written since the previous call.
    pub log: Vec<String>,
    pub error: Option<String>,
}

/// Figures of a finished run. Accuracy 0..1; MSE per pixel on the 0..1 scale.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct Results {
    pub model: String,
    pub protocol: Protocol,
    pub test_accuracy: Option<f64>,
    pub recon_mse: Option<f64>,
    pub psnr: Option<f64>,
    pub hash: Option<HashMetrics>,
    pub seconds: f64,
    pub ae_seconds: f64,
    pub sup_seconds: f64,
    pub labelled: usize,
    pub train_size: usize,
    pub test_size: usize,
}

/// Where a training stage is, and its sums since the last log line.
#[derive(Clone, Copy, Debug, Default)]
pub struct Position {
    pub epoch: usize,
    pub epochs: usize,
    pub batch: usize,
    pub batches: usize,
    pub span: Span,
}

/// Sums since the last log line.
#[derive(Clone, Copy, Debug, Default)]
pub struct Span {
    pub cost: f64,
    pub correct: usize,
    pub seen: usize,
    pub sq_err: f64,
    pub batches: usize,
    pub secs: f64,
}

/// Seconds as the reference's log writes them.
pub fn secs(s: f64) -> String {
    if s < 10.0 {
        format!("{s:.1}")
    } else {
        format!("{s:.0}")
    }
}
