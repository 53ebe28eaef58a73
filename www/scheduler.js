// Runs a long job in slices so the page never freezes. Each slice is a task
// of its own, posted as a MessageChannel message the moment the one before
// ends: the engine works whenever the page has nothing else to do, and
// between two slices the browser renders a frame and handles input (both
// come before a message posted after them). Slices used to wait for an
// animation frame each, which left the engine idle for the rest of every
// frame: 23 s of a 96 s Run all (issue 16). A message, unlike a timer, is
// neither clamped to 4 ms when chained nor throttled in a hidden tab.
//
// Drawing belongs in a frame, not in a slice's task: views that redraw on
// progress ask for it with `inFrame` (context.js), so a slice and a redraw
// never add up to one long task.

export class Runner {
  /**
   * @param {(budgetMs: number) => {done: boolean}} step  does one slice
   * @param {(result: any) => void} onSlice  called after every slice, in its task
   * @param {{sliceBudgetMs?: number, hiddenBudgetMs?: number}} budgets  the
   *   time a slice may take while the page is seen (input waits for it, so
   *   it stays well under a frame) and while it is hidden (nothing waits)
   */
  constructor(step, onSlice, { sliceBudgetMs = 12, hiddenBudgetMs = 200 } = {}) {
    this.step = step;
    this.onSlice = onSlice;
    this.sliceBudgetMs = sliceBudgetMs;
    this.hiddenBudgetMs = hiddenBudgetMs;
    this.isRunning = false;
    this.channel = new MessageChannel();
    // A message posted before a pause may still arrive: the token tells.
    this.token = 0;
    this.channel.port1.onmessage = (e) => {
      if (this.isRunning && e.data === this.token) this.tick();
    };
  }

  get running() {
    return this.isRunning;
  }

  start() {
    if (this.isRunning) return;
    this.isRunning = true;
    this.schedule();
  }

  pause() {
    this.isRunning = false;
    this.token++;
  }

  schedule() {
    this.channel.port2.postMessage(++this.token);
  }

  tick() {
    let result;
    try {
      result = this.step(document.hidden ? this.hiddenBudgetMs : this.sliceBudgetMs);
    } catch (e) {
      result = { done: true, error: e?.message ?? String(e) };
      // An engine that aborted is restarted (restart.js); the run is over.
      /** @type {any} */ (globalThis).aelabOnAbort?.(e);
    }
    if (result.done) this.pause();
    this.onSlice(result);
    if (this.isRunning) this.schedule();
  }
}
