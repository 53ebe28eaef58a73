//! The helper thread behind `par::join` and `par::map`: one thread that
//! spins while jobs keep coming, sleeps on a condvar after `SPIN` without
//! one, and leaves a job it has not started to its poster to take back.

use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicUsize, Ordering::SeqCst};
use std::sync::{Condvar, Mutex, OnceLock};
use std::time::{Duration, Instant};

const IDLE: u8 = 0;
const POSTED: u8 = 1;
const DONE: u8 = 2;
/// The helper took the job: the poster must wait for DONE.
const RUNNING: u8 = 3;
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
    /// Sleep now rather than spin: the poster runs on one core for a while.
    rest: AtomicBool,
    job: Mutex<Option<Job>>,
    wake: Condvar,
}

/// A lock whose holder cannot have panicked mid-update (every job's
/// panic is caught before it reaches a lock).
pub fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

static HELPER: OnceLock<Option<&'static Helper>> = OnceLock::new();

/// The helper, if this machine has a second core and no other `join`
/// holds it.
pub fn claim() -> Option<&'static Helper> {
    let h = get()?;
    h.busy
        .compare_exchange(false, true, SeqCst, SeqCst)
        .is_ok()
        .then_some(h)
}

/// Lets the helper sleep at once instead of spinning out `SPIN`: the
/// caller will run without it for a while, and a spinning helper would
/// take a share of the core it runs on.
pub fn rest() {
    if let Some(h) = get() {
        h.rest.store(true, SeqCst);
    }
}

/// The helper, started on first use, if this machine has a second core.
pub fn get() -> Option<&'static Helper> {
    *HELPER.get_or_init(start)
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
        rest: AtomicBool::new(false),
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
    /// Runs `a` here and `b` on the helper (which the caller claimed);
    /// `b` here too, after `a`, if the helper has not started it by then
    /// (its core taken by another process, or not yet awake).
    pub fn join<A, B: Send>(&self, a: impl FnOnce() -> A, b: impl FnOnce() -> B + Send) -> (A, B) {
        let b = Mutex::new(Some(b));
        let out = Mutex::new(None);
        let call = || {
            if let Some(b) = lock(&b).take() {
                *lock(&out) = Some(panic::catch_unwind(AssertUnwindSafe(b)));
            }
        };
        let ra = self.share(&call, a);
        // Taken back: the helper never ran `call`, so `b` runs here.
        let rb = match lock(&out).take() {
            Some(rb) => rb,
            None => panic::catch_unwind(AssertUnwindSafe(lock(&b).take().expect("b ran nowhere"))),
        };
        match (ra, rb) {
            (Ok(a), Ok(b)) => (a, b),
            (Err(p), _) | (_, Err(p)) => panic::resume_unwind(p),
        }
    }

    /// `par::map` with the helper (which the caller claimed).
    pub fn map<T: Send, R: Send>(&self, items: Vec<T>, f: &(impl Fn(T) -> R + Sync)) -> Vec<R> {
        type Slot<T, R> = Mutex<(Option<T>, Option<std::thread::Result<R>>)>;
        let slots: Vec<Slot<T, R>> = items
            .into_iter()
            .map(|t| Mutex::new((Some(t), None)))
            .collect();
        let next = AtomicUsize::new(0);
        let work = || loop {
            let i = next.fetch_add(1, SeqCst);
            let Some(slot) = slots.get(i) else { break };
            let t = lock(slot).0.take().expect("each item is taken once");
            let r = panic::catch_unwind(AssertUnwindSafe(|| f(t)));
            lock(slot).1 = Some(r);
        };
        // `work` catches every panic of `f`, so `share` returns Ok.
        let _ = self.share(&work, work);
        slots
            .into_iter()
            .map(|s| {
                let (_, r) = s.into_inner().unwrap_or_else(|e| e.into_inner());
                match r.expect("every item ran") {
                    Ok(r) => r,
                    Err(p) => panic::resume_unwind(p),
                }
            })
            .collect()
    }

    /// Posts `job` to the helper, runs `here` on this thread, then
    /// either takes the job back (the helper had not started it) or
    /// waits until the helper has finished it. `job` must not panic.
    pub fn share<A>(
        &self,
        job: &(dyn Fn() + Sync),
        here: impl FnOnce() -> A,
    ) -> std::thread::Result<A> {
        let mut call = || job();
        let call: &mut (dyn FnMut() + Send) = &mut call;
        // SAFETY: only the lifetime is erased; this function returns
        // only once the job is taken back or the helper reported DONE,
        // after which the helper no longer holds it.
        let posted = Job(unsafe { std::mem::transmute::<_, *mut (dyn FnMut() + Send)>(call) });
        self.rest.store(false, SeqCst);
        *self.job.lock().unwrap_or_else(|e| e.into_inner()) = Some(posted);
        self.state.store(POSTED, SeqCst);
        if self.sleeping.load(SeqCst) {
            let _guard = self.job.lock().unwrap_or_else(|e| e.into_inner());
            self.wake.notify_one();
        }
        let r = panic::catch_unwind(AssertUnwindSafe(here));
        if self
            .state
            .compare_exchange(POSTED, IDLE, SeqCst, SeqCst)
            .is_ok()
        {
            self.job.lock().unwrap_or_else(|e| e.into_inner()).take();
        } else {
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
        }
        self.busy.store(false, SeqCst);
        r
    }

    fn serve(&self) {
        loop {
            let mut idle_since = Instant::now();
            let mut spins = 0u32;
            while self.state.load(SeqCst) != POSTED {
                spins = spins.wrapping_add(1);
                std::hint::spin_loop();
                if spins.is_multiple_of(1024)
                    && (self.rest.swap(false, SeqCst) || idle_since.elapsed() > SPIN)
                {
                    self.sleep();
                    idle_since = Instant::now();
                }
            }
            // The poster may take the job back until this succeeds.
            if self
                .state
                .compare_exchange(POSTED, RUNNING, SeqCst, SeqCst)
                .is_err()
            {
                continue;
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
