//! Two halves of one piece of work at once, natively: the products and
//! passes of a training step split their rows (or columns) in two and run
//! the halves on two cores. Each output element is computed by the same
//! operations in the same order whichever half it falls in, so the split
//! changes no number: same seed, same bits, with one core or two. The
//! browser has one thread; there the halves run one after the other.
//!
//! The second half goes to one helper thread that spins while work keeps
//! coming. A step's pieces take 10–30 µs; a pool whose threads sleep
//! between them (rayon's, measured: 4.3 s against 3.7 s on one core for
//! the bench's autoencode phase, a fifth of it in futex calls) spends
//! longer waking a thread than the half saves.
//!
//! The helper's core may be busy with another process. With fixed halves
//! this thread then waited for the helper's half: with a busy loop on the
//! second core the bench's phase took 2–5× as long as uncontended, worse
//! than one core. So a half the helper has not started by the time this
//! thread is done with its own runs here instead (`join`), and the large
//! products are cut into `PIECES` that either thread takes as it frees
//! (`map`): the same run, contended, is now near one core's time.

/// Products of fewer multiply-adds than this run whole: splitting them
/// costs more than it saves.
pub const MIN_SPLIT: usize = 1 << 19;
/// The same for a pass over a buffer, in elements.
pub const MIN_SPLIT_PASS: usize = 1 << 15;

/// Where to cut `n` items in two: the middle, rounded down to a multiple
/// of 16 (a whole number of the GEMM kernels' tiles in the first half).
pub fn cut(n: usize) -> usize {
    (n / 2) / 16 * 16
}

/// Runs `a` and `b` and returns both results: `b` on the helper thread
/// while `a` runs here, or one after the other when there is no second
/// core or the helper is taken (a join inside a join, or another thread's).
pub fn join<A: Send, B: Send>(
    a: impl FnOnce() -> A + Send,
    b: impl FnOnce() -> B + Send,
) -> (A, B) {
    #[cfg(not(target_arch = "wasm32"))]
    if let Some(h) = claim() {
        return h.join(a, b);
    }
    (a(), b())
}

/// How many pieces `map`'s callers cut a large product into: enough that a
/// helper slowed by another process on its core leaves this thread a share
/// to take over, few enough that each piece stays a long run of tiles.
pub const PIECES: usize = 4;

/// Cuts `n` items into up to `PIECES` runs of about equal length, each but
/// the first a multiple of `unit` (a kernel's tile), as (start, length).
/// The first run takes what does not divide evenly: the threads take runs
/// in order, so the longest is started first and the two finish closer
/// together than with it last (the caller then waited 4% of a native
/// autoencode phase for the helper's last run).
pub fn pieces(n: usize, unit: usize) -> Vec<(usize, usize)> {
    let whole = PIECES * unit;
    let size = ((n + whole / 2) / whole).max(1) * unit;
    let count = (n / size).clamp(1, PIECES);
    let first = n - (count - 1) * size;
    match n {
        0 => vec![],
        _ => (0..count)
            .map(|i| match i {
                0 => (0, first),
                _ => (first + (i - 1) * size, size),
            })
            .collect(),
    }
}

/// Runs `f` on every item and returns the results in item order. This
/// thread and the helper each take the next item as they finish one, so a
/// helper whose core is busy elsewhere holds nothing up: this thread takes
/// over its share. A result is the same whichever thread computes it.
pub fn map<T: Send, R: Send>(items: Vec<T>, f: impl Fn(T) -> R + Sync) -> Vec<R> {
    #[cfg(not(target_arch = "wasm32"))]
    if items.len() > 1 {
        if let Some(h) = claim() {
            return h.map(items, &f);
        }
    }
    items.into_iter().map(f).collect()
}

/// The helper, unless this thread runs on one core now (`cores`).
#[cfg(not(target_arch = "wasm32"))]
fn claim() -> Option<&'static helper::Helper> {
    match cores::solo() {
        true => None,
        false => helper::claim(),
    }
}

/// Whether `join` and `map` can hand work to a helper thread at all.
#[cfg(not(target_arch = "wasm32"))]
fn has_helper() -> bool {
    helper::get().is_some()
}

#[cfg(target_arch = "wasm32")]
fn has_helper() -> bool {
    false
}

/// Lets the helper sleep at once rather than spin (`cores`: this thread
/// runs without it for a while).
#[cfg(not(target_arch = "wasm32"))]
fn rest_helper() {
    helper::rest()
}

#[cfg(target_arch = "wasm32")]
fn rest_helper() {}

