// The first minute and the code space: the starter model answers the pad on
// arrival without a click; the dashboard shows pad, progress and
// reconstructions on one 1280×800 screen; an empty view says what will
// appear; the code map decodes what is clicked; traversal and blend draw;
// a denoising model beats a plain one on noisy digits; the guided path's
// steps give their figures over three seeds; axe-core finds no violation. Screenshots in e2e/artifacts/.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { ARTIFACTS, drawOn, litPixels, ONE, openLab, shape } from './browser.mjs';

let lab;
let page;

before(async () => {
  lab = await openLab('', { viewport: { width: 1280, height: 800 } });
  page = lab.page;
});
after(async () => {
  await lab?.close();
});

const AXE = readFileSync(new URL('../node_modules/axe-core/axe.min.js', import.meta.url), 'utf8');

/** axe-core's violations on the page as it is now (rule id, impact, first targets). */
async function axeViolations() {
  await page.evaluate(AXE);
  const v = await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'] })).violations);
  return v.map(
    (x) =>
      `${x.id} (${x.impact}): ${x.nodes
        .slice(0, 3)
        .map((n) => n.target.join(' '))
        .join(', ')}`,
  );
}

const inViewport = (sel) =>
  page.$eval(sel, (e) => {
    const r = e.getBoundingClientRect();
    return r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight && r.right <= innerWidth;
  });

test('on arrival, with no click: pad and progress on screen, and a drawn 1 is classified, rebuilt, keyed and looked up', async () => {
  assert.ok(await inViewport('[data-testid="draw-pad"]'), 'the pad is below the fold at 1280×800');
  assert.ok(await inViewport('[data-testid="progress"]'), 'the progress bar is below the fold');
  assert.ok(await inViewport('[data-testid="recon-canvas"]'), 'the reconstructions are below the fold');
  // Draw as soon as the page says it is ready, then wait for the whole
  // answer: a prediction, a reconstruction and a non-empty bucket.
  await drawOn(page, shape(ONE, 100, 40, 200));
  await page.waitForFunction(
    () =>
      document.querySelector('[data-testid="prediction"]').dataset.state === 'predicted' &&
      document.querySelector('[data-testid="pad-neighbours"]').dataset.empty === 'false' &&
      document.querySelector('[data-testid="pad-recon"]').dataset.empty === 'false',
    null,
    { timeout: 30_000, polling: 50 },
  );
  const answered = await page.evaluate(() => performance.now());
  assert.equal((await page.textContent('[data-testid="prediction"]')).trim(), '1');
  await page.waitForFunction(() => document.querySelector('[data-testid="answering"]').dataset.model === 'starter', null, {
    timeout: 30_000,
  });
  const evaluated = await page.evaluate(() => performance.now());
  console.log(
    `# a 1 drawn on arrival had its whole answer (class, rebuild, bucket) ${Math.round(answered)} ms after navigation; the starter's evaluation ended at ${Math.round(evaluated)} ms`,
  );
  assert.match(await page.textContent('[data-testid="answering"]'), /starter.*trained at build time.*test accuracy \d+\.\d%/);
  assert.ok(
    (await litPixels(page, '[data-testid="pad-recon"]', 64)).every((n) => n > 20),
    'the reconstruction is dark',
  );
  assert.ok((await litPixels(page, '[data-testid="pad-input"]', 64)).every((n) => n > 20));
  assert.match(await page.textContent('[data-testid="pad-code"]'), /code \[.*\] · key [01]{10}/);
  const bucket = await litPixels(page, '[data-testid="pad-neighbours"]', 64, 56);
  assert.ok(bucket.filter((n) => n > 20).length >= 3, `bucket cells lit: ${bucket}`);
  await page.screenshot({ path: `${ARTIFACTS}dashboard-1280.png` });
  assert.deepEqual(await axeViolations(), []);
});

