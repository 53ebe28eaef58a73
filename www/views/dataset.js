// The data picker: the built-in data sets (a 10k subset of each, made at
// build time) and a person's own IDX files (images and labels, raw or .gz,
// opened or dropped on the page). The engine validates; a refusal is said
// next to the picker and leaves the current data and model as they were.

/** The IDX magic: two zero bytes, 0x08 (unsigned bytes), then the number of dimensions. */
const dims = (/** @type {Uint8Array} */ b) => (b.length >= 4 && b[0] === 0 && b[1] === 0 && b[2] === 8 ? b[3] : 0);

/**
 * A file's bytes, gunzipped by the browser when it is gzip (the engine
 * carries no inflater), read only up to `limit` bytes: a longer file, or a
 * gzip that inflates past it, is refused as too large without reading (or
 * inflating) the rest, so a gzip bomb costs a moment, not the tab's memory.
 * @param {File} file
 * @param {number} limit
 */
export async function fileBytes(file, limit) {
  const tooLarge = new Error(
    `${file.name}: too large: a file may hold at most ${(limit / 1e6).toFixed(1)} MB of images or labels, once unzipped`,
  );
  const head = new Uint8Array(await file.slice(0, 2).arrayBuffer());
  if (head[0] !== 0x1f || head[1] !== 0x8b) {
    if (file.size > limit) throw tooLarge;
    return new Uint8Array(await file.arrayBuffer());
  }
  const reader = file.stream().pipeThrough(new DecompressionStream('gzip')).getReader();
  /** @type {Uint8Array[]} */
  const chunks = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > limit) break;
      chunks.push(value);
    }
  } catch (e) {
    throw new Error(`${file.name}: the gzip data is damaged or cut short (${e.message})`);
  }
  if (total > limit) {
    await reader.cancel();
    throw tooLarge;
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

export class DatasetView {
  /**
   * @param {import('../context.js').Context} ctx
   * @param {Record<string, any>} els select, files, drop, error, note
   * @param {(info: any, file: Uint8Array) => void} onChange called after the data changed, with it as a page data file
   */
  constructor(ctx, els, onChange) {
    this.ctx = ctx;
    this.els = els;
    this.onChange = onChange;
    this.sets = ctx.engine.datasets();
    for (const d of this.sets) els.select.add(new Option(d.name, d.id));
    els.select.add(new Option('your own IDX files…', 'own'));
    /** The data set the lab holds now. */
    this.current = { ...this.sets[0] };
    els.select.addEventListener('change', () => this.pick(els.select.value));
    els.files.addEventListener('change', async () => {
      await this.own([...els.files.files]);
      els.files.value = '';
    });
    els.drop.addEventListener('dragover', (/** @type {DragEvent} */ e) => e.preventDefault());
    els.drop.addEventListener('drop', (/** @type {DragEvent} */ e) => {
      e.preventDefault();
      this.own([...(e.dataTransfer?.files ?? [])]);
    });
    this.say('');
  }

  say(/** @type {string} */ error) {
    this.els.error.textContent = error;
    this.els.error.hidden = !error;
    const d = this.current;
    this.els.note.textContent = `${d.name}: ${this.ctx.lab.count().toLocaleString()} images (${d.source}); classes ${d.classes.join(', ')}.`;
  }

  /** Loads a built-in data set, or opens the file picker for one's own. */
  async pick(/** @type {string} */ id) {
    if (id === 'own') {
      this.els.select.value = this.current.id;
      this.els.files.click();
      return;
    }
    const d = this.sets.find((/** @type {any} */ s) => s.id === id);
    let bytes;
    try {
      const r = await fetch(`data/${d.file}`);
      if (!r.ok) throw new Error(`${d.file} did not load (HTTP ${r.status}); run scripts/build.sh`);
      bytes = new Uint8Array(await r.arrayBuffer());
      this.ctx.lab.setData(bytes);
    } catch (e) {
      this.els.select.value = this.current.id;
      this.say(`${d.name}: ${e.message}`);
      return;
    }
    this.current = { ...d };
    this.els.select.value = d.id; // also when picked by a link, not the select
    this.changed(bytes);
  }

  /** A person's own images and labels files (any order, raw or .gz). */
  async own(/** @type {File[]} */ files) {
    if (!files.length) return;
    const names = files.map((f) => f.name).join(' + ');
    try {
      if (files.length !== 2) throw new Error(`pick two files, the images and the labels (IDX, raw or .gz); got ${files.length}`);
      // An images file of the most images the page takes (IDX: a 16-byte header, 28×28 bytes each).
      const limit = 16 + this.ctx.engine.maxOwnImages() * 784;
      const parts = await Promise.all(files.map((f) => fileBytes(f, limit)));
      // Images have 3 dimensions, labels 1: the order files come in does not matter.
      const [images, labels] = dims(parts[0]) === 1 ? [parts[1], parts[0]] : parts;
      this.ctx.lab.loadIdx(images, labels);
    } catch (e) {
      this.els.select.value = this.current.id;
      this.say(`${names}: ${e.message}`);
      return;
    }
    this.current = {
      id: 'own',
      name: 'your own IDX files',
      source: names,
      digits: false,
      classes: Array.from({ length: 10 }, (_, i) => `class ${i}`),
    };
    this.els.select.value = 'own';
    this.changed(this.ctx.lab.dataFile());
  }

  /** @param {Uint8Array} file the loaded data as a page data file */
  changed(file) {
    this.say('');
    document.body.dataset.dataset = this.current.id;
    this.onChange(this.current, file);
  }
}
