// The setup as a link: data set, model, preset, seed and every edited
// setting live in the URL's hash (TensorFlow Playground's state.ts is the
// model), rewritten as the person edits, so the address bar is always a link
// that restores exactly this setup. A link is outside input: `parseLink`
// refuses what it does not know, or a key given twice, and the page then
// keeps its defaults.

/** The keys a link may carry besides the settings form's own. */
const SETUP_KEYS = ['data', 'model', 'preset'];
const PRESETS = ['best', 'faithful'];

/**
 * The link's hash for a setup: `data`, `model`, `preset`, then the settings
 * that differ from the preset's (the seed always), in a fixed order.
 * @param {{ data: string, model: string, preset: string, settings: Record<string, string> }} setup
 */
export function linkHash(setup) {
  const p = new URLSearchParams();
  p.set('data', setup.data);
  p.set('model', setup.model);
  p.set('preset', setup.preset);
  for (const [k, v] of Object.entries(setup.settings)) p.set(k, v);
  return `#${p.toString()}`;
}

/**
 * Reads a link's hash against what the page offers; returns the setup or
 * throws an Error naming the first value it refuses.
 * @param {string} hash
 * @param {{ datasets: string[], models: string[], settings: string[] }} offered
 */
export function parseLink(hash, offered) {
  const p = new URLSearchParams(hash.replace(/^#/, ''));
  const refuse = (/** @type {string} */ msg) => {
    throw new Error(`This link's setup was refused: ${msg}; the defaults are kept.`);
  };
  const seen = new Set();
  for (const k of p.keys()) {
    if (!SETUP_KEYS.includes(k) && !offered.settings.includes(k)) refuse(`it names "${k}", which is not a setting`);
    if (seen.has(k)) refuse(`it gives "${k}" twice`);
    seen.add(k);
  }
  const data = p.get('data') ?? 'mnist';
  if (!offered.datasets.includes(data))
    refuse(
      data === 'own'
        ? "one's own data files cannot travel in a link"
        : `data set "${data}" does not exist (expected ${offered.datasets.join(' or ')})`,
    );
  const model = p.get('model') ?? offered.models[0];
  if (!offered.models.includes(model)) refuse(`model "${model}" does not exist`);
  const preset = p.get('preset') ?? 'best';
  if (!PRESETS.includes(preset)) refuse(`preset "${preset}" does not exist (expected best or faithful)`);
  /** @type {Record<string, string>} */
  const settings = {};
  for (const [k, v] of p) if (!SETUP_KEYS.includes(k)) settings[k] = v;
  return { data, model, preset, settings };
}
