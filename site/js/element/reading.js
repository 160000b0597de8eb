/* How an element's drawing is read: by its model and, once compareWith named one, by a second
 * model alongside; from the ink bitmap in Digit mode, from the pad's strokes in Number mode
 * (runtime.js predict and predictNumber), with the element's centring, learn and layers as they are
 * at each reading. predictor.js decides when. */

import { sharedRuntime } from "./runtime.js";

export class Reading {
  /** `predictor`: the element's LivePredictor; `settings()`: the element's {centring, learn, layers} now. */
  constructor(predictor, settings) {
    this.predictor = predictor;
    this.settings = settings;
    this.companion = null; // the name of the model predicting alongside (compareWith), or null
    this.companionCalls = 0;
  }

  /** Starts reading with `model` (loaded by `runtime`), the way `mode` ("digit" | "number") asks. */
  attach(runtime, model, mode) {
    const options = () => {
      const { centring, learn, layers = false } = this.settings();
      const models = this.companion ? [model.name, this.companion] : [model.name];
      return { centre: centring === "mass", models, learn, layers };
    };
    if (mode === "number") {
      const memo = new Map(); // the digits' answers, kept from frame to frame (runtime.js predictNumber)
      this.predictor.attach((pad) => runtime.predictNumber(pad, { ...options(), memo }), { readsPad: true });
    } else {
      this.predictor.attach((region) => runtime.predict(region, options()));
    }
  }

  /** Model `name` also reads every drawing from now on (null: none does); loads it the first time.
   * Resolves once it answers, or rejects with its failure in plain words. */
  async compareWith(name) {
    const call = ++this.companionCalls;
    const runtime = sharedRuntime();
    if (name) await runtime.model(name);
    // (A model let go by an earlier compareWith(null) while this one waited is loaded again.)
    if (name && !runtime.loaded.has(name)) await runtime.model(name);
    if (call !== this.companionCalls) return; // a later call decides
    this.companion = name || null;
    this.predictor.request(); // the drawing on the pad, if any, gets the second answer too
    if (!name) await runtime.release(); // the second model's worker ends, unless another element reads with it
  }
}
