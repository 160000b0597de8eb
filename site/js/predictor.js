/* Live prediction: at most once per animation frame, never queued behind itself.
 *
 * Every change of the ink asks for a prediction. The next animation frame reads the
 * ink bitmap and sends it to the worker; if a prediction is still running then, the
 * request is only remembered ("dirty") and served when that one returns, with the ink
 * as it is by then. A stroke's end is a change too, so the last prediction always sees
 * the finished drawing. Results computed before an undo or clear are dropped.
 */

const TIMINGS_KEPT = 500;

export class LivePredictor {
  constructor(pad, view) {
    this.pad = pad;
    this.view = view;
    this.runtime = null;
    this.frame = 0;
    this.inFlight = false;
    this.dirty = false;
    this.epoch = 0; // bumped when ink is removed: older results are stale
    this.shownPixels = null; // the ink bitmap's region behind the prediction on screen (pad.js readPixels)
    this.timings = []; // per prediction, ms: read, preprocess, inference, companions, roundTrip, dom, gradcam, total
    this.options = { centre: true }; // preprocessing options (see runtime.js predict)
    pad.addEventListener("change", () => this.request());
    pad.addEventListener("erase", () => this.#erased());
  }

  /** Starts predicting with a loaded runtime (see runtime.js). */
  attach(runtime) {
    this.runtime = runtime;
    if (this.pad.isEmpty) this.view.showReady();
    this.request();
  }

  /** Centre the digit's mass (as MNIST did) or only its box; predicts again. */
  setCentring(centre) {
    this.options = { ...this.options, centre };
    this.request();
  }

  request() {
    if (!this.runtime || this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.#run();
    });
  }

  #erased() {
    this.epoch++;
    if (this.pad.isEmpty && this.runtime) {
      this.shownPixels = null;
      this.view.showReady();
    }
  }

  async #run() {
    if (this.inFlight) {
      this.dirty = true;
      return;
    }
    if (this.pad.isEmpty) return;
    const epoch = this.epoch;
    const strokes = this.pad.finishedStrokes;
    const t0 = performance.now();
    const pixels = this.pad.readPixels();
    const t1 = performance.now();
    this.inFlight = true;
    let result;
    try {
      result = await this.runtime.predict(pixels, this.options);
    } catch (error) {
      this.view.showError(`The prediction failed unexpectedly: ${error?.message ?? error}`);
      return;
    } finally {
      this.inFlight = false;
    }
    const t2 = performance.now();
    if (epoch === this.epoch) {
      const gradcam = this.view.showPrediction(result, strokes);
      this.shownPixels = result.digit === null ? null : pixels;
      const t3 = performance.now();
      this.#record({
        read: t1 - t0,
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