pub mod cores;
#[cfg(not(target_arch = "wasm32"))]
mod helper;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn join_runs_both_halves_and_nests() {
        let mut v = vec![0u64; 10_000];
        for round in 0..200u64 {
            let (a, b) = v.split_at_mut(5_000);
            let (x, y) = join(
                || {
                    a.iter_mut().for_each(|x| *x += round);
                    // A join inside a join runs its halves one after the other.
                    join(|| 1, || 2)
                },
                || {
                    b.iter_mut().for_each(|x| *x += 2 * round);
                    b.len()
                },
            );
            assert_eq!((x, y), ((1, 2), 5_000));
        }
        let s: u64 = (0..200).sum();
        assert!(v[..5_000].iter().all(|&x| x == s));
        assert!(v[5_000..].iter().all(|&x| x == 2 * s));
    }

    /// A half's panic reaches the caller, and only once the other half has
    /// ended: it may borrow the caller's stack. (When another test holds
    /// the helper the halves run in turn, and a first half's panic means
    /// the second never starts.)
    #[test]
    fn a_panic_in_either_half_reaches_the_caller_after_both_ended() {
        use std::sync::atomic::{AtomicU8, Ordering::SeqCst};
        for first in [true, false] {
            let second = AtomicU8::new(0); // 1 started, 2 ended
            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                join(
                    || {
                        assert!(!first, "first half");
                        std::thread::sleep(std::time::Duration::from_millis(5));
                    },
                    || {
                        second.store(1, SeqCst);
                        assert!(first, "second half");
                        std::thread::sleep(std::time::Duration::from_millis(5));
                        second.store(2, SeqCst);
                    },
                )
            }));
            assert!(
                r.is_err(),
                "the panic of half {} is lost",
                if first { 1 } else { 2 }
            );
            if first {
                assert_ne!(second.load(SeqCst), 1, "returned while the second half ran");
            }
        }
        // The helper is free again afterwards.
        assert_eq!(join(|| 3, || 4), (3, 4));
    }

    #[test]
    fn map_runs_every_item_once_in_order_and_passes_panics_on() {
        for n in [0usize, 1, 2, 4, 7] {
            let ran = std::sync::atomic::AtomicUsize::new(0);
            let out = map((0..n).collect(), |i| {
                ran.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                i * 10
            });
            assert_eq!(out, (0..n).map(|i| i * 10).collect::<Vec<_>>());
            assert_eq!(ran.into_inner(), n);
        }
        // Items this short finish before the helper wakes about as often
        // as not: both ways of ending a share, many times over.
        for round in 0..5_000u64 {
            let mut v = [0u64; 4];
            let out = map(v.iter_mut().enumerate().collect(), |(i, x)| {
                *x = round + i as u64;
                *x
            });
            assert_eq!(out, (0..4).map(|i| round + i).collect::<Vec<_>>());
            assert_eq!(v, [round, round + 1, round + 2, round + 3]);
            assert_eq!(join(|| round, || round + 1), (round, round + 1));
        }
        let r = std::panic::catch_unwind(|| map(vec![1, 2, 3, 4], |i| assert_ne!(i, 3)));
        assert!(r.is_err(), "the panic of item 3 is lost");
        // The helper is free again afterwards.
        assert_eq!(map(vec![5, 6], |i| i + 1), vec![6, 7]);
    }

    #[test]
    fn pieces_cover_n_in_runs_of_whole_tiles() {
        assert_eq!(pieces(128, 6), vec![(0, 38), (38, 30), (68, 30), (98, 30)]);
        assert_eq!(
            pieces(784, 64),
            vec![(0, 208), (208, 192), (400, 192), (592, 192)]
        );
        assert_eq!(pieces(64, 64), vec![(0, 64)]);
        assert_eq!(pieces(5, 16), vec![(0, 5)]);
        assert!(pieces(0, 6).is_empty());
        for n in 1..300 {
            for unit in [1, 6, 16, 64] {
                let p = pieces(n, unit);
                assert!(!p.is_empty() && p.len() <= PIECES, "{n} {unit}: {p:?}");
                assert_eq!(p.iter().map(|x| x.1).sum::<usize>(), n, "{n} {unit}");
                assert!(p
                    .windows(2)
                    .all(|w| w[0].0 + w[0].1 == w[1].0 && w[1].1 % unit == 0));
                assert!(p[0].1 >= p.last().expect("a run").1, "{n} {unit}: {p:?}");
            }
        }
    }

    #[test]
    fn cut_is_a_whole_number_of_tiles() {
        assert_eq!(cut(128), 64);
        assert_eq!(cut(784), 384);
        assert_eq!(cut(31), 0);
    }
}
