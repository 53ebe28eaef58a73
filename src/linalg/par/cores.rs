//! Whether the helper's core pays for a training thread's steps, measured
//! as they run. On the development host, in its "slow mode", the native
//! autoencode phase took 3.6–5.4 s on two cores against 3.2–3.4 s on one
//! (`taskset -c 0`) in the same minutes; with another process busy on the
//! second core, 3.9–4.5 s against 3.1. Most two-core steps there were as
//! fast as ever (a median of ~500 µs); a few stalled for a time slice
//! while the helper's core ran something else, and those made the mean.
//! So every `PERIOD` steps the last `PROBE` run the other way, and their
//! mean is compared with the mean of the period's other steps. The split
//! changes no number (`par`), so neither does the choice.
//!
//! While one core is far slower (`BACKOFF`), the periods grow, up to
//! `MAX_PERIOD`: since the autoencode step takes its batch in halves
//! (`train::halves`), a one-core step takes ~1.9× a two-core one, and the
//! probes cost 2.5% of a fast-mode phase at a fixed period (1.66–1.70 s
//! without them against 1.71–1.74). The halves also meet the helper
//! seldom, so two cores in the slow mode are no longer much slower than
//! one (2.92–3.28 s against 3.01–3.06): a later look costs less than it did.

use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// Steps between two comparisons, at first and after any close one.
pub const PERIOD: u64 = 512;
/// The longest period: doubled after each comparison that one core loses
/// by `BACKOFF` or more while two cores are the usual way.
pub const MAX_PERIOD: u64 = 4 * PERIOD;
/// How much slower one core must be for the periods to grow.
const BACKOFF: f64 = 1.5;
/// Steps run the other way per comparison.
pub const PROBE: u64 = 16;
/// How much faster the other way must be to win: the mean of sixteen
/// steps drifts by a few percent on a steady host.
const MARGIN: f64 = 0.05;

thread_local! {
    /// This thread's `join`s and `map`s run without the helper.
    static SOLO: Cell<bool> = const { Cell::new(false) };
}

/// Steps run on one core, over the process (for `aelab bench`).
static SOLO_STEPS: AtomicU64 = AtomicU64::new(0);

/// Whether this thread is running without the helper now.
pub fn solo() -> bool {
    SOLO.with(Cell::get)
}

/// Steps that ran on one core so far, in every `Cores` of the process.
pub fn solo_steps() -> u64 {
    SOLO_STEPS.load(Relaxed)
}

/// One training thread's choice between one core and two.
#[derive(Clone, Debug)]
pub struct Cores {
    /// Steps taken in this period, and its length.
    step: u64,
    period: u64,
    /// The usual way: one core.
    one: bool,
    /// Comparisons in a row the other way won.
    wins: u32,
    /// Seconds this period's steps took the usual way (its first
    /// `PERIOD - PROBE`) and the other way (its last `PROBE`).
    usual: f64,
    other: f64,
}

impl Default for Cores {
    fn default() -> Self {
        Cores {
            step: 0,
            period: PERIOD,
            one: false,
            wins: 0,
            usual: 0.0,
            other: 0.0,
        }
    }
}

impl Cores {
    /// Whether the next step runs on one core.
    pub fn one_core_next(&self) -> bool {
        self.one != (self.step >= self.period - PROBE)
    }

    /// The current period's length.
    pub fn period(&self) -> u64 {
        self.period
    }

    /// Whether steps usually run on one core now.
    pub fn usually_one(&self) -> bool {
        self.one
    }

    /// Runs one step `f` the way the schedule says, times it, and after
    /// each period's last step keeps the faster way.
    /// Without a helper (one core, or the browser) there is nothing to
    /// choose, and `f` just runs.
    pub fn run<R>(&mut self, f: impl FnOnce() -> R) -> R {
        if !super::has_helper() {
            return f();
        }
        let one = self.one_core_next();
        if one && !solo() {
            super::rest_helper();
        }
        let t0 = crate::clock::now_secs();
        let prev = SOLO.with(|s| s.replace(one));
        let r = f();
        SOLO.with(|s| s.set(prev));
        if one {
            SOLO_STEPS.fetch_add(1, Relaxed);
        }
        self.record(crate::clock::now_secs() - t0);
        r
    }

