//! Semantic hashing: threshold a sigmoid code into a binary key, index every
//! training image by key, answer a query with the images whose keys lie within
//! Hamming radius r, ranked by (Hamming distance, squared code distance).

use ndarray::{Array2, ArrayView1};
use serde::{Deserialize, Serialize};

/// Bit i of the key is set when code unit i is at least `thresholds[i]`
/// (0.5 everywhere: the reference's round(sigmoid code)).
pub fn key(code: ArrayView1<f32>, thresholds: &[f32]) -> u64 {
    code.iter()
        .zip(thresholds)
        .enumerate()
        .fold(0u64, |k, (i, (&v, &t))| if v >= t { k | 1 << i } else { k })
}

/// Each unit's median over the rows: thresholds that make every bit split
/// the data in half.
pub fn median_thresholds(codes: &Array2<f32>) -> Vec<f32> {
    codes
        .columns()
        .into_iter()
        .map(|col| {
            let mut v: Vec<u64> = col.iter().map(|&x| order_key(x) as u64).collect();
            v.sort_unstable();
            v.get(v.len() / 2)
                .map_or(0.5, |&k| from_order_key(k as u32))
        })
        .collect()
}

/// f32 → u32 with the order of `f32::total_cmp`. Every sort here sorts u64
/// keys built from these: one sort routine in the download instead of one
/// per element type and comparison (they were 27 KB of the wasm).
fn order_key(x: f32) -> u32 {
    let b = x.to_bits();
    if b >> 31 == 1 {
        !b
    } else {
        b | 1 << 31
    }
}

fn from_order_key(k: u32) -> f32 {
    f32::from_bits(if k >> 31 == 1 { k & !(1 << 31) } else { !k })
}

fn sq_dist(a: ArrayView1<f32>, b: ArrayView1<f32>) -> f32 {
    a.iter().zip(b.iter()).map(|(x, y)| (x - y) * (x - y)).sum()
}

#[derive(Clone, Debug)]
pub struct HashIndex {
    pub bits: usize,
    pub thresholds: Vec<f32>,
    pub codes: Array2<f32>,
    pub labels: Vec<u8>,
    pub keys: Vec<u64>,
    pub buckets: Buckets,
}

/// The images of each key, keys in ascending order and each bucket's images
/// in index order, in three flat vectors (the download needs no map type).
#[derive(Clone, Debug, Default)]
pub struct Buckets {
    keys: Vec<u64>,
    /// Bucket b's images are `members[starts[b]..starts[b + 1]]`.
    starts: Vec<usize>,
    members: Vec<u32>,
}

