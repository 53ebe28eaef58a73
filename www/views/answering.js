// Which model answers the drawing pad and the views, and how it was
// trained: one line above the pad, with the details a click away.
import { keyFigure } from './runs.js';

/** How a model was trained, in a line: its parts, its epochs, its data. */
function howTrained(/** @type {any} */ c, /** @type {any} */ r) {
  const layers = (/** @type {any[]} */ ls) => ls.map((l) => l.width).join('-');
  const parts = [
    c.encoder.length ? `encoder ${layers(c.encoder)}` : 'no encoder',
    c.decoder.length ? 'a decoder' : 'no decoder',
    c.head ? 'a classifier' : 'no classifier',
  ];
  if (c.index || (c.decoder.length && !c.head)) parts.push('a hash index');
  const labels = c.label_fraction >= 1 ? 'every training label' : `${(c.label_fraction * 100).toFixed(0)}% of the labels`;
  return `${parts.join(', ')}; ${c.ae_epochs} autoencode + ${c.sup_epochs} supervised epochs on ${r.train_size.toLocaleString()} images with ${labels}, seed ${c.seed}`;
}

export class AnsweringView {
  /** @param {Record<string, any>} els line (the answering line), how (the details) */
  constructor(els) {
    this.els = els;
  }

  say(/** @type {string} */ text) {
    this.els.line.textContent = text;
  }

  training(/** @type {any} */ config) {
    this.say(`Training ${config.name}… the drawing pad answers with it as it learns.`);
  }

  /** A finished run or evaluated model now answers. */
  answered(/** @type {any} */ config, /** @type {any} */ r, /** @type {string} */ label) {
    const figure = r.test_accuracy != null ? `test accuracy ${keyFigure(r)}` : keyFigure(r);
    this.say(`Answering: ${label} · ${figure} · the next Start replaces it.`);
    this.els.line.title = `How it was trained: ${howTrained(config, r)}.`;
    this.els.how.textContent = this.els.line.title;
    this.els.line.dataset.model = config.name;
  }

  none() {
    this.say('No model: press Start to train one.');
    delete this.els.line.dataset.model;
  }
}
