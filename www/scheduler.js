// Runs a long job in slices so the page never freezes: one slice per
// animation frame within a time budget; when the tab is hidden (no frames),
// slices continue on timers and the UI catches up when it is visible again.

const running = new Set();

document.addEventListener('visibilitychange', () => {
  // A frame requested before the tab was hidden never comes: re-arm every
  // running job on the kind of timer that now fires.
  for (const r of running) r.schedule();
});

export class Runner {
  /**
   * @param {(budgetMs: number) => {done: boolean}} step  does one slice
   * @param {(result: any) => void} onSlice  called after every slice
   */
  constructor(step, onSlice, { frameBudgetMs = 12, hiddenBudgetMs = 200 } = {}) {
    this.step = step;
    this.onSlice = onSlice;
    this.frameBudgetMs = frameBudgetMs;
    this.hiddenBudgetMs = hiddenBudgetMs;
    this.token = 0;
  }

  get running() {
    return running.has(this);
  }

  start() {
    if (this.running) return;
    running.add(this);
    this.schedule();
  }

  pause() {
    running.delete(this);
    this.token++;
  }

  schedule() {
    const token = ++this.token;
    const run = () => token === this.token && this.tick();
    if (document.hidden) setTimeout(run, 0);
    else requestAnimationFrame(run);
  }

  tick() {
    let result;
    try {
      result = this.step(document.hidden ? this.hiddenBudgetMs : this.frameBudgetMs);
    } catch (e) {
      result = { done: true, error: e?.message ?? String(e) };
    }
    if (result.done) this.pause();
    this.onSlice(result);
    if (this.running) this.schedule();
  }
}
