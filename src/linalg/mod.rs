//! Linear algebra: the 4-lane vector type and its maths (`simd`), the blocked
//! f32x4 GEMM (`kernel`), and the three products of a layer (`gemm`).
mod dots;
pub mod gemm;
pub mod kernel;
pub mod reference;
pub mod simd;
