//! The f32x4 kernels natively (SSE on x86_64); tests/web.rs runs the same
//! checks in headless Chromium on wasm simd128.
mod common;

#[test]
fn gemm_kernel_agrees_with_the_reference_on_awkward_shapes() {
    common::check_kernel_against_reference();
}

#[test]
fn vector_exp_and_sigmoid_are_accurate() {
    common::check_vector_math();
}
