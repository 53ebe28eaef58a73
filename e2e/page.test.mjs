// The page itself, driven like a person would: it loads, shows digits, trains
// an MLP with moving progress and ends above a stated accuracy, with no
// console or page errors and no request off its own origin.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { openLab, litPixels } from './browser.mjs';

const ARTIFACTS = new URL('./artifacts/', import.meta.url).pathname;
mkdirSync(ARTIFACTS, { recursive: true });
let lab;

before(async () => {
  lab = await openLab();
  await lab.page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
});
after(async () => {
  await lab?.close();
});

test('the digit grid shows real digits', async () => {
  // Every 56×56 cell (a digit at 2×) must hold ink: an MNIST digit lights
  // roughly 100–200 of its 784 pixels, 4× that on the canvas.
  const cells = await litPixels(lab.page, '[data-testid="digit-grid"]', 64, 56);
  assert.equal(cells.length, 40);
  const faint = cells.filter((n) => n < 150);
  assert.deepEqual(faint, [], `cells with almost no ink: ${cells}`);
  assert.match(await lab.page.textContent('[data-testid="status"]'), /10,000 digits loaded/);
});

test('training an MLP moves the progress bar and ends above 85% test accuracy', async () => {
  const { page } = lab;
  await page.selectOption('[data-testid="model-select"]', 'mnist_mlp_all');
  await page.selectOption('[data-testid="preset-select"]', 'best');
  await page.click('[data-testid="start"]');
  // Progress moves while the run is under way...
  await page.waitForFunction(() => {
    const v = document.querySelector('[data-testid="progress"]').value;
    return v > 0.05 && v < 1;
  }, null, { timeout: 30_000 });
  const midLog = await page.textContent('[data-testid="log"]');
  // ...and the run ends with a test accuracy.
  await page.waitForFunction(() => /%$/.test(document.querySelector('[data-testid="test-accuracy"]').textContent), null, { timeout: 120_000 });
  const acc = parseFloat(await page.textContent('[data-testid="test-accuracy"]'));
  assert.ok(acc > 85, `test accuracy ${acc}% is not above 85%`);
  const log = await page.textContent('[data-testid="log"]');
  assert.match(log, /Epoch 10: cost=\d+\.\d{3}, accuracy=0\.\d{3}\/[01]\.\d{3} \(/, 'reference-format epoch lines');
  assert.match(log, /Model mnist_mlp_all test report: accuracy = 0\.\d{3}/);
  assert.ok(log.length > midLog.length, 'the log grew while training');
  assert.equal(await page.$eval('[data-testid="progress"]', (p) => p.value), 1);
  await page.screenshot({ path: ARTIFACTS + 'trained.png', fullPage: true });
});

test('no console errors, no page errors, no request off the page origin', () => {
  assert.deepEqual(lab.errors, []);
  const foreign = lab.requests.filter((u) => !u.startsWith(lab.url) && !u.startsWith('data:') && !u.startsWith('blob:'));
  assert.deepEqual(foreign, []);
});
