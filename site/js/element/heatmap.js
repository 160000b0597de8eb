/* Grad-CAM maps as images: where in the drawing the network found what drove its answer.
 *
 * The model computes the maps itself (export/gradcam.py): `cam` [10, h, w], one
 * non-negative map per class over its 28x28 input. Each map is divided by its maximum,
 * coloured into an h x w image, and drawn scaled up with the canvas's bilinear
 * smoothing wherever it is shown: over the pad and the input (heatmap-overlay.js), and
 * in the main page's grid of all ten (js/heatmap-controls.js).
 */

const OPACITY = 0.7; // of the strongest evidence; weaker evidence fades out
// Colour ramp from weak (blue) to strong (dark red), [position, [r, g, b]].
const STOPS = [
  [0, [49, 54, 149]],
  [0.25, [69, 117, 180]],
  [0.5, [254, 224, 144]],
  [0.75, [244, 109, 67]],
  [1, [165, 0, 38]],
];

/** 256 RGBA colours: the ramp, with opacity growing with the value. */
function colourTable() {
  const table = new Uint8ClampedArray(256 * 4);
  for (let i = 0; i < 256; i++) {
    const v = i / 255;
    const upper = STOPS.findIndex(([at]) => at >= v);
    const [a, from] = STOPS[Math.max(0, upper - 1)];
    const [b, to] = STOPS[upper];
    const t = b > a ? (v - a) / (b - a) : 0;
    for (let c = 0; c < 3; c++) table[4 * i + c] = from[c] + t * (to[c] - from[c]);
    table[4 * i + 3] = 255 * OPACITY * v;
  }
  return table;
}

const COLOURS = colourTable();

/** The `classes` maps of `data`, each divided by its own maximum (an all-zero map stays
 * zero), as one Float32Array view per class. */
export function normalizeMaps(data, classes) {
  const size = data.length / classes;
  const all = new Float32Array(data.length);
  for (let k = 0; k < classes; k++) {
    let peak = 0;
    for (let i = k * size; i < (k + 1) * size; i++) peak = Math.max(peak, data[i]);
    if (peak > 0) for (let i = k * size; i < (k + 1) * size; i++) all[i] = data[i] / peak;
  }
  return Array.from({ length: classes }, (_, k) => all.subarray(k * size, (k + 1) * size));
}

/** Colours one normalized map into a small canvas of its own, to draw scaled up. */
export class MapPainter {
  constructor() {
    this.canvas = document.createElement("canvas"); // one class's coloured h x w map
    this.context = this.canvas.getContext("2d");
    this.image = null;
  }

  /** Colours `map` (h * w values in [0, 1]) and draws it over `context` at (x, y), `width` x `height`. */
  draw(context, map, h, w, [x, y, width, height]) {
    if (this.canvas.width !== w || this.canvas.height !== h || !this.image) {
      this.canvas.width = w;
      this.canvas.height = h;
      this.image = this.context.createImageData(w, h);
    }
    const pixels = this.image.data;
    for (let i = 0; i < h * w; i++) {
      const c = 4 * Math.round(map[i] * 255);
      pixels[4 * i] = COLOURS[c];
      pixels[4 * i + 1] = COLOURS[c + 1];
      pixels[4 * i + 2] = COLOURS[c + 2];
      pixels[4 * i + 3] = COLOURS[c + 3];
    }
    this.context.putImageData(this.image, 0, 0);
    context.imageSmoothingEnabled = true;
    context.drawImage(this.canvas, x, y, width, height);
  }
}

const ROWS = ["upper", "middle", "lower"];
const COLUMNS = ["left", "centre", "right"];

/** Where a normalized map (h * w values in [0, 1]) is strongest, in words: "the upper right". */
export function whereStrongest(map, h, w) {
  let total = 0, rows = 0, cols = 0;
  for (let i = 0; i < h * w; i++) {
    const v = map[i] >= 0.5 ? map[i] : 0; // the strong evidence only
    total += v;
    rows += v * (Math.floor(i / w) + 0.5);
    cols += v * ((i % w) + 0.5);
  }
  if (total === 0) return "nowhere in particular";
  const row = ROWS[Math.min(2, Math.floor((3 * rows) / total / h))];
  const col = COLUMNS[Math.min(2, Math.floor((3 * cols) / total / w))];
  if (row === "middle" && col === "centre") return "the middle";
  if (row === "middle") return `the middle ${col}`;
  return col === "centre" ? `the ${row} middle` : `the ${row} ${col}`;
}
