//! Finding digits by their codes: the semantic-hash index and its metrics,
//! ITQ rotations, the k-NN graph with label propagation over it, and the
//! vote that joins propagation with a linear classifier.
pub mod hash;
pub mod itq;
pub mod propagate;
pub mod vote;
