// The run history view: the runs kept in IndexedDB (`history.js`) as a list
// (name, data set, key figure, status, time); pick several to overlay their
// cost curves in one chart and see how their configs differ; reopen one (its
// model answers the pad and the views again), rename, delete, export the
// list as JSON or CSV.
import { download } from '../context.js';
import uPlot from '../vendor/uPlot.esm.js';

const COLOURS = ['#2f6fde', '#d1495b', '#1b9e55', '#edae49', '#6c4f9e', '#00798c', '#8f2d56', '#30638e'];

/** A run's headline figure. */
export function keyFigure(/** @type {any} */ r) {
  if (!r) return '–';
  if (r.test_accuracy != null) return `${(r.test_accuracy * 100).toFixed(1)}%`;
  if (r.hash) return `bucket precision ${r.hash.bucket_precision.toFixed(3)}`;
  return r.recon_mse != null ? `MSE ${r.recon_mse.toFixed(4)}` : '–';
}

/** A config as flat "path → value" pairs (optim.lr, encoder, …). */
function flat(/** @type {any} */ config) {
  /** @type {Record<string, string>} */
  const out = {};
  for (const [k, v] of Object.entries(config ?? {})) {
    if (v && typeof v === 'object' && !Array.isArray(v)) for (const [k2, v2] of Object.entries(v)) out[`${k}.${k2}`] = JSON.stringify(v2);
    else out[k] = Array.isArray(v) ? v.map((l) => `${l.width} ${l.act}`).join(', ') || 'none' : JSON.stringify(v);
  }
  return out;
}

export class RunsView {
  /**
   * @param {any} history the store
   * @param {Record<string, any>} els body, note, chart, diff, json, csv
   * @param {(run: any) => Promise<void>} reopen makes a kept run current again
   */
  constructor(history, els, reopen) {
    this.history = history;
    this.els = els;
    this.reopen = reopen;
    /** @type {Set<number>} the runs picked for the overlay and the diff */
    this.picked = new Set();
    /** @type {any[]} */
    this.runs = [];
    els.json.addEventListener('click', () => this.download('json'));
    els.csv.addEventListener('click', () => this.download('csv'));
    // Said at once, before the store answers (it is asynchronous).
    this.els.body.innerHTML = '<tr><td colspan="7" class="muted">Reading the run history…</td></tr>';
    // Another tab's change, or a run whose tab is gone, shows here too.
    history.onChange = () => this.refresh();
    this.loaded = history
      .markInterrupted()
      .catch(() => {})
      .then(() => this.refresh());
  }

  /**
   * Keeps a run from its start, as running; resolves to its id, or null if
   * the history refused it (said).
   * @returns {Promise<number | null>}
   */
  async start(/** @type {any} */ run) {
    let id = null;
    try {
      id = await this.history.add(this.history.running(run));
    } catch (e) {
      this.say(`This run will not be kept: ${/** @type {Error} */ (e).message}.`, true);
    }
    await this.refresh();
    return id;
  }

  /** A running run's curves and log so far; a failure is left for its end to say. */
  async checkpoint(/** @type {Promise<number | null>} */ id, /** @type {any} */ fields) {
    const key = await id;
    if (key != null) await this.history.update(key, fields).catch(() => {});
  }

  /** A kept run's end: its status, and its results, curves, log and model when given. */
  async end(/** @type {Promise<number | null>} */ id, /** @type {any} */ patch) {
    const key = await id;
    if (key == null) return;
    try {
      await this.history.update(key, patch);
      this.say('');
    } catch (e) {
      this.say(`${/** @type {Error} */ (e).message}.`, true);
    }
    await this.refresh();
  }

  /** Keeps a run; a refusal (bound, quota) is said, and nothing kept is lost. */
  async add(/** @type {any} */ run) {
    try {
      await this.history.add(run);
      this.say('');
    } catch (e) {
      this.say(`This run was not kept: ${/** @type {Error} */ (e).message}.`, true);
    }
    await this.refresh();
  }

  say(/** @type {string} */ text, error = false) {
    this.els.note.textContent = text;
    this.els.note.classList.toggle('error', error);
  }