test('the code map decodes two far-apart points into two different images, also from the keyboard', async () => {
  const map = page.locator('[data-testid="codemap"]');
  await map.scrollIntoViewIfNeeded();
  await page.waitForFunction(() => window.aelab.codemap.plane);
  const box = await map.boundingBox();
  const decoded = () =>
    page.$eval('[data-testid="map-decoded"]', (c) =>
      Array.from(
        c
          .getContext('2d')
          .getImageData(0, 0, c.width, c.height)
          .data.filter((_, i) => i % 4 === 0),
      ),
    );
  await page.mouse.click(box.x + box.width * 0.1, box.y + box.height * 0.5);
  const a = await decoded();
  await page.mouse.click(box.x + box.width * 0.9, box.y + box.height * 0.5);
  const b = await decoded();
  const diff = a.reduce((s, v, i) => s + Math.abs(v - b[i]), 0) / a.length;
  assert.ok(diff > 10, `mean pixel difference ${diff}`);
  assert.ok(a.filter((v) => v > 100).length > 50, 'the decoded image is dark');
  assert.match(await page.textContent('[data-testid="map-point"]'), /code \[/);
  await map.focus();
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('ArrowUp');
  const c = await decoded();
  assert.ok(
    c.some((v, i) => v !== b[i]),
    'arrow keys do not move the probe',
  );
  await page.locator('#codemap-view').screenshot({ path: `${ARTIFACTS}codemap-explore.png` });
});

test('a traversal strip per code unit and a blend, code space above pixel space, are drawn', async () => {
  await page.locator('#explore-view').scrollIntoViewIfNeeded();
  await page.click('[data-testid="trav-run"]');
  const rows = Number(await page.$eval('[data-testid="traversal"]', (c) => c.dataset.units));
  assert.equal(rows, 10);
  const cells = await litPixels(page, '[data-testid="traversal"]', 64, 56);
  assert.equal(cells.length, 90);
  assert.ok(
    cells.every((n) => n > 0),
    'a traversal cell is black',
  );
  // Along each strip the image changes.
  const strips = await page.$eval('[data-testid="traversal"]', (c) => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    const cell = (x, y) => Array.from({ length: 56 * 56 }, (_, i) => d[4 * ((y + Math.floor(i / 56)) * c.width + x + (i % 56))]);
    return Array.from({ length: 10 }, (_, j) => {
      const [first, last] = [cell(0, j * 56), cell(8 * 56, j * 56)];
      return first.reduce((s, v, i) => s + Math.abs(v - last[i]), 0) / first.length;
    });
  });
  assert.ok(strips.filter((d) => d > 2).length >= 5, `strip end-to-end differences ${strips.map((d) => d.toFixed(1))}`);
  await page.fill('[data-testid="interp-a"]', '3');
  await page.fill('[data-testid="interp-b"]', '4');
  await page.click('[data-testid="interp-run"]');
  const blend = await litPixels(page, '[data-testid="interp"]', 64, 56);
  assert.equal(blend.length, 18);
  assert.ok(
    blend.every((n) => n > 0),
    `blend cells ${blend}`,
  );
  // Blending into a drawing needs one: the note says so; with one it draws.
  await page.click('[data-testid="pad-clear"]');
  await page.click('[data-testid="interp-drawing"]');
  assert.match(await page.textContent('[data-testid="explore-note"]'), /Draw a digit/);
  await drawOn(page, shape(ONE, 100, 40, 200));
  await page.click('[data-testid="interp-drawing"]');
  assert.equal(await page.$eval('[data-testid="interp"]', (c) => c.dataset.to), 'drawing');
  await page.locator('#explore-view').screenshot({ path: `${ARTIFACTS}traversal-blend.png` });
});

test('every view says what will appear before there is a model (no black rectangle), and axe finds nothing', async () => {
  await page.click('[data-testid="reset"]');
  await page.click('[data-testid="pad-clear"]');
  // The views' own canvases (uPlot draws its charts on canvases of its own).
  const empty = await page.$$eval('main canvas[id]:not(#pad)', (cs) =>
    cs.filter((c) => c.dataset.empty !== 'true' && c.id !== 'digits').map((c) => c.id),
  );
  assert.deepEqual(empty, [], 'views without content and without a placeholder');
  const titles = await page.$$eval('main canvas[data-empty="true"]', (cs) => cs.map((c) => c.title));
  assert.ok(
    titles.every((t) => t.length > 4),
    `placeholder texts: ${titles}`,
  );
  assert.match(await page.textContent('[data-testid="answering"]'), /No model/);
  assert.deepEqual(await axeViolations(), []);
});

