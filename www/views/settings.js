// The settings form: shows a config object as editable fields and reads it
// back. Layer lists are written like "64 relu, 10 linear".

const FIELDS = [
  ['encoder', 'encoder layers', 'layers'],
  ['decoder', 'decoder layers', 'layers'],
  ['head', 'classifier hidden layers ("none": no classifier)', 'head'],
  ['ae_epochs', 'autoencode epochs', 'int'],
  ['sup_epochs', 'supervised epochs', 'int'],
  ['lr', 'learning rate', 'float'],
  ['batch', 'batch size', 'int'],
  ['label_fraction', 'label fraction', 'float'],
  ['denoise', 'denoising noise (std, 0..1 scale)', 'float'],
  ['code_noise', 'code noise (std)', 'float'],
  ['shift', 'random shift (pixels)', 'int'],
  ['seed', 'seed', 'int'],
  ['deskew', 'deskew (digits)', 'bool'],
  ['propagate', 'propagate labels', 'bool'],
  ['linear_vote', "softmax regression's vote in the propagated labels (0..0.99)", 'float'],
  ['centre_graph', 'k-NN graph on centred images', 'bool'],
  ['freeze_encoder', 'freeze encoder', 'bool'],
  ['balanced_bits', 'balanced hash bits', 'bool'],
  ['graph_weight', 'graph term weight', 'float'],
];

/** A decimal number as a person types it: no hex, no Infinity, no NaN. */
const NUMBER = /^\s*[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?\s*$/i;
/** The engine's whole numbers are 32-bit. */
const MAX_INT = 2 ** 32 - 1;

/** An Error that names the setting at fault, as the engine's refusals do. */
function fieldError(/** @type {string} */ field, /** @type {string} */ message) {
  return Object.assign(new Error(message), { field });
}

const layersToText = (ls) => (ls?.length ? ls.map((l) => `${l.width} ${l.act}`).join(', ') : '');

function textToLayers(/** @type {string} */ text, /** @type {string} */ what) {
  const t = text.trim();
  if (!t) return [];
  return t.split(',').map((part) => {
    const m = part.trim().match(/^(\d+)\s*(relu|sigmoid|tanh|linear)?$/i);
    if (!m) throw fieldError(what, `${what}: "${part.trim()}" is not "width activation", e.g. "64 relu"`);
    return { width: Number(m[1]), act: (m[2] ?? 'relu').toLowerCase() };
  });
}

/** A config field's path, as the engine names it ("optim.lr", "encoder[0].width") → the form's key. */
function formKey(/** @type {string} */ path) {
  const top = path.split(/[.[]/)[0];
  return top === 'optim' ? (path.split('.').pop() ?? top) : top;
}

export class SettingsForm {
  /**
   * @param {HTMLFormElement} form
   * @param {() => number} freshSeed a seed from the platform's entropy
   */
  constructor(form, freshSeed) {
    this.form = form;
    /** @type {Record<string, [HTMLInputElement, string, HTMLElement]>} */
    this.inputs = {};
    for (const [key, label, kind] of FIELDS) {
      const l = document.createElement('label');
      l.textContent = label;
      const input = document.createElement('input');
      input.name = key;
      input.dataset.testid = `setting-${key}`;
      if (kind === 'bool') input.type = 'checkbox';
      else if (kind === 'int' || kind === 'float') {
        input.type = 'number';
        input.step = kind === 'int' ? '1' : 'any';
      }
      l.append(input);
      if (key === 'seed') {
        const again = document.createElement('button');
        again.type = 'button';
        again.textContent = 'new seed';
        again.dataset.testid = 'new-seed';
        again.addEventListener('click', () => {
          input.value = String(freshSeed());
        });
        l.append(again);
      }
      // Where a refusal of this setting is said.
      const error = document.createElement('span');
      error.className = 'field-error';
      error.dataset.testid = `setting-${key}-error`;
      error.setAttribute('role', 'alert');
      error.hidden = true;
      l.append(error);
      form.append(l);
      this.inputs[key] = [input, kind, error];
    }
    form.addEventListener('submit', (e) => e.preventDefault());
  }

  /** Shows `message` next to the control of config field `path`; false when no control has it. */
  showError(/** @type {string | undefined} */ path, /** @type {string} */ message) {
    const entry = path ? this.inputs[formKey(path)] : undefined;
    if (!entry) return false;
    const [input, , error] = entry;
    error.textContent = message;
    error.hidden = false;
    input.setAttribute('aria-invalid', 'true');
    const box = this.form.closest('details');
    if (box) box.open = true;
    return true;
  }

  clearErrors() {
    for (const [input, , error] of Object.values(this.inputs)) {
      error.hidden = true;
      error.textContent = '';
      input.removeAttribute('aria-invalid');
    }
  }

  /** The form's keys, in order. */
  keys() {
    return Object.keys(this.inputs);
  }

  /** Every control's value as text (a checkbox as "true" / "false"). */
  values() {
    /** @type {Record<string, string>} */
    const out = {};
    for (const [key, [input, kind]] of Object.entries(this.inputs)) out[key] = kind === 'bool' ? String(input.checked) : input.value;
    return out;
  }

  /** The values that differ from the preset shown last, and the seed. */
  edits() {
    const now = this.values();
    return Object.fromEntries(Object.entries(now).filter(([k, v]) => k === 'seed' || v !== this.shown?.[k]));
  }

  /** Sets controls from text values (as `values` gives them). */
  setValues(/** @type {Record<string, string>} */ values) {
    for (const [key, v] of Object.entries(values)) {
      const [input, kind] = this.inputs[key];
      if (kind === 'bool') {
        if (v !== 'true' && v !== 'false') throw fieldError(key, `${key}: "${v}" is not true or false`);
        input.checked = v === 'true';
      } else if ((kind === 'int' || kind === 'float') && !NUMBER.test(v)) {
        // A number input would drop the text and report "" instead.
        throw fieldError(key, `${key}: "${v}" is not a number`);
      } else input.value = v;
    }
  }

  /** @param {any} config */
  show(config) {
    this.clearErrors();
    this.base = config;
    for (const [key, [input, kind]] of Object.entries(this.inputs)) {
      const v = key === 'lr' ? config.optim.lr : config[key];
      if (kind === 'bool') input.checked = !!v;
      else if (kind === 'layers') input.value = layersToText(v);
      else if (kind === 'head') input.value = v == null ? 'none' : layersToText(v);
      else input.value = v;
    }
    this.shown = this.values();
  }

  /** The config the form describes; throws an Error naming a bad field. */
  read() {
    const c = structuredClone(this.base);
    for (const [key, [input, kind]] of Object.entries(this.inputs)) {
      if (kind === 'bool') c[key] = input.checked;
      else if (kind === 'layers') c[key] = textToLayers(input.value, key);
      else if (kind === 'head') c.head = input.value.trim() === 'none' ? null : textToLayers(input.value, 'head');
      else {
        const v = Number(input.value);
        if (input.value.trim() === '' || Number.isNaN(v)) throw fieldError(key, `${key}: "${input.value}" is not a number`);
        if (kind === 'int' && (!Number.isInteger(v) || v < 0)) throw fieldError(key, `${key}: ${v} is not a whole number ≥ 0`);
        if (kind === 'int' && v > MAX_INT)
          throw fieldError(key, `${key}: ${v} is out of range; expected a whole number from 0 to ${MAX_INT}`);
        if (key === 'lr') c.optim.lr = v;
        else c[key] = v;
      }
    }
    return c;
  }
}
