//! The plain triple loop the GEMM kernel is tested against (natively and in
//! the browser): what `kernel::gemm` must compute, written the obvious way.

use super::kernel::{MatRef, Start};

/// The plain triple loop the kernels are tested against.
pub fn reference(a: MatRef, b: MatRef, start: Start, c: &mut [f32], ldc: usize) {
    for i in 0..a.rows {
        for j in 0..b.cols {
            let mut s = match start {
                Start::Zero => 0.0,
                Start::Row(r) => r[j],
            };
            for p in 0..a.cols {
                s += a.data[i * a.rs + p * a.cs] * b.data[p * b.rs + j * b.cs];
            }
            c[i * ldc + j] = s;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linalg::kernel::gemm;

    #[test]
    #[should_panic(expected = "inner dimensions")]
    fn mismatched_shapes_are_refused() {
        let d = [0.0; 12];
        let mut c = [0.0; 16];
        gemm(
            MatRef::row_major(&d, 3, 4),
            MatRef::row_major(&d, 3, 4),
            Start::Zero,
            &mut c,
            4,
        );
    }
}
