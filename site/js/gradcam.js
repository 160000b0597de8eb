/* Grad-CAM heatmaps: where in the drawing the network found what drove its answer.
 *
 * The model computes the maps itself (export/gradcam.py): `cam` [10, h, w], one
 * non-negative map per class over its 28x28 input. Here each map is divided by its
 * maximum, coloured into an h x w image, and drawn scaled up with the canvas's bilinear
 * smoothing: over the pad through the frame that preprocessing reports (where the
 * input lies on the 280x280 ink bitmap), and over the 28x28 input. That is a few
 * hundred multiplications and a few drawImage calls per prediction.
 *
 * Shown: the top class, or the class the person picked (its probability bar, or a cell
 * of the grid), or with "all ten" a grid of every class's map at once.
 */

const INPUT_SIZE = 28; // side of the model input the maps cover
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

/** Each of the `classes` maps of `data` divided by its own maximum (an all-zero map stays zero). */
export function normalizeMaps(data, classes) {
  const size = data.length / classes;
  const maps = new Float32Array(data.length);
  for (let k = 0; k < classes; k++) {
    let peak = 0;
    for (let i = k * size; i < (k + 1) * size; i++) peak = Math.max(peak, data[i]);
    if (peak > 0) for (let i = k * size; i < (k + 1) * size; i++) maps[i] = data[i] / peak;
  }
  return maps;
}

export class GradCamView {
  /** `onPick(digit or null)` is told when the picked class changes (the bars show it). */
  constructor(doc, onPick = () => {}) {
    this.element = doc.getElementById("gradcam"); // over the pad; its backing store is the ink bitmap
    this.context = this.element.getContext("2d");
    this.overInput = doc.getElementById("gradcam28");
    this.inputContext = this.overInput.getContext("2d");
    this.input28 = doc.getElementById("input28");
    this.controls = doc.getElementById("gradcam-controls");
    this.showBox = doc.getElementById("gradcam-show");
    this.allBox = doc.getElementById("gradcam-all");
    this.grid = doc.getElementById("gradcam-grid");
    this.cells = this.#makeGrid(doc);
    this.scratch = doc.createElement("canvas"); // one class's coloured h x w map
    this.scratchContext = this.scratch.getContext("2d");
    this.onPick = onPick;
    this.picked = null; // the class the person picked, or null: the top class
    this.shown = null; // {maps (normalized), h, w, frame, top, probs} of the shown prediction
    this.showBox.addEventListener("change", () => this.#showOrHide());
    this.allBox.addEventListener("change", () => {
      this.grid.hidden = !this.allBox.checked;
      this.#render();
    });
    this.clear();
  }

  #makeGrid(doc) {
    const cells = [];
    for (let digit = 0; digit < 10; digit++) {
      const cell = doc.createElement("button");
      cell.type = "button";
      cell.className = "cam-cell";
      cell.dataset.class = String(digit);
      cell.title = `Show what points to ${digit} over the pad`;
      cell.innerHTML = `<canvas width="56" height="56" data-class="${digit}"></canvas><span class="cam-label">${digit}</span>`;
      cell.addEventListener("click", () => this.pick(digit));
      this.grid.append(cell);
      cells.push({ cell, canvas: cell.querySelector("canvas"), label: cell.querySelector(".cam-label") });
    }
    return cells;
  }

  /** Whether the loaded model has maps at all (the MLP has none): no controls without. */
  setAvailable(available) {
    this.controls.hidden = !available;
    if (!available) {
      this.grid.hidden = true;
      this.clear();
    } else {
      this.grid.hidden = !this.allBox.checked;
    }
  }

  /** Nothing to explain: the pad is empty (or the model has no maps). A pick is forgotten. */
  clear() {
    this.shown = null;
    if (this.picked !== null) {
      this.picked = null;
      this.onPick(null);
    }
    this.context.clearRect(0, 0, this.element.width, this.element.height);
    this.inputContext.clearRect(0, 0, this.overInput.width, this.overInput.height);
    for (const { canvas, label } of this.cells) {
      canvas.getContext("2d").clearRect(0, 0, canvas.width, canvas.height);
      label.textContent = label.parentElement.dataset.class;
    }
    this.element.dataset.class = "";
    this.element.dataset.source = "";
    this.#showOrHide();
  }

