//! Finding digits by their codes: the semantic-hash index and its metrics,
//! ITQ rotations, and the k-NN graph with label propagation over it.
pub mod hash;
pub mod itq;
pub mod propagate;
