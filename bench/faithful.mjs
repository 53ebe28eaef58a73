// The page's faithful Run all over three seeds, in headless Chromium: each
// row's mean ± sd beside the report's figure and whether it lands within
// ±5 points of it, as issue "the chapter's lesson, shown in the browser"
// asks. A measurement, not a test (a few minutes on two cores); run after
// scripts/build.sh:   node bench/faithful.mjs [--seeds 3]
import { openLab, runAll } from '../e2e/browser.mjs';

const at = process.argv.indexOf('--seeds');
const seeds = at > 0 ? Number(process.argv[at + 1]) : 3;
const lab = await openLab('');
try {
  const { page } = lab;
  await page.selectOption('[data-testid="preset-select"]', 'faithful');
  await page.selectOption('[data-testid="run-seeds"]', String(seeds));
  const t0 = Date.now();
  await runAll(page, 3_600_000);
  // Every row's cell shows the mean once all its seeds have run.
  await page.waitForFunction(
    (n) => [...document.querySelectorAll('[data-testid="result-measured"]')].every((c) => c.dataset.runs === String(n)),
    seeds,
    { timeout: 3_600_000, polling: 1000 },
  );
  const seconds = (Date.now() - t0) / 1000;
  const rows = await page.$$eval('[data-testid="result-row"]', (rs) =>
    rs.map((r) => [r.dataset.model, r.cells[1].textContent, r.querySelector('[data-testid="result-measured"]').textContent]),
  );
  console.log(`faithful Run all over ${seeds} seeds in the page: ${seconds.toFixed(0)} s`);
  console.log('| model | report | this browser | within ±5 points |\n|---|---|---|---|');
  for (const [model, report, measured] of rows) {
    const ref = Number.parseFloat(report);
    const mean = Number.parseFloat(measured);
    const within = Number.isFinite(ref) && Number.isFinite(mean) ? (Math.abs(mean - ref) <= 5 ? 'yes' : 'no') : '–';
    console.log(`| ${model} | ${report} | ${measured} | ${within} |`);
  }
} finally {
  await lab.close();
}
