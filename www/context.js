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

/**
 * Calls `fn` in the next animation frame, once however often it is asked
 * for before then, with the latest arguments: drawing belongs in a frame's
 * own task, not in the engine's slice that asked for it (scheduler.js).
 * Each ask replaces the last request rather than flagging one as pending,
 * so a frame that never comes (a hidden tab's) blocks no later ask.
 * @param {(...args: any[]) => void} fn
 */
export function inFrame(fn) {
  let id = 0;
  return (/** @type {any[]} */ ...args) => {
    cancelAnimationFrame(id);
    id = requestAnimationFrame(() => fn(...args));
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
