//! Label propagation (label spreading, Zhou et al. 2004) from the few labelled
//! training images to all of them, over a k-nearest-neighbour graph of
//! blurred images (cosine similarity). Built in chunks so the page can spread
//! the work over frames. With 480 labels on the book protocol it labels about
//! 96% of the unlabelled training images correctly; the test part is never used.

use crate::data::{CLASSES, SIDE};
use crate::linalg::gemm;
use ndarray::{s, Array2, ArrayView2, ArrayViewMut2};

pub const K: usize = 10;
/// Heat-kernel temperature on cosine similarity: w = exp((sim - 1) / T).
const TEMPERATURE: f32 = 0.02;
const ALPHA: f32 = 0.99;
pub const ITERATIONS: usize = 30;
const BLUR_SIGMA: f32 = 1.0;
const BLUR_CHUNK: usize = 200;
/// Rows of blurred images in one allocation (3 MB): the page's wasm heap,
/// cut up by a data set's change and a run's split, had no 25 MB hole for
/// all 8,000 in one block and grew by 24 MiB for it (a CI run of the
/// second Run all on Fashion-MNIST). A multiple of `BLUR_CHUNK`, so a blur
/// unit never straddles two pieces and `units` stays exact.
const PIECE_ROWS: usize = 5 * BLUR_CHUNK;

/// Gaussian blur (σ = 1 pixel, separable, zero outside) of 28×28 rows, then
/// each row scaled to unit length (unless `unit` is false: a centred graph
/// scales the rows once the mean is known): blurred digits compare more
/// tolerantly of small shifts than raw ones.
fn blur_rows_into(x: ArrayView2<f32>, mut out: ndarray::ArrayViewMut2<f32>, unit: bool) {
    let r = 3i32;
    let g: Vec<f32> = (-r..=r)
        .map(|d| (-(d * d) as f32 / (2.0 * BLUR_SIGMA * BLUR_SIGMA)).exp())
        .collect();
    let gs: f32 = g.iter().sum();
    let g: Vec<f32> = g.iter().map(|v| v / gs).collect();
    let mut tmp = [0f32; SIDE * SIDE];
    for (src, mut dst) in x.rows().into_iter().zip(out.rows_mut()) {
        let dst_slice = dst.as_slice_mut().expect("contiguous rows");
        blur_pass(src.as_slice().expect("contiguous rows"), &mut tmp, &g, 1);
        blur_pass(&tmp, dst_slice, &g, SIDE);
        if unit {
            unit_length(dst_slice);
        }
    }
}

fn unit_length(row: &mut [f32]) {
    let norm = row.iter().map(|v| v * v).sum::<f32>().sqrt().max(1e-12);
    row.iter_mut().for_each(|v| *v /= norm);
}

/// One 1-D pass of the kernel `g` over a 28×28 image along rows (`step` 1)
/// or along columns (`step` 28), zero outside the image.
fn blur_pass(src: &[f32], dst: &mut [f32], g: &[f32], step: usize) {
    let r = (g.len() / 2) as i32;
    for (i, d) in dst.iter_mut().enumerate().take(SIDE * SIDE) {
        // Position along the blurred axis.
        let at = if step == 1 { i % SIDE } else { i / SIDE } as i32;
        *d = g
            .iter()
            .enumerate()
            .filter(|&(t, _)| (0..SIDE as i32).contains(&(at + t as i32 - r)))
            .map(|(t, w)| w * src[(i as i32 + (t as i32 - r) * step as i32) as usize])
            .sum();
    }
}

/// The k-NN graph, filled a chunk of rows at a time.
#[derive(Clone, Debug, Default)]
pub struct Graph {
    /// Blurred unit rows, n × cols, in pieces of `PIECE_ROWS` rows, filled a
    /// chunk at a time (each piece reserved, not zeroed, when the blur
    /// reaches it: a 25 MB memset in one step would freeze a frame);
    /// emptied when complete.
    z: Vec<Vec<f32>>,
    cols: usize,
    n: usize,
    blurred: usize,
    /// Compare the blurred images minus their mean (correlation rather than
    /// cosine); see `Config::centre_graph`. Set to false once done.
    centre: bool,
    pub neighbours: Vec<[u32; K]>,
    pub weights: Vec<[f32; K]>,
    pub rows_done: usize,
}

impl Graph {
    /// Sizes the graph for `x`; the blurring and the search happen in
    /// `advance`, which is given the same images each time (no copy here:
    /// one step must stay short).
    pub fn new(x: ArrayView2<f32>, centre: bool) -> Graph {
        let n = x.nrows();
        Graph {
            z: Vec::new(),
            cols: x.ncols(),
            n,
            blurred: 0,
            centre,
            neighbours: vec![[0; K]; n],
            weights: vec![[0.0; K]; n],
            rows_done: 0,
        }
    }

