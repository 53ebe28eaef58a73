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
    if let Some(h) = helper::claim() {
        return h.join(a, b);
    }
    (a(), b())
}

#[cfg(not(target_arch = "wasm32"))]
mod helper {
    use std::panic::{self, AssertUnwindSafe};
    use std::sync::atomic::{AtomicBool, AtomicU8, Ordering::SeqCst};
    use std::sync::{Condvar, Mutex, OnceLock};
    use std::time::{Duration, Instant};

    const IDLE: u8 = 0;
    const POSTED: u8 = 1;
    const DONE: u8 = 2;
    /// How long the helper spins after its last job before it sleeps.
    const SPIN: Duration = Duration::from_millis(2);

    /// A posted job: a borrowed closure whose lifetime `join` guarantees by
    /// not returning before the helper has finished with it.
    struct Job(*mut (dyn FnMut() + Send));
    // SAFETY: the closure behind it is Send, and only one thread uses it
    // at a time (the helper, between POSTED and DONE).
    unsafe impl Send for Job {}

    pub struct Helper {
        /// Held by the one `join` that is using the helper.
        busy: AtomicBool,
        state: AtomicU8,
        sleeping: AtomicBool,
        job: Mutex<Option<Job>>,
        wake: Condvar,
    }

    static HELPER: OnceLock<Option<&'static Helper>> = OnceLock::new();

    /// The helper, if this machine has a second core and no other `join`
    /// holds it.
    pub fn claim() -> Option<&'static Helper> {
        let h = (*HELPER.get_or_init(start))?;
        h.busy
            .compare_exchange(false, true, SeqCst, SeqCst)
            .is_ok()
            .then_some(h)
    }

    fn start() -> Option<&'static Helper> {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        if cores < 2 {
            return None;
        }
        let h: &'static Helper = Box::leak(Box::new(Helper {
            busy: AtomicBool::new(false),
            state: AtomicU8::new(IDLE),
            sleeping: AtomicBool::new(false),
            job: Mutex::new(None),
            wake: Condvar::new(),
        }));
        std::thread::Builder::new()
            .name("aelab-half".into())
            .spawn(move || h.serve())
            .ok()?;
        Some(h)
    }

    impl Helper {
        /// Runs `a` here and `b` on the helper (which the caller claimed).
        pub fn join<A, B: Send>(
            &self,
            a: impl FnOnce() -> A,
            b: impl FnOnce() -> B + Send,
        ) -> (A, B) {
            let mut b = Some(b);
            let mut out = None;
            let mut call = || out = Some(panic::catch_unwind(AssertUnwindSafe(b.take().unwrap())));
            let call: &mut (dyn FnMut() + Send) = &mut call;
            // SAFETY: only the lifetime is erased; this function waits for
            // DONE below, after which the helper no longer holds the job.
            let job = Job(unsafe { std::mem::transmute::<_, *mut (dyn FnMut() + Send)>(call) });
            *self.job.lock().unwrap_or_else(|e| e.into_inner()) = Some(job);
            self.state.store(POSTED, SeqCst);
            if self.sleeping.load(SeqCst) {
                let _guard = self.job.lock().unwrap_or_else(|e| e.into_inner());
                self.wake.notify_one();
            }
            let ra = panic::catch_unwind(AssertUnwindSafe(a));
            let mut spins = 0u32;
            while self.state.load(SeqCst) != DONE {
                spins = spins.saturating_add(1);
                if spins < 1 << 16 {
                    std::hint::spin_loop();
                } else {
                    std::thread::yield_now();
                }
            }
            self.state.store(IDLE, SeqCst);
            self.busy.store(false, SeqCst);
            let rb = out.expect("the helper ran the job");
            match (ra, rb) {
                (Ok(a), Ok(b)) => (a, b),
                (Err(p), _) | (_, Err(p)) => panic::resume_unwind(p),
            }
        }

        fn serve(&self) {
            loop {
                let mut idle_since = Instant::now();
                let mut spins = 0u32;
                while self.state.load(SeqCst) != POSTED {
                    spins = spins.wrapping_add(1);
                    std::hint::spin_loop();
                    if spins.is_multiple_of(1024) && idle_since.elapsed() > SPIN {
                        self.sleep();
                        idle_since = Instant::now();
                    }
                }
                let job = self.job.lock().unwrap_or_else(|e| e.into_inner()).take();
                if let Some(Job(f)) = job {
                    // SAFETY: the posting `join` keeps the closure alive
                    // until it sees DONE.
                    unsafe { (*f)() };
                }
                self.state.store(DONE, SeqCst);
            }
        }

        /// Waits on the condvar until a job is posted. `sleeping` is set
        /// before the state is checked again and read by `join` after it
        /// posts, so one of the two always sees the other.
        fn sleep(&self) {
            let mut guard = self.job.lock().unwrap_or_else(|e| e.into_inner());
            self.sleeping.store(true, SeqCst);
            while self.state.load(SeqCst) != POSTED {
                guard = self.wake.wait(guard).unwrap_or_else(|e| e.into_inner());
            }
            self.sleeping.store(false, SeqCst);
        }
    }
}

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
    fn cut_is_a_whole_number_of_tiles() {
        assert_eq!(cut(128), 64);
        assert_eq!(cut(784), 384);
        assert_eq!(cut(31), 0);
    }
}
