// Links that restore a setup: the address bar's hash follows every edit of
// the data set, model, preset and settings (`state.js`); opening a link
// applies it — after the engine has checked the config it describes — and
// says so, or refuses it with a message and keeps the defaults. "Copy link"
// puts the address on the clipboard.
import { linkHash, parseLink } from '../state.js';

export class LinkView {
  /**
   * @param {import('../context.js').Context} ctx
   * @param {any} training the experiment view (model, preset, settings)
   * @param {any} dataset the data picker
   * @param {Record<string, any>} els copy (button), note, field (a read-only input with the link),
   *   views (the header's nav of view links)
   */
  constructor(ctx, training, dataset, els) {
    this.ctx = ctx;
    this.training = training;
    this.dataset = dataset;
    this.els = els;
    const t = training.els;
    for (const el of [t.model, t.preset, dataset.els.select]) el.addEventListener('change', () => setTimeout(() => this.write(), 0));
    t.settings.addEventListener('input', () => this.write());
    t.settings.addEventListener('change', () => this.write());
    t.settings.addEventListener('click', () => setTimeout(() => this.write(), 0)); // "new seed"
    els.copy.addEventListener('click', () => this.copy());
    // The header's view links scroll to their view and leave the hash,
    // which holds the setup, as it is.
    for (const a of els.views?.querySelectorAll('a[href^="#"]') ?? []) {
      a.addEventListener('click', (/** @type {MouseEvent} */ e) => {
        const view = document.getElementById(a.getAttribute('href').slice(1));
        if (!view) return;
        e.preventDefault();
        view.scrollIntoView({ block: 'start' });
        if (!view.hasAttribute('tabindex')) view.tabIndex = -1;
        view.focus({ preventScroll: true });
      });
    }
  }

  /** The setup as the controls show it now. */
  setup() {
    const t = this.training.els;
    return { data: this.dataset.current.id, model: t.model.value, preset: t.preset.value, settings: this.training.settings.edits() };
  }

  /** Rewrites the address bar's hash (no reload, no history entry per keystroke). */
  write() {
    history.replaceState(null, '', linkHash(this.setup()));
    this.els.field.value = location.href;
  }

  /**
   * Applies the link the page was opened with, if any; a refused link
   * leaves every control at its default and says why.
   */
  async restore() {
    const anchor = location.hash.length > 1 && !location.hash.includes('=') && document.getElementById(location.hash.slice(1));
    if (location.hash.length < 2 || anchor) {
      // No setup, or a view's anchor (a bookmark of one): the defaults.
      this.write();
      if (anchor) anchor.scrollIntoView({ block: 'start' });
      return;
    }
    const t = this.training;
    const before = { model: t.els.model.value, preset: t.els.preset.value };
    let s;
    try {
      s = parseLink(location.hash, {
        datasets: this.dataset.sets.map((/** @type {any} */ d) => d.id),
        models: t.experiments.map((/** @type {any} */ e) => e.name),
        settings: t.settings.keys(),
      });
      t.els.model.value = s.model;
      t.els.preset.value = s.preset;
      // The link's settings are edits of the preset for its own data set.
      const target = this.dataset.sets.find((/** @type {any} */ d) => d.id === s.data);
      t.loadPreset(target?.digits ?? this.ctx.dataset.digits);
      t.settings.setValues(s.settings);
      // What Start would send, checked by the engine now: a value out of
      // range is refused here, naming its field.
      this.ctx.engine.checkConfig(t.settings.read());
    } catch (e) {
      t.els.model.value = before.model;
      t.els.preset.value = before.preset;
      t.loadPreset();
      const err = /** @type {any} */ (e);
      const msg = err.message.startsWith("This link's")
        ? err.message
        : `This link's setup was refused: ${err.message}; the defaults are kept.`;
      this.say(msg, true);
      this.write();
      return;
    }
    if (s.data !== this.dataset.current.id) await this.dataset.pick(s.data);
    const edited = Object.keys(s.settings).filter((k) => k !== 'seed');
    this.say(
      `Restored the setup from the link: ${s.model}, preset ${s.preset}, ${this.dataset.current.name}, seed ${t.settings.values().seed}${edited.length ? `, edited: ${edited.join(', ')}` : ''}. Press Start to run it.`,
      false,
    );
    this.write();
  }

  say(/** @type {string} */ text, /** @type {boolean} */ error) {
    this.els.note.textContent = text;
    this.els.note.classList.toggle('error', error);
    this.els.note.dataset.state = error ? 'refused' : 'restored';
  }

  async copy() {
    this.write();
    try {
      await navigator.clipboard.writeText(location.href);
      this.els.copy.textContent = 'Link copied';
    } catch {
      // No clipboard permission: the link is shown, selected, to copy by hand.
      this.els.field.hidden = false;
      this.els.field.select();
    }
  }
}