    /// Units of work `advance` takes to complete the graph.
    pub fn units(n: usize, rows: usize) -> usize {
        n.div_ceil(BLUR_CHUNK) + n.div_ceil(rows)
    }

    pub fn len(&self) -> usize {
        self.n
    }

    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    pub fn complete(&self) -> bool {
        self.rows_done == self.len()
    }

    /// One unit of work: blurs the next rows, or once all are blurred, finds
    /// the neighbours of the next `rows` rows.
    pub fn advance(&mut self, x: ArrayView2<f32>, rows: usize) {
        let n = self.len();
        assert_eq!(
            x.nrows(),
            n,
            "advance gets the images the graph was made for"
        );
        if self.blurred < n {
            let (a, b) = (self.blurred, (self.blurred + BLUR_CHUNK).min(n));
            let c = self.cols;
            if a % PIECE_ROWS == 0 {
                self.z.push(Vec::with_capacity(PIECE_ROWS.min(n - a) * c));
            }
            let piece = self.z.last_mut().expect("a piece for row a");
            let from = piece.len();
            piece.resize(from + (b - a) * c, 0.0);
            let out =
                ArrayViewMut2::from_shape((b - a, c), &mut piece[from..]).expect("sized above");
            blur_rows_into(x.slice(s![a..b, ..]), out, !self.centre);
            self.blurred = b;
            return;
        }
        if self.centre {
            // The first search unit: every row blurred, the mean known
            // (one pass over n × 784, a few ms for the page's 8,000).
            self.centre = false;
            let c = self.cols;
            let mut mean = vec![0f32; c];
            for row in self.z.iter().flat_map(|p| p.chunks(c)) {
                mean.iter_mut().zip(row).for_each(|(m, v)| *m += v);
            }
            mean.iter_mut().for_each(|m| *m /= n.max(1) as f32);
            for row in self.z.iter_mut().flat_map(|p| p.chunks_mut(c)) {
                row.iter_mut().zip(&mean).for_each(|(v, m)| *v -= m);
                unit_length(row);
            }
        }
        let (a, b) = (self.rows_done, (self.rows_done + rows).min(n));
        let sims = similarities(&self.z, self.cols, a, b);
        for (r, row) in sims.rows().into_iter().enumerate() {
            let i = a + r;
            // Keep the k most similar, sorted descending, by insertion.
            let mut best = [(f32::NEG_INFINITY, 0u32); K];
            for (j, &v) in row.iter().enumerate() {
                if j != i && v > best[K - 1].0 {
                    let mut p = K - 1;
                    while p > 0 && best[p - 1].0 < v {
                        best[p] = best[p - 1];
                        p -= 1;
                    }
                    best[p] = (v, j as u32);
                }
            }
            for (t, &(v, j)) in best.iter().enumerate() {
                self.neighbours[i][t] = j;
                self.weights[i][t] = ((v - 1.0) / TEMPERATURE).exp();
            }
        }
        self.rows_done = b;
        if b == n {
            self.z = Vec::new();
        }
    }
}

/// Rows a..b of Z·Zᵀ, Z given in pieces of rows, a piece's columns at a
/// time. In the browser as Z·(rows a..b of Z)ᵀ on the tiled kernel, the
/// chunk transposed once (50 KB), and handed back transposed (a view's
/// strides, no copy): as Z[a..b]·Zᵀ the product takes the dot-product
/// kernel, which reads all of Z for every two of its columns and ran at 60%
/// of the page's W2 rate (issue 16). Natively matrixmultiply takes the
/// direct form at its best. Each similarity is one dot product either way,
/// so the pieces change no figure.
fn similarities(pieces: &[Vec<f32>], cols: usize, a: usize, b: usize) -> Array2<f32> {
    let z: Vec<ArrayView2<f32>> = pieces
        .iter()
        .map(|p| ArrayView2::from_shape((p.len() / cols, cols), p).expect("whole rows"))
        .collect();
    let n: usize = z.iter().map(ArrayView2::nrows).sum();
    // Rows a..b, copied out of the pieces they lie in (slice copies:
    // ndarray's `assign` costs the download 2 KB).
    let mut chunk = Vec::with_capacity((b - a) * cols);
    let mut at = 0;
    for p in pieces {
        let (p0, p1) = (at, at + p.len() / cols);
        let (from, to) = (a.max(p0), b.min(p1));
        if from < to {
            chunk.extend_from_slice(&p[(from - p0) * cols..(to - p0) * cols]);
        }
        at = p1;
    }
    let chunk = Array2::from_shape_vec((b - a, cols), chunk).expect("rows a..b");
    if cfg!(target_arch = "wasm32") {
        let chunk = chunk.t().as_standard_layout().into_owned();
        let zero = ndarray::Array1::zeros(b - a);
        let mut t = Vec::with_capacity(n * (b - a));
        for piece in z {
            let mut part = Array2::<f32>::zeros((piece.nrows(), b - a));
            gemm::affine(piece, &chunk, &zero, part.view_mut());
            t.extend_from_slice(part.as_slice().expect("a new array"));
        }
        let t = Array2::from_shape_vec((n, b - a), t).expect("every piece's rows");
        t.reversed_axes()
    } else {
        let mut sims = Array2::<f32>::zeros((b - a, n));
        let mut at = 0;
        for piece in z {
            let mut part = Array2::<f32>::zeros((b - a, piece.nrows()));
            gemm::input_grad(chunk.view(), piece, part.view_mut());
            sims.slice_mut(s![.., at..at + piece.nrows()]).assign(&part);
            at += piece.nrows();
        }
        sims
    }
}

