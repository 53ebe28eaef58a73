// The lab's repeated runs: a row run over several seeds shows mean ± sd, and
// the label-efficiency curve trains its models through the ordinary queue
// and draws them.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { ARTIFACTS, offOrigin, openLab } from './browser.mjs';

mkdirSync(ARTIFACTS, { recursive: true });
let lab;
let page;

before(async () => {
  lab = await openLab();
  page = lab.page;
});
after(async () => {
  await lab?.close();
});

test('a model run over three seeds shows its mean ± sd in the results table', async () => {
  await page.selectOption('[data-testid="preset-select"]', 'best');
  await page.evaluate(() => window.aelab.training.runQueue([1, 2, 3].map((seed) => ({ model: 'mnist_mlp_all', seed }))));
  const cell = '[data-testid="result-row"][data-model="mnist_mlp_all"] [data-testid="result-measured"]';
  await page.waitForFunction((sel) => document.querySelector(sel).dataset.runs === '3', cell, { timeout: 120_000 });
  const text = await page.textContent(cell);
  const m = text.match(/^(\d+\.\d) ± (\d+\.\d)% \(3 seeds\)$/);
  assert.ok(m, text);
  assert.ok(Number(m[1]) > 90 && Number(m[2]) > 0, `${text}: seeds should differ a little`);
  assert.ok(Math.abs(Number(await page.$eval(cell, (c) => c.dataset.value)) * 100 - Number(m[1])) < 0.06);
});

test('the label-efficiency curve trains its models and draws them; propagation helps most with few labels', async () => {
  await page.fill('[data-testid="curve-labels"]', '10, 100');
  await page.click('[data-testid="curve-run"]');
  await page.waitForFunction(() => document.querySelector('[data-testid="curve-chart"]').dataset.points === '8', null, {
    timeout: 240_000,
  });
  const series = await page.evaluate(() => window.aelab.curve.data);
  assert.deepEqual(
    series[0].map((x) => Math.round(10 ** x)),
    [10, 100],
  );
  for (const s of series.slice(1)) for (const v of s) assert.ok(Number.isFinite(v) && v > 0.1 && v <= 1, JSON.stringify(series));
  const [mlp, , mlpProp] = series.slice(1);
  assert.ok(mlpProp[0] > mlp[0] + 0.05, `10 labels: propagation ${mlpProp[0]} vs MLP ${mlp[0]}`);
  assert.ok(mlp[1] > mlp[0], `the MLP learns more from 100 labels (${mlp[1]}) than from 10 (${mlp[0]})`);
  assert.match(await page.textContent('[data-testid="curve-note"]'), /^8 of 8 runs/);
  await page.locator('#curve-view').screenshot({ path: `${ARTIFACTS}curve.png` });
  // Bad label counts are refused in the note, nothing runs.
  await page.fill('[data-testid="curve-labels"]', '10, many');
  await page.click('[data-testid="curve-run"]');
  assert.match(await page.textContent('[data-testid="curve-note"]'), /not a list of whole numbers/);
});

test('no console errors and no request off the page origin', () => {
  assert.deepEqual(lab.errors, []);
  assert.deepEqual(offOrigin(lab), []);
});