  /** The maps of a prediction ({digit, probs, cam, frame}); returns the ms it took. */
  show(result) {
    const start = performance.now();
    if (!result.cam) {
      this.clear();
      return performance.now() - start;
    }
    const { data, h, w } = result.cam;
    this.shown = { maps: normalizeMaps(data, 10), h, w, frame: result.frame, top: result.digit, probs: result.probs };
    this.#render();
    return performance.now() - start;
  }

  /** Shows `digit`'s map; picking the picked class again goes back to the top class. */
  pick(digit) {
    this.picked = this.picked === digit ? null : digit;
    this.onPick(this.picked);
    this.#render();
  }

  /** The normalized maps on screen, for tests and the benchmark. */
  state() {
    if (!this.shown) return null;
    const { maps, h, w } = this.shown;
    const size = h * w;
    return {
      class: Number(this.element.dataset.class),
      source: this.element.dataset.source,
      h,
      w,
      maps: Array.from({ length: 10 }, (_, k) => Array.from(maps.subarray(k * size, (k + 1) * size))),
    };
  }

  #showOrHide() {
    this.element.hidden = this.overInput.hidden = !(this.shown && this.showBox.checked);
  }

  #render() {
    if (!this.shown) return;
    const { frame, top, probs } = this.shown;
    const digit = this.picked ?? top;
    this.element.dataset.class = String(digit);
    this.element.dataset.source = this.picked === null ? "top" : "picked";
    this.#colour(digit);
    // Over the pad: the input's square, placed where preprocessing took it from.
    const [row0, col0, rowScale, colScale] = frame;
    this.context.clearRect(0, 0, this.element.width, this.element.height);
    this.context.imageSmoothingEnabled = true;
    this.context.drawImage(this.scratch, col0, row0, INPUT_SIZE * colScale, INPUT_SIZE * rowScale);
    // Over the 28x28 input.
    this.inputContext.clearRect(0, 0, this.overInput.width, this.overInput.height);
    this.inputContext.imageSmoothingEnabled = true;
    this.inputContext.drawImage(this.scratch, 0, 0, this.overInput.width, this.overInput.height);
    this.#showOrHide();
    if (!this.grid.hidden) this.#renderGrid(probs, digit);
  }

  #renderGrid(probs, digit) {
    for (let k = 0; k < 10; k++) {
      const { cell, canvas, label } = this.cells[k];
      const ctx = canvas.getContext("2d");
      this.#colour(k);
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(this.input28, 0, 0, canvas.width, canvas.height);
      ctx.imageSmoothingEnabled = true;
      ctx.drawImage(this.scratch, 0, 0, canvas.width, canvas.height);
      label.textContent = `${k} · ${(probs[k] * 100).toFixed(probs[k] < 0.1 ? 1 : 0)}%`;
      cell.classList.toggle("shown", k === digit);
    }
  }

  /** Colours class `digit`'s normalized map into the h x w scratch canvas. */
  #colour(digit) {
    const { maps, h, w } = this.shown;
    if (this.scratch.width !== w || this.scratch.height !== h) {
      this.scratch.width = w;
      this.scratch.height = h;
      this.image = this.scratchContext.createImageData(w, h);
    }
    const pixels = this.image.data;
    const offset = digit * h * w;
    for (let i = 0; i < h * w; i++) {
      const c = 4 * Math.round(maps[offset + i] * 255);
      pixels[4 * i] = COLOURS[c];
      pixels[4 * i + 1] = COLOURS[c + 1];
      pixels[4 * i + 2] = COLOURS[c + 2];
      pixels[4 * i + 3] = COLOURS[c + 3];
    }
    this.scratchContext.putImageData(this.image, 0, 0);
  }
}