/// Label spreading state: class scores per image.
pub struct Spreading {
    seed: Array2<f32>,
    pub scores: Array2<f32>,
    pub iterations: usize,
}

impl Spreading {
    /// `labels[i]` for the first `labelled` images are known.
    pub fn new(n: usize, labels: &[u8], labelled: usize) -> Spreading {
        let mut seed = Array2::zeros((n, CLASSES));
        for i in 0..labelled {
            seed[[i, labels[i] as usize]] = 1.0;
        }
        Spreading {
            scores: seed.clone(),
            seed,
            iterations: 0,
        }
    }

    /// One iteration: each image takes the weighted scores of its neighbours
    /// and of the images that have it as a neighbour, keeping a little of its seed.
    pub fn iterate(&mut self, g: &Graph) {
        let n = g.len();
        let mut next = Array2::<f32>::zeros((n, CLASSES));
        for i in 0..n {
            for t in 0..K {
                let (j, w) = (g.neighbours[i][t] as usize, g.weights[i][t]);
                for c in 0..CLASSES {
                    next[[i, c]] += w * self.scores[[j, c]];
                    next[[j, c]] += w * self.scores[[i, c]];
                }
            }
        }
        for (mut row, seed) in next.rows_mut().into_iter().zip(self.seed.rows()) {
            let sum = row.sum().max(1e-20);
            row.zip_mut_with(&seed, |v, &s| *v = ALPHA * *v / sum + (1.0 - ALPHA) * s);
        }
        self.scores = next;
        self.iterations += 1;
    }

    /// The propagated labels; the labelled images keep their own.
    pub fn labels(&self, known: &[u8], labelled: usize) -> Vec<u8> {
        let mut out = crate::nn::loss::argmax_rows(&self.scores);
        out[..labelled].copy_from_slice(&known[..labelled]);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_clusters_get_their_seed_labels() {
        // 40 images: 20 with ink on the left half, 20 on the right.
        let mut x = Array2::<f32>::zeros((40, SIDE * SIDE));
        for i in 0..40 {
            for y in 4..24 {
                for c in 0..8 {
                    let col = if i < 20 { 3 + c } else { 17 + c };
                    x[[i, y * SIDE + col]] = 0.5 + 0.02 * ((i * 7 + y + c) % 10) as f32;
                }
            }
        }
        // Reorder so that the two labelled images come first: 0 (left), 20 (right).
        let mut order: Vec<usize> = vec![0, 20];
        order.extend((1..20).chain(21..40));
        let x = x.select(ndarray::Axis(0), &order);
        let truth: Vec<u8> = order.iter().map(|&i| u8::from(i >= 20) * 3).collect();
        // Centring keeps the two halves apart, also under a bright
        // background that every image shares.
        let mut lit = x.clone();
        lit.mapv_inplace(|v| v + 0.3);
        for (images, centre) in [(&x, false), (&x, true), (&lit, true)] {
            let mut g = Graph::new(images.view(), centre);
            while !g.complete() {
                g.advance(images.view(), 7);
            }
            let mut s = Spreading::new(40, &truth, 2);
            for _ in 0..ITERATIONS {
                s.iterate(&g);
            }
            assert_eq!(s.labels(&truth, 2), truth, "centre {centre}");
        }
        let mut g = Graph::new(x.view(), false);
        while !g.complete() {
            g.advance(x.view(), 7);
        }
        // Every neighbour list is sorted by similarity and excludes the image itself.
        for i in 0..40 {
            assert!(!g.neighbours[i].contains(&(i as u32)));
            assert!(g.weights[i].windows(2).all(|w| w[0] >= w[1]));
        }
    }
}
