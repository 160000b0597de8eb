/* Painting the network's numbers into canvases, cheaply: feature maps in grey (0 black, the scale's
 * strongest white) into reused ImageData buffers; 3x3 kernels in a diverging palette (purple: a negative
 * weight, grey: about zero, orange: a positive one; dark purple to light orange, so that the sign
 * reads in lightness too: colour-blind safe, and on a light or a dark page alike). Used by the
 * element's layers view (layers-view.js) and by the model card (js/card/layers.js). */

/** A reusable w x h ImageData, opaque: painting writes only its grey. */
export function greyImage(context, width, height) {
  const image = context.createImageData(width, height);
  for (let i = 3; i < image.data.length; i += 4) image.data[i] = 255;
  return image;
}

/** Writes `count` values of `data` from `offset`, times `scale` (255 / the strongest value), as grey
 * into `image` (greyImage): the clamped array rounds and clamps. */
export function paintGrey(image, data, offset, count, scale) {
  const pixels = image.data;
  for (let i = 0, j = 0; i < count; i++, j += 4) {
    const v = data[offset + i] * scale;
    pixels[j] = v;
    pixels[j + 1] = v;
    pixels[j + 2] = v;
  }
}

/** The largest of `count` values of `data` from `offset` (0 when none is above zero). */
export function peakOf(data, offset = 0, count = data.length - offset) {
  let peak = 0;
  for (let i = offset; i < offset + count; i++) if (data[i] > peak) peak = data[i];
  return peak;
}

const NEGATIVE = [84, 39, 136]; // PuOr's dark purple
const ZERO = [128, 128, 128];
const POSITIVE = [253, 184, 99]; // PuOr's light orange

/** The colour of a weight `t` in [-1, 1], into `pixels` at `j` (opaque). */
function kernelColour(t, pixels, j) {
  const end = t < 0 ? NEGATIVE : POSITIVE;
  const a = Math.min(1, Math.abs(t));
  for (let c = 0; c < 3; c++) pixels[j + c] = ZERO[c] + a * (end[c] - ZERO[c]);
  pixels[j + 3] = 255;
}

/** How a grid of `count` 3x3 kernels is laid out: {columns, rows, width, height} in pixels, one
 * transparent pixel between kernels. */
export function kernelGrid(count) {
  const columns = Math.ceil(Math.sqrt(count * 1.5)); // wider than tall, as a page is
  const rows = Math.ceil(count / columns);
  return { columns: Math.min(columns, count), rows, width: Math.min(columns, count) * 4 - 1, height: rows * 4 - 1 };
}

/**
 * Draws `count` 3x3 kernels (`data` from `offset`: count * 9 weights, kernel after kernel, row by row)
 * into `canvas` as a grid (kernelGrid), all scaled by their largest absolute weight; sizes the canvas.
 * Returns that weight.
 */
export function drawKernels(canvas, data, offset, count) {
  const grid = kernelGrid(count);
  canvas.width = grid.width;
  canvas.height = grid.height;
  const context = canvas.getContext("2d");
  const image = context.createImageData(grid.width, grid.height); // transparent between kernels
  let largest = 0;
  for (let i = offset; i < offset + count * 9; i++) largest = Math.max(largest, Math.abs(data[i]));
  const scale = largest > 0 ? 1 / largest : 0;
  for (let k = 0; k < count; k++) {
    const x0 = (k % grid.columns) * 4;
    const y0 = Math.floor(k / grid.columns) * 4;
    for (let i = 0; i < 9; i++) {
      const j = 4 * ((y0 + Math.floor(i / 3)) * grid.width + x0 + (i % 3));
      kernelColour(data[offset + 9 * k + i] * scale, image.data, j);
    }
  }
  context.putImageData(image, 0, 0);
  return largest;
}
