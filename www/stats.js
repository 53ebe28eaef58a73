// Figures over seeds: mean ± sd, and a lesson read from paired differences.
// Pure functions (no DOM, no engine), unit-tested by `node --test`.

/** Mean and sample standard deviation (0 for one value). */
export function meanSd(/** @type {number[]} */ v) {
  const m = v.reduce((s, x) => s + x, 0) / v.length;
  const sd = v.length > 1 ? Math.sqrt(v.reduce((s, x) => s + (x - m) ** 2, 0) / (v.length - 1)) : 0;
  return [m, sd];
}

/** A difference of accuracies (0..1) in signed points: "+6.2", "−55.9". */
export const points = (/** @type {number} */ x) => `${x < 0 ? '−' : '+'}${Math.abs(x * 100).toFixed(1)}`;

/**
 * How a lesson reads from two rows' figures over seeds (row a minus row b):
 * the difference of their means ± its standard error
 * (√(sd_a²/n_a + sd_b²/n_b)) beside the report's difference, and plainly
 * whether these runs show it: a difference counts as shown when it is more
 * than twice its standard error away from zero.
 * @param {string} what
 * @param {number[]} a
 * @param {number[]} b
 * @param {number} reference the report's difference
 */
export function lessonText(what, a, b, reference) {
  const ok = (/** @type {number[]} */ v) => v.length > 0 && v.every(Number.isFinite);
  if (!ok(a) || !ok(b)) return `${what}: not measured`;
  const [ma, sa] = meanSd(a);
  const [mb, sb] = meanSd(b);
  const d = ma - mb;
  const se = Math.sqrt((sa * sa) / a.length + (sb * sb) / b.length);
  const figure = `${points(d)} ± ${(se * 100).toFixed(1)} points (report ${points(reference)})`;
  const shown = a.length > 1 && b.length > 1 && Math.abs(d) > 2 * se;
  if (!shown) return `${what}: ${figure}, within twice its standard error: these runs do not show it`;
  if (Math.sign(d) === Math.sign(reference)) return `${what}: ${figure}, the report's lesson shows here`;
  return `${what}: ${figure}, the opposite of the report's lesson`;
}
