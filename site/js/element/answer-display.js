/* An answer put on display, in Digit and Number mode: in the answer view (answer-view.js), on the
 * pad (Number mode's boxes), in the heatmap (heatmap-overlay.js) and to the screen reader
 * (announcer.js); and the mode's shape of all three. It keeps the answer shown and, in Number mode,
 * which digit the bars, the input and the heatmap show: the one the person selected, else the one
 * holding the newest stroke. The element (digit-pad.js) keeps its state and sends its events: each
 * show returns the digit-pad:prediction detail (prediction-detail.js).
 *
 * The screen reader hears an answer once per stroke, the first that sees the pad at rest, never on
 * each frame while a finger draws. */

import { INK_BITMAP, NUMBER_BITMAP } from "./ink.js";
import { digitHolding, spokenNumber } from "./number.js";
import { digitDetail, numberDetail } from "./prediction-detail.js";
import { PAD_LABELS } from "./template.js";

export class AnswerDisplay {
  /** `pad`: the element's pad.js DrawingPad, `view` its AnswerView, `overlay` its HeatmapOverlay,
   * `announcer` its Announcer. */
  constructor({ pad, view, overlay, announcer }) {
    this.pad = pad;
    this.view = view;
    this.overlay = overlay;
    this.announcer = announcer;
    this.answer = null; // Digit mode: the answer shown ({pixels, features, ...}), or null
    this.number = null; // Number mode: the last answer {digits, others, strokes}, or null
    this.selected = null; // Number mode: the digit the person picked (an index), or null: the newest digit's
    this.settled = 0; // bumped when a stroke ends or ink is removed: the next full answer is announced
    this.said = 0; // the `settled` whose answer the announcer said
    for (const settling of ["strokeend", "erase"]) {
      pad.addEventListener(settling, () => {
        this.settled++;
        this.selected = null; // a new stroke: the newest digit is shown again
      });
    }
  }

  /** Digit mode: an answer (see runtime.js predict) read from `strokes` finished strokes; returns
   * {detail, gradcam (the ms spent on the heatmap)}. */
  showDigit(result, strokes) {
    this.answer = result;
    this.view.showPrediction(result, strokes);
    if (this.#firstAtRest(strokes)) this.announcer.prediction(result);
    const gradcam = this.overlay.show(result);
    return { detail: digitDetail(result), gradcam };
  }

  /** Number mode: a number's answer ({digits, others, strokes}, see runtime.js predictNumber; at
   * least one digit); returns {detail, gradcam} as showDigit does. */
  showNumber(answer) {
    const { digits, strokes } = answer;
    this.number = answer;
    const selected = this.#shownIndex();
    this.view.showNumber(digits, strokes, selected);
    this.pad.setBoxes(digits.map((d) => d.box), selected);
    if (this.#firstAtRest(strokes)) this.announcer.say(spokenNumber(digits));
    const gradcam = this.overlay.show(digits[selected]);
    return { detail: numberDetail(answer, selected), gradcam };
  }

  /** Number mode: digit `index` of the number (0: the leftmost) is the one shown from now on;
   * false when there is no such digit. */
  select(index) {
    if (!this.number || !(index >= 0 && index < this.number.digits.length)) return false;
    this.selected = index;
    return true;
  }

  /** Nothing to show: the pad is empty. With `announce`, the screen reader hears that it was cleared. */
  showEmpty({ announce }) {
    this.number = null;
    this.answer = null;
    this.pad.setBoxes([]);
    this.view.showReady();
    this.overlay.clear();
    if (announce && this.said !== this.settled) this.announcer.cleared();
    this.said = this.settled;
  }

  /** Digit mode ("digit") or Number mode ("number"): the pad's shape, the heatmap's and what the
   * answer view shows follow it, and no number is kept; false when it is the mode shown already. */
  setMode(mode) {
    const bitmap = mode === "number" ? NUMBER_BITMAP : INK_BITMAP;
    if (this.pad.bitmap === bitmap && this.view.prediction.dataset.mode === mode) return false;
    this.number = null;
    this.selected = null;
    this.pad.setBitmap(bitmap);
    this.overlay.setBitmap(bitmap);
    this.view.setMode(mode);
    this.pad.canvas.setAttribute("aria-label", PAD_LABELS[mode]);
    return true;
  }

  /** The shown answer's {pixels, features} (its 28x28 input and features; Number mode: the digit the
   * bars show), or null when nothing is shown. */
  drawing() {
    const shown = this.shown();
    return shown ? { pixels: shown.pixels, features: shown.features } : null;
  }

  /** The answer shown (runtime.js predict's; Number mode: the digit the bars show's), or null. */
  shown() {
    return this.number ? this.number.digits[this.#shownIndex()] : this.answer;
  }

  #shownIndex() {
    return this.selected ?? digitHolding(this.number.digits, this.pad.allStrokes.length - 1);
  }

  /** Whether an answer from `strokes` finished strokes is the first to see the pad at rest since
   * a stroke ended or ink was removed: the one the screen reader is told (once per stroke). */
  #firstAtRest(strokes) {
    if (this.said === this.settled || this.pad.isDrawing || strokes !== this.pad.finishedStrokes) return false;
    this.said = this.settled;
    return true;
  }
}
