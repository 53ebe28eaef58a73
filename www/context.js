// What every view shares: the element lookup, and the one context through
// which views reach the engine. A panic restart swaps `lab` and `engine`
// here, in one place, and every view then talks to the fresh instance.

/**
 * The element with this id (typed loosely: the views know what they look up).
 * @param {string} id
 * @returns {any}
 */
export const $ = (id) => document.getElementById(id);

/**
 * @typedef {import('./pkg/aelab.js').Lab} Lab
 * @typedef {typeof import('./pkg/aelab.js')} Engine
 * @typedef {{ id: string, name: string, classes: string[], digits: boolean, source: string }} DataSet
 * @typedef {{ lab: Lab, engine: Engine, dataset: DataSet, trainedOn: DataSet | null }} Context
 */

/** Redraws waiting for a frame, in the order first asked: fn → its latest arguments. */
const frameJobs = new Map();
let frameId = 0;
/**
 * A frame runs waiting redraws until this many milliseconds have gone, the
 * rest in the frames after: the views' redraws and the chart's all in one
 * frame ran 33–35 ms on a host half as fast (issue 16).
 */
const FRAME_BUDGET_MS = 8;

function runFrame() {
  frameId = 0;
  const t0 = performance.now();
  try {
    for (const [fn, args] of frameJobs) {
      frameJobs.delete(fn);
      fn(...args);
      if (performance.now() - t0 > FRAME_BUDGET_MS) break;
    }
  } finally {
    if (frameJobs.size) frameId = requestAnimationFrame(runFrame);
  }
}

/**
 * Calls `fn` in a coming animation frame, once however often it is asked
 * for before then, with the latest arguments: drawing belongs in a frame's
 * own task, not in the engine's slice that asked for it (scheduler.js).
 * Redraws share the frames: each runs whole, but a frame takes no more once
 * FRAME_BUDGET_MS have gone. Each ask requests the frame anew rather than
 * trusting an earlier request, so a frame that never comes (a hidden tab's)
 * blocks no later ask.
 * @param {(...args: any[]) => void} fn
 */
export function inFrame(fn) {
  return (/** @type {any[]} */ ...args) => {
    frameJobs.set(fn, args);
    cancelAnimationFrame(frameId);
    frameId = requestAnimationFrame(runFrame);
  };
}

/**
 * Calls `fn` at most once every `ms` milliseconds; `force` calls it now.
 * @param {(...args: any[]) => void} fn
 * @param {number} ms
 */
export function throttle(fn, ms) {
  let last = -Infinity;
  return (/** @type {boolean} */ force, /** @type {any[]} */ ...args) => {
    const now = performance.now();
    if (!force && now - last < ms) return;
    last = now;
    fn(...args);
  };
}

/**
 * Saves bytes or text as a file through the browser's download.
 * @param {string} name
 * @param {Uint8Array | string} data
 * @param {string} type
 */
export function download(name, data, type = 'application/octet-stream') {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([/** @type {any} */ (data)], { type }));
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}
