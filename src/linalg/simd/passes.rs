//! Passes over a whole buffer in lanes: a function applied to every value,
//! a matrix's column sums (bias gradients) and the finite check of a
//! step's gradients.

#[cfg(target_arch = "x86_64")]
use super::F32x16;
use super::{F32x4, Lanes};

/// Applies `f` to every value of `v`, four at a time (the tail padded), so
/// every value goes through the same lane arithmetic.
#[inline(always)]
pub fn map_in_place(v: &mut [f32], f: impl Fn(F32x4) -> F32x4) {
    let mut chunks = v.chunks_exact_mut(4);
    for c in &mut chunks {
        // SAFETY: a chunk holds exactly four values.
        unsafe { f(F32x4::load(c.as_ptr())).store(c.as_mut_ptr()) };
    }
    let tail = chunks.into_remainder();
    if !tail.is_empty() {
        let mut buf = [0.0f32; 4];
        buf[..tail.len()].copy_from_slice(tail);
        let out = f(F32x4::from(buf)).to_array();
        tail.copy_from_slice(&out[..tail.len()]);
    }
}

/// Column sums of a row-major matrix: `out[j] = Σ_i z[i·n + j]` with
/// n = `out.len()`, each column summed top to bottom. Row by row, each row
/// added to the sums in one vectorised sweep, so z is read once in order
/// and the sums stay in L1. Column blocks held in registers down all the
/// rows read z at a stride of a row, which the prefetchers served badly
/// (on Intel, 180 of a native autoencoder step's 5,440 samples on its
/// first core, against 100–150 for this sweep; run as two halves of the
/// columns, one a core, it was no faster).
pub fn column_sums(z: &[f32], out: &mut [f32]) {
    let n = out.len();
    if n == 0 {
        return;
    }
    assert!(
        z.len().is_multiple_of(n),
        "column_sums: not a whole number of rows"
    );
    out.fill(0.0);
    for row in z.chunks_exact(n) {
        for (o, &v) in out.iter_mut().zip(row) {
            *o += v;
        }
    }
}

/// Whether every value is finite: x·0 is 0 for finite x and NaN otherwise,
/// so one vectorised pass without branches answers it. Four independent
/// sums, as one sum's chain of adds held the pass to one add's latency per
/// vector (23 µs of a 600 µs native training step).
pub fn all_finite(v: &[f32]) -> bool {
    // A large layer's gradients on two cores: this pass ran on the
    // training thread alone while the helper waited (114 of 6,900 samples).
    if v.len() >= crate::linalg::par::MIN_SPLIT_PASS {
        let (a, b) = v.split_at(crate::linalg::par::cut(v.len()));
        let (x, y) = crate::linalg::par::join(|| all_finite_here(a), || all_finite_here(b));
        return x && y;
    }
    all_finite_here(v)
}

/// `all_finite` on this thread.
fn all_finite_here(v: &[f32]) -> bool {
    #[cfg(target_arch = "x86_64")]
    if crate::linalg::wide::avx512() {
        // SAFETY: the host has AVX-512.
        return unsafe { all_finite16(v) };
    }
    #[cfg(target_arch = "x86_64")]
    if crate::linalg::wide::avx2() {
        // SAFETY: the host has AVX2 and FMA.
        return unsafe { all_finite8(v) };
    }
    all_finite_lanes::<F32x4>(v)
}

/// `all_finite` eight values at a time.
///
/// # Safety
/// The host has AVX2 and FMA.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn all_finite8(v: &[f32]) -> bool {
    all_finite_lanes::<super::F32x8>(v)
}

/// `all_finite` sixteen values at a time.
///
/// # Safety
/// The host has AVX-512.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn all_finite16(v: &[f32]) -> bool {
    all_finite_lanes::<F32x16>(v)
}

/// `all_finite` in lanes of V.
#[inline(always)]
fn all_finite_lanes<V: Lanes>(v: &[f32]) -> bool {
    let zero = V::zero();
    let (mut a0, mut a1, mut a2, mut a3) = (zero, zero, zero, zero);
    let mut blocks = v.chunks_exact(4 * V::N);
    for c in &mut blocks {
        // SAFETY: each block holds 4·N values.
        unsafe {
            let p = c.as_ptr();
            a0 = a0.mul_add(V::load(p), zero);
            a1 = a1.mul_add(V::load(p.add(V::N)), zero);
            a2 = a2.mul_add(V::load(p.add(2 * V::N)), zero);
            a3 = a3.mul_add(V::load(p.add(3 * V::N)), zero);
        }
    }
    a0.add(a1).add(a2.add(a3)).sum() == 0.0 && blocks.remainder().iter().all(|x| x.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_finite_finds_any_bad_value() {
        // Lengths inside one block, across blocks and with tails, in every
        // width this host runs, with the bad value in each position class.
        for n in [0, 1, 11, 16, 63, 64, 65, 130, 200] {
            let mut v = vec![1.0f32; n];
            assert!(all_finite(&v), "n {n}");
            assert!(all_finite_lanes::<F32x4>(&v), "n {n}");
            for i in (0..n).step_by(7).chain(n.checked_sub(1)) {
                for bad in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
                    let keep = v[i];
                    v[i] = bad;
                    assert!(!all_finite(&v), "{bad} at {i} of {n}");
                    assert!(!all_finite_lanes::<F32x4>(&v), "{bad} at {i} of {n}");
                    v[i] = keep;
                }
            }
            // The largest finite values stay finite through x·0.
            v.iter_mut().for_each(|x| *x = f32::MAX);
            assert!(all_finite(&v), "MAX, n {n}");
        }
    }

    #[test]
    fn column_sums_match_a_plain_loop() {
        for n in [1, 3, 4, 7, 16, 21, 37, 784] {
            for rows in [0, 1, 5, 128] {
                let z: Vec<f32> = (0..rows * n).map(|i| (i as f32 * 0.37).sin()).collect();
                let mut got = vec![f32::NAN; n];
                column_sums(&z, &mut got);
                for (j, g) in got.iter().enumerate() {
                    let want: f32 = (0..rows).map(|i| z[i * n + j]).sum();
                    assert_eq!(*g, want, "n {n} rows {rows} column {j}");
                }
            }
        }
    }

    #[test]
    fn map_in_place_covers_the_tail() {
        let mut v: Vec<f32> = (0..7).map(|i| i as f32).collect();
        map_in_place(&mut v, |x| x.mul(F32x4::splat(2.0)));
        assert_eq!(v, [0.0, 2.0, 4.0, 6.0, 8.0, 10.0, 12.0]);
    }
}
