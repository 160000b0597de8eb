/* Live prediction: at most once per animation frame, never queued behind itself.
 *
 * Every change of the ink asks for a prediction. The next animation frame reads the
 * ink bitmap and sends it to be predicted; if a prediction is still running then, the
 * request is only remembered ("dirty") and served when that one returns, with the ink
 * as it is by then. A stroke's end is a change too, so the last prediction always sees
 * the finished drawing. Results computed before an undo, a clear or a change of model
 * are dropped. A prediction that a dying worker never answers (errors.js WorkerLost) is asked
 * again, and waits in the runtime until the worker is back (runtime.js, recovery.js).
 */

import { WorkerLost } from "./errors.js";

const TIMINGS_KEPT = 500;

export class LivePredictor {
  /**
   * Predicts what is drawn on `pad` (pad.js DrawingPad) once attached; the element is told
   * through `show(result, strokes)` (a prediction from `strokes` finished strokes; returns
   * the ms it spent on the heatmaps), `showEmpty()` (the pad was cleared) and
   * `fail(message)` (a prediction failed).
   */
  constructor(pad, { show, showEmpty, fail }) {
    this.pad = pad;
    this.show = show;
    this.showEmpty = showEmpty;
    this.fail = fail;
    this.predict = null; // (input) => Promise<result>, see runtime.js predict; null: not attached
    this.readsPad = false; // predict reads the pad itself (Number mode) rather than its ink bitmap's region
    this.frame = 0;
    this.inFlight = false;
    this.dirty = false;
    this.epoch = 0; // bumped when ink is removed or the model changes: older results are stale
    this.shownPixels = null; // the ink bitmap's region behind the prediction on screen (pad.js readPixels)
    this.timings = []; // per prediction, ms: read, segment, preprocess, inference, companions, roundTrip, dom, gradcam, total; and digits, fresh
    pad.addEventListener("change", () => this.request());
    pad.addEventListener("erase", () => this.#erased());
  }

  /** Starts predicting with `predict(region)` (the ink bitmap's region, pad.js readPixels),
   * or with `predict(pad)` when `readsPad` (Number mode), at once if something is drawn. */
  attach(predict, { readsPad = false } = {}) {
    this.predict = predict;
    this.readsPad = readsPad;
    this.epoch++;
    this.request();
  }

  /** Stops predicting (a model is loading): results still on their way are dropped. */
  detach() {
    this.predict = null;
    this.epoch++;
  }

  request() {
    if (!this.predict || this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.#run();
    });
  }

  #erased() {
    this.epoch++;
    if (this.pad.isEmpty && this.predict) {
      this.shownPixels = null;
      this.showEmpty();
    }
  }

  async #run() {
    if (this.inFlight) {
      this.dirty = true;
      return;
    }
    if (this.pad.isEmpty || !this.predict) return;
    const epoch = this.epoch;
    const strokes = this.pad.finishedStrokes;
    const t0 = performance.now();
    const pixels = this.readsPad ? null : this.pad.readPixels();
    const t1 = performance.now();
    this.inFlight = true;
    let result;
    try {
      result = await this.predict(pixels ?? this.pad);
    } catch (error) {
      if (!(error instanceof WorkerLost)) this.fail(`The prediction failed unexpectedly: ${error?.message ?? error}`);
      else if (!error.final) this.request(); // (one given up on: the element says what to do)
      return;
    } finally {
      this.inFlight = false;
    }
    const t2 = performance.now();
    if (epoch === this.epoch) {
      this.shownPixels = result.digit === null ? null : pixels;
      const gradcam = this.show(result, strokes);
      const t3 = performance.now();
      this.#record({
        read: t1 - t0 + (result.ms.read ?? 0),
        segment: result.ms.segment ?? 0,
        digits: result.digits ? result.digits.length : 1, // Number mode: the digits read
        fresh: result.fresh ?? 1, // …and of those, the ones read anew (the others kept their answers)
        preprocess: result.ms.preprocess,
        inference: result.ms.inference,
        companions: result.ms.companions,
        roundTrip: t2 - t1,
        dom: t3 - t2,
        gradcam, // part of dom: drawing the heatmaps
        total: t3 - t0,
      });
    }
    if (this.dirty) {
      this.dirty = false;
      this.request();
    }
  }

  #record(timing) {
    this.timings.push(timing);
    if (this.timings.length > TIMINGS_KEPT) this.timings.shift();
  }
}
