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

/** Paints a whole canvas one colour (black: an empty digit area). */
export function blank(canvas, colour = '#000') {
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
