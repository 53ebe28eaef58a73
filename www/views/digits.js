// Drawing 28×28 digits on canvases: the one place that turns pixels into
// image data, used by every view that shows digits.

/** @type {OffscreenCanvas | undefined} the 28×28 canvas a scaled digit is drawn through */
let scratch;

/** Draws one digit (784 values, 0..255 bytes or 0..1 floats) at (x, y), scaled. */
export function drawDigit(ctx, pixels, x, y, scale = 2) {
  const unit = pixels instanceof Float32Array || pixels instanceof Float64Array;
  const img = ctx.createImageData(28, 28);
  for (let i = 0; i < 784; i++) {
    const v = unit ? Math.round(Math.min(1, Math.max(0, pixels[i])) * 255) : pixels[i];
    img.data[4 * i] = img.data[4 * i + 1] = img.data[4 * i + 2] = v;
    img.data[4 * i + 3] = 255;
  }
  if (scale === 1) {
    ctx.putImageData(img, x, y);
    return;
  }
  scratch ??= new OffscreenCanvas(28, 28);
  const tmp = scratch;
  tmp.getContext('2d').putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(tmp, x, y, 28 * scale, 28 * scale);
}

/** Paints a whole canvas one colour (black: the ground digits are drawn on). */
export function blank(canvas, colour = '#000') {
  canvas.dataset.empty = 'false';
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = colour;
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  return ctx;
}

/** Fills a canvas with a grid of digits: getPixels(i) for i = 0, 1, ... */
export function drawGrid(canvas, getPixels, count, scale = 2) {
  const ctx = blank(canvas);
  const size = 28 * scale;
  const cols = Math.floor(canvas.width / size);
  const rows = Math.floor(canvas.height / size);
  for (let i = 0; i < Math.min(count, cols * rows); i++) {
    drawDigit(ctx, getPixels(i), (i % cols) * size, Math.floor(i / cols) * size, scale);
  }
}

/**
 * An empty view says what will appear in it and what to do, instead of
 * being a black rectangle: the text is drawn on a light ground (wrapped to
 * the canvas) and set as the canvas's title; `data-empty` marks the state.
 * @param {HTMLCanvasElement} canvas
 * @param {string} text
 */
export function placeholder(canvas, text) {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.fillStyle = '#eef1f5';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  const size = Math.max(9, Math.min(15, Math.floor(canvas.height / 5)));
  ctx.font = `${size}px system-ui, sans-serif`;
  ctx.fillStyle = '#4a5262';
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  const lines = [];
  let line = '';
  for (const word of text.split(' ')) {
    const next = line ? `${line} ${word}` : word;
    if (line && ctx.measureText(next).width > canvas.width - 12) {
      lines.push(line);
      line = word;
    } else line = next;
  }
  lines.push(line);
  const shown = lines.slice(0, Math.max(1, Math.floor((canvas.height - 4) / (size * 1.3))));
  shown.forEach((l, i) => {
    ctx.fillText(l, canvas.width / 2, canvas.height / 2 + (i - (shown.length - 1) / 2) * size * 1.3);
  });
  ctx.textAlign = 'start';
  ctx.textBaseline = 'alphabetic';
  canvas.dataset.empty = 'true';
  canvas.title = text;
}

/**
 * The test digit a number input names, clamped to the run's test part (the
 * input is corrected to it), as a 0..1 image the engine's queries take.
 * @param {any} lab
 * @param {HTMLInputElement} input
 */
export function pickTestDigit(lab, input) {
  const n = lab.testLabels().length;
  const i = Math.min(Math.max(0, Math.floor(Number(input.value) || 0)), n - 1);
  input.value = String(i);
  input.max = String(n - 1);
  return Float32Array.from(lab.testDigit(i), (/** @type {number} */ v) => v / 255);
}
