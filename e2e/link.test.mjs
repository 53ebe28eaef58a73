// Links that restore a setup: the hash follows every edit; a copied link
// opened in a fresh browser profile restores data set, model, preset,
// settings and seed and says so; a link with an unknown or out-of-range
// value is refused with a message and the page keeps its defaults.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ARTIFACTS, drawOn, ONE, openBrowser, openLab, shape } from './browser.mjs';

const setting = (page, key) => page.inputValue(`[data-testid="setting-${key}"]`);

test('a copied link opened in a fresh profile restores the setup, and says so', async () => {
  const a = await openLab();
  let href;
  try {
    const { page } = a;
    await page.selectOption('[data-testid="model-select"]', 'mnist_auto_2');
    await page.selectOption('[data-testid="preset-select"]', 'faithful');
    await page.locator('#settings-box summary').click();
    await page.fill('[data-testid="setting-sup_epochs"]', '3');
    await page.fill('[data-testid="setting-seed"]', '42');
    await page.click('[data-testid="copy-link"]');
    href = await page.evaluate(() => location.href);
    assert.match(href, /#data=mnist&model=mnist_auto_2&preset=faithful&.*sup_epochs=3/);
    assert.match(href, /seed=42/);
    assert.ok(!/lr=/.test(href), `an unedited setting travels in the link: ${href}`);
  } finally {
    await a.close();
  }
  // A fresh browser on a fresh profile (and a fresh server: the path and hash matter).
  const b = await openBrowser();
  try {
    const { page, url } = b;
    await page.goto(url + href.slice(href.indexOf('/', 8) + 1));
    await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
    assert.equal(await page.inputValue('[data-testid="model-select"]'), 'mnist_auto_2');
    assert.equal(await page.inputValue('[data-testid="preset-select"]'), 'faithful');
    assert.equal(await setting(page, 'sup_epochs'), '3');
    assert.equal(await setting(page, 'seed'), '42');
    assert.equal(await setting(page, 'batch'), '10', "the faithful preset's own batch size");
    assert.equal(await page.$eval('[data-testid="link-note"]', (e) => e.dataset.state), 'restored');
    assert.match(
      await page.textContent('[data-testid="link-note"]'),
      /Restored the setup from the link: mnist_auto_2, preset faithful.*seed 42.*sup_epochs/,
    );
    await page.locator('#train').screenshot({ path: `${ARTIFACTS}link-restored.png` });
  } finally {
    await b.close();
  }
});

test('a link can pick the data set', async () => {
  const lab = await openLab('#data=fashion&model=mnist_mlp_1p&preset=best&seed=5');
  try {
    assert.equal(await lab.page.inputValue('[data-testid="dataset-select"]'), 'fashion');
    assert.equal(await lab.page.inputValue('[data-testid="model-select"]'), 'mnist_mlp_1p');
    // The link's setup is Fashion's best recipe: not deskewed.
    assert.equal(await lab.page.isChecked('[data-testid="setting-deskew"]'), false);
    assert.match(await lab.page.textContent('[data-testid="link-note"]'), /Fashion/);
  } finally {
    await lab.close();
  }
});

test('a link with a bad value is refused with a message and the defaults are kept', async () => {
  for (const [hash, why] of [
    ['#model=mnist_nope', /model "mnist_nope" does not exist/],
    ['#model=mnist_auto_2&lr=50', /learning rate 50 is out of range/],
    ['#model=mnist_auto_2&sup_epochs=-3', /sup_epochs/],
    ['#data=own', /own data files cannot travel/],
    ['#model=mnist_auto_2&colour=blue', /"colour", which is not a setting/],
    ['#model=mnist_auto_2&preset=fastest', /preset "fastest" does not exist/],
    // Forty layers of 4,096 units: refused by the size budget before the
    // engine allocates anything (they once exhausted its memory).
    [`#model=mnist_mlp_all&head=${encodeURIComponent(Array(40).fill('4096 relu').join(', '))}`, /the budget is 1024 MiB/],
    [`#model=mnist_mlp_all&head=${encodeURIComponent(Array(2002).fill('64 relu').join(', '))}`, /2002 layers; the budget is 64/],
    // The text typed, not what a number input made of it; our words, not serde's.
    ['#model=mnist_auto_2&lr=abc', /lr: "abc" is not a number/],
    ['#model=mnist_auto_2&lr=0x10', /lr: "0x10" is not a number/],
    ['#model=mnist_auto_2&lr=Infinity', /lr: "Infinity" is not a number/],
    ['#model=mnist_auto_2&seed=99999999999', /seed: 99999999999 is out of range; expected a whole number from 0 to 4294967295/],
    ['#model=mnist_auto_2&seed=1&seed=2', /it gives "seed" twice/],
  ]) {
    const lab = await openLab(hash);
    try {
      const { page } = lab;
      const note = page.locator('[data-testid="link-note"]');
      assert.equal(await note.getAttribute('data-state'), 'refused', `${hash}: ${await note.textContent()}`);
      assert.match(await note.textContent(), why);
      assert.match(await note.textContent(), /the defaults are kept/);
      assert.equal(await page.inputValue('[data-testid="model-select"]'), 'mnist_mlp_all', `${hash}: the default model`);
      assert.equal(await page.inputValue('[data-testid="dataset-select"]'), 'mnist');
      if (/budget/.test(String(why))) {
        // The model already there still answers the pad.
        await page.waitForFunction(() => document.querySelector('[data-testid="answering"]').dataset.model === 'starter', null, {
          timeout: 30_000,
        });
        assert.equal(await drawOn(page, shape(ONE, 100, 40, 200)), '1');
      }
      assert.deepEqual(lab.errors, []);
    } finally {
      await lab.close();
    }
  }
});

test("the header's view links keep the setup in the hash: a reload after one restores it", async () => {
  const lab = await openLab('#data=mnist&model=mnist_auto_2&preset=faithful&seed=42');
  try {
    const { page } = lab;
    await page.click('nav.jump a[href="#denoise-view"]');
    // The view is scrolled to, and the hash still holds the setup.
    await page.waitForFunction(() => document.activeElement?.id === 'denoise-view');
    assert.match(await page.evaluate(() => location.hash), /model=mnist_auto_2&preset=faithful&seed=42/);
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
    assert.equal(await page.$eval('[data-testid="link-note"]', (e) => e.dataset.state), 'restored');
    assert.equal(await page.inputValue('[data-testid="model-select"]'), 'mnist_auto_2');
    assert.equal(await page.inputValue('[data-testid="preset-select"]'), 'faithful');
    assert.equal(await setting(page, 'seed'), '42');
    // A bookmark of a bare view anchor opens that view with the defaults, refusing nothing.
    await page.goto(`${lab.url}#hash-view`);
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
    assert.equal(await page.$eval('[data-testid="link-note"]', (e) => e.dataset.state ?? ''), '');
    assert.deepEqual(lab.errors, []);
  } finally {
    await lab.close();
  }
});