    /// Records the time of the step just taken; true when it ended a
    /// period, and so made a comparison.
    pub fn record(&mut self, secs: f64) -> bool {
        match self.step >= self.period - PROBE {
            true => self.other += secs,
            false => self.usual += secs,
        }
        self.step += 1;
        if self.step < self.period {
            return false;
        }
        let u = self.usual / (self.period - PROBE) as f64;
        let o = self.other / PROBE as f64;
        // Two cores lose by rare long stalls (the helper's core taken
        // for a time slice mid-piece), which a probe of 16 steps often
        // misses, while one core's pace is steady: so one probe that
        // wins moves to one core, and it takes two in a row to move
        // back.
        self.wins = if o < u * (1.0 - MARGIN) {
            self.wins + 1
        } else {
            0
        };
        if self.wins >= if self.one { 2 } else { 1 } {
            self.one = !self.one;
            self.wins = 0;
        }
        self.period = match !self.one && o >= u * BACKOFF {
            true => (2 * self.period).min(MAX_PERIOD),
            false => PERIOD,
        };
        self.step = 0;
        self.usual = 0.0;
        self.other = 0.0;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feeds `periods` periods of steps that take `two` seconds on two
    /// cores and `one` on one; returns the usual way after each period.
    fn usual_after(c: &mut Cores, periods: u64, one: f64, two: f64) -> Vec<bool> {
        (0..periods)
            .map(|_| {
                while !c.record(if c.one_core_next() { one } else { two }) {}
                c.usually_one()
            })
            .collect()
    }

    /// One core far slower: the periods double up to `MAX_PERIOD`, each
    /// still probing `PROBE` steps; a close comparison, or one core usual,
    /// brings them back to `PERIOD`.
    #[test]
    fn probes_back_off_while_two_cores_clearly_win() {
        let mut c = Cores::default();
        let mut lengths = vec![];
        for _ in 0..5 {
            let (mut steps, mut ones) = (0, 0);
            loop {
                let one = c.one_core_next();
                ones += u64::from(one);
                steps += 1;
                if c.record(if one { 1.9 } else { 1.0 }) {
                    break;
                }
            }
            assert_eq!(ones, PROBE);
            lengths.push(steps);
        }
        let p = PERIOD;
        assert_eq!(lengths, [p, 2 * p, 4 * p, MAX_PERIOD, MAX_PERIOD]);
        assert_eq!(usual_after(&mut c, 1, 1.2, 1.0), [false]);
        assert_eq!(c.period(), PERIOD, "a close comparison resets the period");
        assert_eq!(usual_after(&mut c, 1, 1.9, 1.0), [false]);
        assert_eq!(c.period(), 2 * PERIOD);
        // The host turns slow: one core wins, and its periods stay short.
        assert_eq!(usual_after(&mut c, 2, 1.0, 2.0), [true, true]);
        assert_eq!(c.period(), PERIOD);
    }

    #[test]
    fn keeps_two_cores_while_they_pay_and_changes_when_they_stop() {
        let mut c = Cores::default();
        // Two cores 1.4x as fast: they stay, and only PROBE steps a period
        // run on one.
        let ones = (0..PERIOD).filter(|&i| {
            let one = c.one_core_next();
            c.record(if one { 1.4 } else { 1.0 });
            assert_eq!(one, i >= PERIOD - PROBE, "step {i}");
            one
        });
        assert_eq!(ones.count() as u64, PROBE);
        assert_eq!(c.period(), PERIOD);
        assert!(!c.usually_one());
        // The host turns slow: one core wins at the first comparison, and
        // holds while it does.
        assert_eq!(usual_after(&mut c, 3, 1.0, 1.3), [true, true, true]);
        // Within the margin nothing changes either way.
        assert_eq!(usual_after(&mut c, 2, 1.0, 0.97), [true, true]);
        // Two cores fast again: back to them at the second comparison.
        assert_eq!(usual_after(&mut c, 3, 1.0, 0.6), [true, false, false]);
        // A probe of two cores that wins among ones that lose does not
        // move back: the wins must come in a row.
        assert_eq!(usual_after(&mut c, 1, 1.0, 1.3), [true]);
        assert_eq!(usual_after(&mut c, 1, 1.0, 0.6), [true]);
        assert_eq!(usual_after(&mut c, 1, 1.0, 1.3), [true]);
        assert_eq!(usual_after(&mut c, 1, 1.0, 0.6), [true]);
    }

    /// Two cores whose steps are mostly fast but stall now and then (the
    /// helper's core taken for a time slice) lose to one core by the mean,
    /// though their median step is faster.
    #[test]
    fn rare_long_stalls_count() {
        let mut c = Cores::default();
        for i in 0..PERIOD {
            let two = if i % 10 == 0 { 8.0 } else { 0.6 };
            c.record(if c.one_core_next() { 1.0 } else { two });
        }
        assert!(c.usually_one());
    }

    #[test]
    fn a_step_on_one_core_runs_its_halves_here() {
        let mut c = Cores::default();
        let here = std::thread::current().id();
        for i in 0..PERIOD {
            let one = c.one_core_next();
            let (a, b) = c.run(|| {
                super::super::join(
                    || std::thread::current().id(),
                    || std::thread::current().id(),
                )
            });
            assert_eq!(a, here);
            if one {
                assert_eq!(b, here, "step {i} ran on one core, but a half left it");
            }
            assert!(!solo(), "step {i}: the choice outlived the step");
        }
    }
}