  async refresh() {
    try {
      this.runs = await this.history.all();
    } catch (e) {
      this.say(`The run history is not available in this browser: ${/** @type {Error} */ (e).message}.`, true);
      return;
    }
    const body = this.els.body;
    body.replaceChildren();
    if (!this.runs.length) {
      const tr = body.insertRow();
      const td = tr.insertCell();
      td.colSpan = 7;
      td.className = 'muted';
      td.textContent = 'No runs yet: every run you start is kept here, across reloads.';
    }
    for (const run of [...this.runs].reverse()) {
      const tr = body.insertRow();
      tr.dataset.testid = 'run-row';
      tr.dataset.id = String(run.id);
      tr.dataset.status = run.status ?? '';
      const pick = document.createElement('input');
      pick.type = 'checkbox';
      pick.checked = this.picked.has(run.id);
      pick.dataset.testid = 'run-pick';
      pick.setAttribute('aria-label', `pick ${run.name} for the overlay and the diff`);
      pick.addEventListener('change', () => {
        if (pick.checked) this.picked.add(run.id);
        else this.picked.delete(run.id);
        this.compare();
      });
      const name = document.createElement('input');
      name.value = run.name;
      name.dataset.testid = 'run-name';
      name.setAttribute('aria-label', 'run name');
      name.addEventListener('change', () => this.history.rename(run.id, name.value).then(() => this.refresh()));
      const open = document.createElement('button');
      open.textContent = 'Reopen';
      open.dataset.testid = 'run-open';
      open.disabled = !run.bytes;
      open.addEventListener('click', () => this.reopen(run));
      const del = document.createElement('button');
      del.textContent = 'Delete';
      del.dataset.testid = 'run-delete';
      del.addEventListener('click', async () => {
        await this.history.remove(run.id);
        this.picked.delete(run.id);
        await this.refresh();
      });
      const cells = [pick, name, run.data, keyFigure(run.results), run.status, new Date(run.at).toLocaleString(), [open, del]];
      for (const c of cells) {
        const td = tr.insertCell();
        if (Array.isArray(c)) td.append(...c);
        else if (c instanceof Node) td.append(c);
        else td.textContent = String(c);
      }
    }
    this.compare();
  }

  /** The picked runs' cost curves in one chart, and the settings that differ. */
  compare() {
    const runs = this.runs.filter((r) => this.picked.has(r.id));
    this.chart?.destroy();
    this.chart = null;
    this.els.diff.replaceChildren();
    if (!runs.length) return;
    const tables = runs.map((r) => [r.points?.[0] ?? [], r.points?.[1] ?? []]);
    const data = uPlot.join(/** @type {any} */ (tables));
    this.chart = new uPlot(
      {
        width: Math.max(240, Math.min(900, this.els.chart.clientWidth || 600)),
        height: 200,
        scales: { x: { time: false } },
        axes: [{ label: 'progress %' }, { label: 'cost' }],
        series: [
          { label: 'progress' },
          ...runs.map((r, i) => ({ label: r.name, stroke: COLOURS[i % COLOURS.length], width: 2, spanGaps: true })),
        ],
      },
      data,
      this.els.chart,
    );
    if (runs.length < 2) return;
    const flats = runs.map((r) => flat(r.config));
    const keys = [...new Set(flats.flatMap((f) => Object.keys(f)))].filter((k) => k !== 'name' && new Set(flats.map((f) => f[k])).size > 1);
    const table = document.createElement('table');
    table.dataset.testid = 'run-diff';
    const head = table.createTHead().insertRow();
    for (const h of ['setting', ...runs.map((r) => r.name)]) head.insertCell().textContent = h;
    const tbody = table.createTBody();
    for (const k of keys) {
      const tr = tbody.insertRow();
      tr.insertCell().textContent = k;
      for (const f of flats) tr.insertCell().textContent = f[k] ?? '–';
    }
    if (!keys.length) tbody.insertRow().insertCell().textContent = 'the picked runs have the same settings';
    this.els.diff.append(table);
  }

  download(/** @type {'json' | 'csv'} */ kind) {
    const rows = this.runs.map((r) => ({
      id: r.id,
      name: r.name,
      data: r.data,
      status: r.status,
      at: new Date(r.at).toISOString(),
      figure: keyFigure(r.results),
      seed: r.seed,
      results: r.results,
      config: r.config,
    }));
    let text;
    if (kind === 'json') text = JSON.stringify(rows, null, 1);
    else {
      const cols = ['id', 'name', 'data', 'status', 'at', 'figure', 'seed'];
      const q = (/** @type {any} */ v) => `"${String(v ?? '').replaceAll('"', '""')}"`;
      text = [cols.join(','), ...rows.map((r) => cols.map((c) => q(/** @type {any} */ (r)[c])).join(','))].join('\n');
    }
    download(`aelab-runs.${kind}`, text, kind === 'json' ? 'application/json' : 'text/csv');
  }
}