test('denoising: at a high noise level the denoising autoencoder rebuilds the clean digits better than a plain one', async () => {
  await page.locator('#denoise-view').scrollIntoViewIfNeeded();
  // One run at a time: each model's curve is measured once its run ends.
  const curveOf = (model) =>
    page.evaluate(
      (m) =>
        new Promise((resolve) => {
          // The best recipe with 10 autoencode epochs, not its 60: the
          // comparison needs a denoiser, not the report's budget.
          const config = window.aelab.engine.presetConfig(m, 'best', true);
          config.ae_epochs = 10;
          window.aelab.training.runQueue([{ config }]);
          const poll = setInterval(() => {
            const c = [...window.aelab.denoise.curves.entries()].find(([k]) => k.startsWith(`${m} `));
            if (c) {
              clearInterval(poll);
              resolve(c[1].errors);
            }
          }, 200);
        }),
      model,
    );
  const plain = await curveOf('mnist_auto_2');
  const denoising = await curveOf('mnist_denoise');
  console.log(`# Gaussian noise 0..0.8: plain ${plain.map((e) => e.toFixed(4))}; denoising ${denoising.map((e) => e.toFixed(4))}`);
  // Level 0.6 (index 6): well past the training noise's sd of 0.4.
  assert.ok(denoising[6] < plain[6], `at sd 0.6: denoising ${denoising[6]} vs plain ${plain[6]}`);
  await page.fill('[data-testid="noise-level"]', '0.6');
  await page.dispatchEvent('[data-testid="noise-level"]', 'input');
  assert.equal(await page.textContent('[data-testid="noise-level-out"]'), '0.60');
  // The error over all 500 digits comes in a task after the shown digits:
  // the figure for the model answering now (the denoising one), the same
  // as its curve's point at that level.
  await page.waitForFunction(() => document.querySelector('[data-testid="denoise-mse"]').dataset.mse, null, { timeout: 10_000 });
  const shownMse = Number(await page.$eval('[data-testid="denoise-mse"]', (e) => e.dataset.mse));
  assert.equal(shownMse, denoising[6], `the view's figure ${shownMse} vs the curve's ${denoising[6]}`);
  assert.match(await page.textContent('[data-testid="denoise-mse"]'), /over 500 test digits/);
  const rows = await litPixels(page, '[data-testid="denoise-canvas"]', 64, 56);
  assert.ok(
    rows.every((n) => n > 0),
    `denoise cells ${rows}`,
  );
  assert.ok((await page.$$eval('#denoise-chart .u-legend .u-series', (s) => s.length)) >= 3, 'one line per model measured');
  await page.locator('#denoise-view').screenshot({ path: `${ARTIFACTS}denoise.png` });
});

/** Clicks a guided-path step's button and waits for its figure; its text and per-seed values. */
async function pathStep(i, timeout = 300_000) {
  await page.locator('#path-view').scrollIntoViewIfNeeded();
  await page.click(`[data-testid="path-run-${i}"]`);
  const t0 = Date.now();
  await page.waitForFunction((k) => document.querySelector(`[data-testid="path-figure-${k}"]`).dataset.done === 'true', i, {
    timeout,
    polling: 250,
  });
  const [text, stats] = await page.$eval(`[data-testid="path-figure-${i}"]`, (p) => [p.textContent, JSON.parse(p.dataset.stats)]);
  console.log(`# path step ${i} (${((Date.now() - t0) / 1000).toFixed(1)} s): ${text}`);
  return { text, stats };
}

const mean = (v) => v.reduce((s, x) => s + x, 0) / v.length;

test('the guided path: steps 1 and 3 over three seeds, mean ± sd beside the report, and pre-training above no pre-training', async () => {
  const one = await pathStep(1);
  assert.match(one.text, /^measured over 3 seeds \(mean ± sd\): all labels: \d+\.\d ± \d+\.\d% \(report 90\.5%\); 1% of labels: /);
  assert.match(one.text, /all labels rather than 1%: [+−]\d+\.\d ± \d+\.\d points \(report \+22\.1\)/);
  const three = await pathStep(3);
  for (const model of ['mnist_mlp_1p', 'mnist_auto_1', 'mnist_auto_3']) {
    const v = three.stats[model];
    assert.equal(v.length, 3, `${model}: ${v}`);
    assert.ok(
      v.every((x) => x > 0 && x <= 1),
      `${model}: ${v}`,
    );
  }
  // The chapter's lesson, in this browser: pre-trained above not, and a
  // 1-unit code below both (the order, not a figure).
  const [mlp, auto1, auto3] = ['mnist_mlp_1p', 'mnist_auto_1', 'mnist_auto_3'].map((m) => mean(three.stats[m]));
  assert.ok(auto1 > mlp, `pre-trained ${auto1} vs not ${mlp}`);
  assert.ok(auto3 < mlp, `1-unit code ${auto3} vs no pre-training ${mlp}`);
  assert.match(three.text, /pre-training: [+−]\d+\.\d ± \d+\.\d points \(report \+6\.2\), /);
  assert.match(three.text, /a 1-unit code instead of 10: −\d+\.\d ± \d+\.\d points \(report −55\.9\)/);
  // The ordinary controls show the step's last setup.
  assert.equal(await page.inputValue('[data-testid="model-select"]'), 'mnist_auto_3');
  await page.locator('#path-view').screenshot({ path: `${ARTIFACTS}guided-path.png` });
});
