/* The Grad-CAM heatmap over the pad and over the model's input (heatmap.js colours it):
 * the top class's map, or the class the person picked (its probability bar).
 *
 * Drawn over the pad through the frame that preprocessing reports (where the input lies
 * on the pad's ink bitmap: #gradcam's backing store is that bitmap's space), and over
 * the 28x28 input: a few hundred multiplications and two drawImage calls per prediction.
 */

import { MapPainter, normalizeMaps, whereStrongest } from "./heatmap.js";
import { INPUT_SIZE } from "./model-input.js";

export class HeatmapOverlay {
  /** `onChange()` is told whenever what `state()` returns changes (a prediction, a pick, a clear). */
  constructor(root, onChange = () => {}) {
    this.element = root.getElementById("gradcam"); // over the pad; its backing store is the ink bitmap
    this.context = this.element.getContext("2d");
    this.overInput = root.getElementById("gradcam28");
    this.inputContext = this.overInput.getContext("2d");
    this.painter = new MapPainter();
    this.onChange = onChange;
    this.available = false; // the model has maps (the MLP has none)
    this.visible = false; // the element shows them (its gradcam attribute)
    this.picked = null; // the class the person picked, or null: the top class
    this.shown = null; // {maps (normalized), h, w, frame, top, probs, pixels} of the shown prediction
    this.clear();
  }

  /** The pad's ink bitmap's shape ({width, height}, pad.js): the backing store over the pad. */
  setBitmap({ width, height }) {
    this.element.width = width;
    this.element.height = height;
    this.clear();
  }

  /** Whether the loaded model has maps at all: nothing is shown without. */
  setAvailable(available) {
    this.available = available;
    if (!available) this.clear();
  }

  /** Whether the maps are drawn (they are kept, and `state()` reports them, either way). */
  setVisible(visible) {
    this.visible = visible;
    this.#render();
  }

  /** Nothing to explain: the pad is empty (or the model has no maps). A pick is forgotten. */
  clear() {
    const had = this.shown !== null || this.picked !== null;
    this.shown = null;
    this.picked = null;
    this.element.dataset.class = "";
    this.element.dataset.source = "";
    this.#render();
    if (had) this.onChange();
  }

  /** The maps of a prediction ({digit, probs, cam, frame, pixels}); returns the ms it took. */
  show(result) {
    const start = performance.now();
    if (!result.cam || !this.available) {
      this.clear();
      return performance.now() - start;
    }
    const { data, h, w } = result.cam;
    const { frame, digit: top, probs, pixels } = result;
    this.shown = { maps: normalizeMaps(data, 10), h, w, frame, top, probs, pixels };
    this.#render();
    this.onChange();
    return performance.now() - start;
  }

  /** Shows `digit`'s map; picking the picked class again goes back to the top class. */
  pick(digit) {
    if (!this.shown) return;
    this.picked = this.picked === digit ? null : digit;
    this.#render();
    this.onChange();
  }

  /** The maps of the shown prediction: {class (shown), source (top | picked), h, w, maps
   * (ten normalized Float32Arrays of h * w), probs, input (the 784 pixels they cover)}, or null. */
  state() {
    if (!this.shown) return null;
    const { maps, h, w, top, probs, pixels } = this.shown;
    const source = this.picked === null ? "top" : "picked";
    return { class: this.picked ?? top, source, h, w, maps, probs, input: pixels };
  }

  #render() {
    this.context.clearRect(0, 0, this.element.width, this.element.height);
    this.inputContext.clearRect(0, 0, this.overInput.width, this.overInput.height);
    const on = Boolean(this.shown) && this.visible;
    this.element.hidden = this.overInput.hidden = !on;
    if (!this.shown) return;
    const { maps, h, w, frame, top } = this.shown;
    const digit = this.picked ?? top;
    this.element.dataset.class = String(digit);
    this.element.dataset.source = this.picked === null ? "top" : "picked";
    this.element.setAttribute("aria-label", `Grad-CAM heatmap over the drawing: what points to ${digit} lies mostly ` +
      `in ${whereStrongest(maps[digit], h, w)}${this.picked === null ? "" : " (picked)"}`);
    if (!on) return;
    // Over the pad: the input's square, placed where preprocessing took it from.
    const [row0, col0, rowScale, colScale] = frame;
    this.painter.draw(this.context, maps[digit], h, w, [col0, row0, INPUT_SIZE * colScale, INPUT_SIZE * rowScale]);
    this.painter.draw(this.inputContext, maps[digit], h, w, [0, 0, this.overInput.width, this.overInput.height]);
  }
}