impl Buckets {
    /// Groups images 0.. by their keys.
    fn new(keys_of: &[u64]) -> Buckets {
        let mut keys = keys_of.to_vec();
        keys.sort_unstable();
        keys.dedup();
        let bucket = |k: &u64| keys.binary_search(k).expect("a key of the index");
        let mut starts = vec![0; keys.len() + 1];
        for k in keys_of {
            starts[bucket(k) + 1] += 1;
        }
        for b in 0..keys.len() {
            starts[b + 1] += starts[b];
        }
        let mut next = starts.clone();
        let mut members = vec![0; keys_of.len()];
        for (i, k) in keys_of.iter().enumerate() {
            let b = bucket(k);
            members[next[b]] = i as u32;
            next[b] += 1;
        }
        Buckets {
            keys,
            starts,
            members,
        }
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// (key, its images), keys ascending.
    pub fn iter(&self) -> impl Iterator<Item = (u64, &[u32])> {
        (0..self.len()).map(|b| {
            (
                self.keys[b],
                &self.members[self.starts[b]..self.starts[b + 1]],
            )
        })
    }

    /// The images of `key`, if any has it.
    pub fn get(&self, key: u64) -> Option<&[u32]> {
        let b = self.keys.binary_search(&key).ok()?;
        Some(&self.members[self.starts[b]..self.starts[b + 1]])
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Hit {
    pub index: u32,
    pub label: u8,
    pub hamming: u32,
    pub distance: f32,
}

/// Retrieval quality over a set of queries.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct HashMetrics {
    pub bits: usize,
    pub buckets_used: usize,
    pub largest_bucket: usize,
    /// Mean number of training images in the bucket a query lands in.
    pub mean_query_bucket: f64,
    /// Same-label precision inside the query's own bucket (radius 0), averaged
    /// over queries whose bucket is not empty.
    pub bucket_precision: f64,
    /// Fraction of queries whose bucket is not empty.
    pub bucket_coverage: f64,
    /// Same-label precision of the top 10 of the full ranking.
    pub precision_at_10: f64,
    /// Mean average precision over the full ranking of the training set.
    pub map: f64,
    pub queries: usize,
}

impl HashIndex {
    /// Indexes `codes` (one row per training image). `balanced`: thresholds
    /// at each unit's median; otherwise at 0.5.
    pub fn build(codes: Array2<f32>, labels: Vec<u8>, balanced: bool) -> HashIndex {
        let bits = codes.ncols();
        // `search` packs an index into 25 bits (wasm memory ends far sooner).
        debug_assert!(codes.nrows() < 1 << 25);
        let thresholds = if balanced {
            median_thresholds(&codes)
        } else {
            vec![0.5; bits]
        };
        let keys: Vec<u64> = codes
            .rows()
            .into_iter()
            .map(|c| key(c, &thresholds))
            .collect();
        let buckets = Buckets::new(&keys);
        HashIndex {
            bits,
            thresholds,
            codes,
            labels,
            keys,
            buckets,
        }
    }

    /// Every indexed image within `radius` bits of the query's key, ranked by
    /// (Hamming distance, code distance, index); at most `limit`.
    pub fn key(&self, code: ArrayView1<f32>) -> u64 {
        key(code, &self.thresholds)
    }

    pub fn search(&self, code: ArrayView1<f32>, radius: u32, limit: usize) -> Vec<Hit> {
        let q = self.key(code);
        // (Hamming ≤ 64: 7 bits, distance: 32, index: 25) in one u64.
        let mut ranked = Vec::new();
        for (k, members) in self.buckets.iter() {
            let h = (k ^ q).count_ones();
            if h <= radius {
                ranked.extend(members.iter().map(|&i| {
                    let d = sq_dist(code, self.codes.row(i as usize));
                    (h as u64) << 57 | (order_key(d) as u64) << 25 | i as u64
                }));
            }
        }
        ranked.sort_unstable();
        ranked
            .iter()
            .take(limit)
            .map(|&r| {
                let index = (r & ((1 << 25) - 1)) as u32;
                Hit {
                    index,
                    label: self.labels[index as usize],
                    hamming: (r >> 57) as u32,
                    distance: from_order_key((r >> 25) as u32),
                }
            })
            .collect()
    }

    /// Buckets by size, largest first, then by key: (key, size).
    pub fn occupancy(&self) -> Vec<(u64, usize)> {
        let sized: Vec<(u64, usize)> = self.buckets.iter().map(|(k, m)| (k, m.len())).collect();
        // Buckets come in key order; sort (size descending, position).
        let mut order: Vec<u64> = sized
            .iter()
            .enumerate()
            .map(|(pos, &(_, n))| (!(n as u32) as u64) << 32 | pos as u64)
            .collect();
        order.sort_unstable();
        order
            .iter()
            .map(|&o| sized[(o & 0xffff_ffff) as usize])
            .collect()
    }

    /// Per-query figures, summed by `Accumulator` so the page can evaluate a
    /// few queries per frame.
    pub fn score_query(&self, code: ArrayView1<f32>, label: u8, acc: &mut Accumulator) {
        let q = self.key(code);
        let n = self.keys.len();
        if let Some(members) = self.buckets.get(q) {
            let same = members
                .iter()
                .filter(|&&i| self.labels[i as usize] == label)
                .count();
            acc.bucket_precision += same as f64 / members.len() as f64;
            acc.covered += 1;
            acc.bucket_size += members.len() as f64;
        }
        // Full ranking: Hamming distance first, code distance breaks ties. A
        // code distance is below bits + 1, so one number orders both.
        let span = self.bits as f32 + 1.0;
        let mut order: Vec<u64> = (0..n)
            .map(|i| {
                let h = (self.keys[i] ^ q).count_ones() as f32;
                (order_key(h * span + sq_dist(code, self.codes.row(i))) as u64) << 32 | i as u64
            })
            .collect();
        order.sort_unstable();
        let (mut hits, mut ap) = (0usize, 0.0f64);
        for (rank, i) in order.iter().map(|&o| o & 0xffff_ffff).enumerate() {
            if self.labels[i as usize] == label {
                hits += 1;
                ap += hits as f64 / (rank + 1) as f64;
            }
            if rank == 9 {
                acc.precision_at_10 += hits as f64 / 10.0;
            }
        }
        if hits > 0 {
            acc.map += ap / hits as f64;
        }
        acc.queries += 1;
    }

    pub fn metrics(&self, acc: &Accumulator) -> HashMetrics {
        let occ = self.occupancy();
        let q = acc.queries.max(1) as f64;
        HashMetrics {
            bits: self.bits,
            buckets_used: occ.len(),
            largest_bucket: occ.first().map_or(0, |b| b.1),
            mean_query_bucket: acc.bucket_size / q,
            bucket_precision: acc.bucket_precision / acc.covered.max(1) as f64,
            bucket_coverage: acc.covered as f64 / q,
            precision_at_10: acc.precision_at_10 / q,
            map: acc.map / q,
            queries: acc.queries,
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct Accumulator {
    pub queries: usize,
    pub covered: usize,
    pub bucket_precision: f64,
    pub bucket_size: f64,
    pub precision_at_10: f64,
    pub map: f64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    fn random_index(n: usize, bits: usize, seed: u64) -> HashIndex {
        let mut r = Rng::new(seed);
        let codes = Array2::from_shape_simple_fn((n, bits), || r.uniform() as f32);
        let labels = (0..n).map(|i| (i % 10) as u8).collect();
        HashIndex::build(codes, labels, false)
    }

    #[test]
    fn every_image_in_exactly_one_bucket() {
        let idx = random_index(500, 6, 1);
        let mut seen = vec![0; 500];
        for (k, m) in idx.buckets.iter() {
            assert!(m.windows(2).all(|w| w[0] < w[1]), "index order");
            for &i in m {
                seen[i as usize] += 1;
                assert_eq!(idx.keys[i as usize], k);
            }
        }
        assert!(idx
            .buckets
            .iter()
            .zip(idx.buckets.iter().skip(1))
            .all(|(a, b)| a.0 < b.0));
        assert!(seen.iter().all(|&c| c == 1));
        let occupancy = idx.occupancy();
        assert_eq!(occupancy.iter().map(|b| b.1).sum::<usize>(), 500);
        assert_eq!(occupancy.len(), idx.buckets.len());
        use std::cmp::Reverse;
        assert!(
            occupancy
                .windows(2)
                .all(|w| (Reverse(w[0].1), w[0].0) < (Reverse(w[1].1), w[1].0)),
            "largest first, then by key"
        );
    }

    #[test]
    fn balanced_thresholds_split_every_bit_in_half() {
        let mut r = Rng::new(5);
        // Codes all far below 0.5: at 0.5 every key is 0; at the medians each
        // bit is set for half the rows.
        let codes = Array2::from_shape_simple_fn((200, 6), || (r.uniform() * 0.1) as f32);
        let labels = vec![0u8; 200];
        assert_eq!(
            HashIndex::build(codes.clone(), labels.clone(), false)
                .buckets
                .len(),
            1
        );
        let idx = HashIndex::build(codes, labels, true);
        for bit in 0..6 {
            let set = idx.keys.iter().filter(|&&k| k >> bit & 1 == 1).count();
            assert_eq!(set, 100, "bit {bit}");
        }
    }

    #[test]
    fn larger_radius_returns_a_superset_in_rank_order() {
        let idx = random_index(400, 8, 2);
        let q = idx.codes.row(17).to_owned();
        let mut prev: Vec<u32> = Vec::new();
        for r in 0..=8 {
            let hits = idx.search(q.view(), r, usize::MAX);
            let ids: Vec<u32> = hits.iter().map(|h| h.index).collect();
            assert!(
                prev.iter().all(|i| ids.contains(i)),
                "radius {r} lost a hit"
            );
            assert!(hits
                .windows(2)
                .all(|w| (w[0].hamming, w[0].distance) <= (w[1].hamming, w[1].distance)));
            assert!(hits.iter().all(|h| h.hamming <= r));
            prev = ids;
        }
        assert_eq!(prev.len(), 400, "radius = bits reaches everything");
        assert_eq!(
            idx.search(q.view(), 0, 5)[0].index,
            17,
            "a query finds itself first"
        );
    }

    #[test]
    fn perfect_codes_score_one() {
        // Code = one-hot-ish key per label: every bucket is pure.
        let n = 100;
        let codes = Array2::from_shape_fn(
            (n, 4),
            |(i, j)| if (i % 10) >> j & 1 == 1 { 0.9 } else { 0.1 },
        );
        let labels: Vec<u8> = (0..n).map(|i| (i % 10) as u8).collect();
        let idx = HashIndex::build(codes.clone(), labels.clone(), false);
        let mut acc = Accumulator::default();
        for (i, &label) in labels.iter().enumerate().take(20) {
            idx.score_query(codes.row(i), label, &mut acc);
        }
        let m = idx.metrics(&acc);
        assert_eq!(m.buckets_used, 10);
        assert!((m.bucket_precision - 1.0).abs() < 1e-12);
        assert!((m.map - 1.0).abs() < 1e-12);
        assert!((m.precision_at_10 - 1.0).abs() < 1e-12);
    }
}
