/* The ink bitmap: the one rendering of strokes that preprocessing receives. Pure canvas
 * drawing, no DOM: the pad (pad.js) draws a drawing with it on the page, and the Python
 * worker (py/worker.py, Number mode) draws each digit of a number with it on an
 * OffscreenCanvas, so a digit's pixels come from the very same code wherever it is drawn. */

import { PEN } from "./contract.js"; // train/contract.json, written as a module by build.py

/** The rendering parameters, the pen's from the contract; also exposed on #pad as data-* attributes. */
export const INK_BITMAP = Object.freeze({
  size: PEN.bitmap_size, // side of the square ink bitmap, in pixels (Digit mode)…
  width: PEN.bitmap_size, // …its width…
  height: PEN.bitmap_size, // …and height
  lineWidth: PEN.line_width, // the visible pen's diameter, in bitmap pixels
  widthRatio: PEN.ink_width_ratio, // the ink bitmap's pen: this fraction of the drawing's extent…
  minWidth: PEN.min_ink_width, // …and at least this many bitmap pixels (train/render.py ink_width)
  ink: "#000000", // opaque black ink…
  paper: "#ffffff", // …on opaque white paper
  lineCap: "round",
  lineJoin: "round",
});

/** Number mode's ink bitmap: wider (train/numbers.py), as high as Digit mode's. */
export const NUMBER_BITMAP = Object.freeze({ ...INK_BITMAP, width: PEN.number_bitmap_width });

/** {left, top, right, bottom} of the strokes' points (left > right when there are none). */
function bounds(strokes) {
  let left = Infinity, top = Infinity, right = -Infinity, bottom = -Infinity;
  for (const points of strokes) {
    for (const [px, py] of points) {
      left = Math.min(left, px); right = Math.max(right, px);
      top = Math.min(top, py); bottom = Math.max(bottom, py);
    }
  }
  return { left, top, right, bottom };
}

/** The ink bitmap's pen width for these strokes: train/render.py ink_width, to the last bit. */
export function inkWidth(strokes, style = INK_BITMAP) {
  const { left, top, right, bottom } = bounds(strokes);
  if (left > right) return style.minWidth;
  return Math.max(style.minWidth, style.widthRatio * Math.max(right - left, bottom - top));
}

/**
 * The part of the ink bitmap that holds every inked pixel: the strokes' points grown by
 * the pen's radius and a margin for anti-aliasing. Everything outside it, its own border
 * included, is blank paper, so preprocessing this region gives exactly what it gives for
 * the whole bitmap, at a fraction of the pixels to read, send to Python and scan.
 */
export function inkRegion(strokes, lineWidth, style = INK_BITMAP) {
  const reach = Math.ceil(lineWidth / 2) + 2;
  const { left, top, right, bottom } = bounds(strokes);
  const whole = { x: 0, y: 0, width: style.width, height: style.height };
  if (left > right) return whole;
  const x = Math.floor(left) - reach, y = Math.floor(top) - reach;
  const width = Math.ceil(right) + reach + 1 - x, height = Math.ceil(bottom) + reach + 1 - y;
  // Ink at the bitmap's edge: the whole bitmap, whose border then tells the paper as before.
  if (x < 0 || y < 0 || x + width > style.width || y + height > style.height) return whole;
  return { x, y, width, height };
}

/** Draws strokes (arrays of [x, y] in bitmap space) as round polylines `lineWidth` wide; one point is a dot. */
export function drawStrokes(ctx, strokes, lineWidth, style = INK_BITMAP) {
  ctx.fillStyle = style.paper;
  ctx.fillRect(0, 0, style.width, style.height);
  drawStrokesOver(ctx, strokes, lineWidth, style);
}

/** drawStrokes without the paper: over what `ctx` holds (strokes drawn before, in order, give the same pixels). */
export function drawStrokesOver(ctx, strokes, lineWidth, style = INK_BITMAP) {
  ctx.strokeStyle = style.ink;
  ctx.fillStyle = style.ink;
  ctx.lineWidth = lineWidth;
  ctx.lineCap = style.lineCap;
  ctx.lineJoin = style.lineJoin;
  for (const points of strokes) {
    if (points.length === 0) continue;
    const [x0, y0] = points[0];
    if (points.length === 1) {
      ctx.beginPath();
      ctx.arc(x0, y0, lineWidth / 2, 0, 2 * Math.PI);
      ctx.fill();
      continue;
    }
    ctx.beginPath();
    ctx.moveTo(x0, y0);
    for (let i = 1; i < points.length; i++) ctx.lineTo(points[i][0], points[i][1]);
    ctx.stroke();
  }
}

/** A 2D context on an OffscreenCanvas of the bitmap's size, read often (the CPU keeps its pixels). */
export function inkContext(style = INK_BITMAP) {
  return new OffscreenCanvas(style.width, style.height).getContext("2d", { willReadFrequently: true });
}

/** Strokes (arrays of [x, y]) from packed points: a Float64Array of x, y pairs, stroke after
 * stroke, and each stroke's number of points. */
export function unpacked(points, lengths) {
  const strokes = [];
  let at = 0;
  for (const length of lengths) {
    const stroke = [];
    for (let k = 0; k < length; k++, at += 2) stroke.push([points[at], points[at + 1]]);
    strokes.push(stroke);
  }
  return strokes;
}

/** Draws `strokes` alone on `ctx` with the pen of their own extent, exactly as they would be
 * drawn were they alone on the pad, and reads back the region that holds their ink:
 * {data (RGBA), x, y, width, height}. */
export function readStrokes(ctx, strokes, style = INK_BITMAP) {
  const lineWidth = inkWidth(strokes, style);
  drawStrokes(ctx, strokes, lineWidth, style);
  return readRegion(ctx, inkRegion(strokes, lineWidth, style));
}

/** The RGBA pixels of a region of `ctx` (a fresh copy): {data, x, y, width, height}. */
export function readRegion(ctx, { x, y, width, height }) {
  return { data: ctx.getImageData(x, y, width, height).data, x, y, width, height };
}
