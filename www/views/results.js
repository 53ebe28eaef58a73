// The results table: one row per reference model, the reference's figure
// beside the one this browser just measured, and a copy-as-markdown button.

const pct = (v) => (v == null ? '–' : `${(v * 100).toFixed(1)}%`);

export function measured(r) {
  if (r.test_accuracy != null) return pct(r.test_accuracy);
  if (r.hash) return `bucket precision ${r.hash.bucket_precision.toFixed(3)}, mAP ${r.hash.map.toFixed(3)}`;
  return '–';
}

export class ResultsView {
  constructor(experiments, { body, copy, markdown }) {
    this.body = body;
    this.markdown = markdown;
    this.rows = new Map();
    for (const e of experiments) {
      const tr = document.createElement('tr');
      tr.dataset.testid = 'result-row';
      tr.dataset.model = e.name;
      tr.innerHTML = `<td></td><td></td><td data-testid="result-measured">–</td><td data-testid="result-preset"></td><td data-testid="result-time"></td>`;
      tr.cells[0].textContent = e.name;
      tr.cells[1].textContent = e.reference_accuracy == null ? '– (pictures only)' : pct(e.reference_accuracy);
      body.append(tr);
      this.rows.set(e.name, { tr, e });
    }
    copy.addEventListener('click', () => this.copy());
  }

  record(results, preset) {
    const row = this.rows.get(results.model);
    if (!row) return; // a custom run
    const [, , m, p, t] = row.tr.cells;
    m.textContent = measured(results);
    m.dataset.value = results.test_accuracy ?? results.hash?.bucket_precision ?? '';
    p.textContent = preset;
    t.textContent = `${results.seconds.toFixed(1)} s`;
  }

  toMarkdown() {
    const lines = ['| model | reference | this browser | preset | time |', '|---|---|---|---|---|'];
    for (const { tr } of this.rows.values()) lines.push(`| ${[...tr.cells].map((c) => c.textContent).join(' | ')} |`);
    lines.push('', 'This browser: 10k MNIST subset, 8,000 train / 2,000 test, 1% = 80 labels. Reference: 48,000 / 9,000, 480 labels.');
    return lines.join('\n');
  }

  async copy() {
    const md = this.toMarkdown();
    this.markdown.value = md;
    this.markdown.hidden = false;
    try {
      await navigator.clipboard.writeText(md);
    } catch {
      // No clipboard permission: the text is shown, selected, to copy by hand.
      this.markdown.select();
    }
  }
}
