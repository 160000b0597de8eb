/* What the page's workers read from drawings, for the shared runtime (runtime.js): the
 * prediction of a drawing (Digit mode) or of the digits of a number (Number mode) by the
 * models asked, the features rows the handwriting memory keeps, and the layer view's kernels.
 * Each drawing is prepared once by Python and sent straight to the workers of the models
 * that are to read it; the answers come back to whoever asked, keyed by a page-wide id.
 * What reads waits for the restarts under way (restarts.js) and for Python (runtime.js python). */

import { classify, classifyBatch, recalled } from "./answers.js";
import { INK_BITMAP } from "./ink.js";
import { identities, inkBox, packed } from "./number-request.js";

export class Predictions {
  #ids = 0; // the page-wide id of each input sent to the workers

  /** `runtime` (runtime.js Runtime): its `python()`, `restarts`, `loaded` models and `handwriting` memory. */
  constructor(runtime) {
    this.runtime = runtime;
  }

  /** Python and the loaded models named, once the restarts under way are done; rejects with a WorkerLost
   * when one of them was given up on. */
  async #workersFor(names) {
    await this.runtime.restarts.settled();
    const { drawings } = await this.runtime.python();
    const chosen = names.map((name) => this.runtime.loaded.get(name));
    if (chosen.includes(undefined)) throw new Error(`not loaded: ${names.join(", ")}`);
    const lost = chosen.find((model) => model.lost);
    if (lost) throw lost.lost;
    return { drawings, chosen };
  }

  /** Each of `chosen`'s answers to the input sent with `id`, read by `read(model, answer)`. (A worker that
   * dies rejects them, maybe before anyone awaits them: that is not an unhandled rejection.) */
  #answers(chosen, id, read) {
    return chosen.map((model) => {
      const answer = model.inference.result(id).then((output) => read(model, output));
      answer.catch(() => {});
      return answer;
    });
  }

  /**
   * The prediction of each model in `models` (names of loaded models; the first is the
   * one asked) for a region of the RGBA ink bitmap ({data, x, y, width, height}, see
   * pad.js inkRegion: every inked pixel lies inside it): {digit (null: no ink), probs,
   * notDigit, verdict, candidates (calibrated, see verdict.js answerFrom),
   * pixels (28x28 input in [0, 1]), cam ({data: Float32Array [10 * h * w], h, w} or
   * null), frame (where the input lies on the bitmap, see worker.py), others: {name:
   * {digit, probs, notDigit, verdict, candidates}} for the other models, ms: {preprocess, inference, companions}}. The
   * models run at the same time, each in its own worker. Without `centre`,
   * preprocessing centres the digit's box rather than its centre of mass. With `learn`, the page's
   * handwriting memory votes in the first model's answer (answers.js recalled; `adapted` says whether it did).
   * With `layers`, answers of models that have a layer view carry its activations (answers.js classify).
   */
  async predict(region, { centre = true, models, learn = false, layers = false }) {
    const { drawings, chosen } = await this.#workersFor(models);
    const id = `prediction-${this.#ids++}`;
    const answers = this.#answers(chosen, id, classify);
    const forget = () => chosen.forEach((m) => m.inference.forget(id));
    const { data: rgba, width, height } = region;
    const request = { type: "prepare", rgba, width, height, centre, prediction: id, models, layers };
    const prepared = await drawings.call(request).catch((error) => {
      forget();
      throw error;
    });
    if (prepared.pixels == null) {
      forget();
      const ms = { preprocess: prepared.ms, inference: 0, companions: 0 };
      return { digit: null, probs: [], notDigit: null, verdict: null, pixels: [], cam: null, frame: null, others: {}, ms };
    }
    const [answered, ...rest] = await Promise.all(answers);
    const [first] = await this.#recalled([answered], chosen[0], learn);
    return {
      ...first,
      pixels: Array.from(prepared.pixels),
      frame: onBitmap(prepared.frame, region),
      others: Object.fromEntries(rest.map((r) => [r.name, r])),
      ms: { preprocess: prepared.ms, inference: first.ms, companions: Math.max(0, ...rest.map((r) => r.ms)) },
    };
  }

  /**
   * Number mode: the digits drawn on `pad` (pad.js DrawingPad), left to right, read by each
   * model in `models`, in ONE call to Python per frame: it finds the digits in the strokes
   * (segment.py); each digit without an answer in `memo` (a Map the caller keeps for this pad:
   * digit key -> answer; usually the digit being written) is drawn alone on the ink bitmap, as
   * if it were the only digit (ink.js, in the Python worker), prepared, and all of those go to
   * each model as one batch: one inference call per frame, not one per digit. Resolves to
   * {digits: [{digit, probs, notDigit, verdict, candidates, box ([x, y, w, h] in bitmap pixels),
   * strokes (the indices of its strokes), pixels, cam, frame}], others: {name: [{digit, probs,
   * ...}]} for the other models, ms: {segment, read, preprocess, inference, companions}, fresh
   * (how many digits were read anew)}; digits is [] when nothing is drawn. `learn`, `layers`: as in
   * `predict` (a digit kept from an earlier frame keeps the layers it was read with).
   */
  async predictNumber(pad, { centre = true, models, memo, learn = false, layers = false }) {
    const { drawings, chosen } = await this.#workersFor(models);
    const strokes = pad.allStrokes;
    const id = `prediction-${this.#ids++}`;
    const answers = this.#answers(chosen, id, classifyBatch);
    const forget = () => chosen.forEach((m) => m.inference.forget(id));
    const request = {
      type: "number", ...packed(strokes), ids: identities(strokes), known: [...memo.keys()],
      penRadius: INK_BITMAP.lineWidth / 2, centre, prediction: id, models, layers,
    }; // fmt: skip
    const found = await drawings.call(request).catch((error) => {
      forget();
      throw error;
    });
    const ms = { ...found.ms, inference: 0, companions: 0 };
    if (found.fresh.length) {
      const batches = await Promise.all(answers);
      batches[0] = Object.assign(await this.#recalled(batches[0], chosen[0], learn), { ms: batches[0].ms });
      const [first, ...rest] = batches;
      found.fresh.forEach((k, j) => {
        const { box, pieces, key } = found.segments[k];
        const parts = pieces.map(([i, a, b]) => strokes[i].slice(a, b));
        const answered = batches.map((batch) => batch[j]);
        memo.set(key, { answers: answered, box: inkBox(box, parts), pixels: Array.from(found.pixels[j]), frame: found.frames[j] });
      });
      Object.assign(ms, { inference: first.ms, companions: Math.max(0, ...rest.map((r) => r.ms)) });
    } else {
      forget();
    }
    const kept = new Map(found.segments.map(({ key }) => [key, memo.get(key)]));
    memo.clear(); // only this frame's digits are worth keeping
    kept.forEach((answer, key) => memo.set(key, answer));
    const digits = found.segments.map(({ key, pieces }) => {
      const { answers: [answer], box, pixels, frame } = kept.get(key);
      return { ...answer, box, strokes: [...new Set(pieces.map(([stroke]) => stroke))], pixels, frame };
    });
    const others = models.slice(1).map((name, m) => [name, found.segments.map(({ key }) => kept.get(key).answers[m + 1])]);
    return { digits, others: Object.fromEntries(others), ms, fresh: found.fresh.length };
  }

  /** The first model's answers with the handwriting memory's votes, when `learn` and it holds drawings of that model. */
  async #recalled(answers, model, learn) {
    const memory = this.runtime.handwriting;
    if (!learn || !model.features || memory.model !== model || memory.count === 0) return answers;
    const { drawings } = await this.runtime.python();
    return recalled(answers, model, (request) => drawings.call({ type: "recall", ...request }));
  }

  /** The layer view's kernels of the loaded model `name`: {stage: {data (Float32Array), dims: [C_out, C_in, 3,
   * 3]}} for each convolution (batch norm folded in), or null for a model without them. Read once per model. */
  kernels(name) {
    const model = this.runtime.loaded.get(name);
    if (!model?.layers) return Promise.resolve(null);
    model.kernels ??= (async () => {
      const stages = Object.keys(model.layers.kernels);
      const { outputs } = await model.inference.constants(model.feed, Object.values(model.layers.kernels));
      return Object.fromEntries(stages.map((stage) => [stage, outputs[model.layers.kernels[stage]]]));
    })().catch((error) => {
      model.kernels = null; // (its worker died meanwhile): asked again next time
      throw error;
    });
    return model.kernels;
  }

  /** The features rows (Float32Arrays) of `model` for N 28x28 inputs in [0, 1] (a Float32Array of N x 784):
   * prepared by Python as any drawing, read in one batch. */
  async features(pixels, model) {
    const { drawings, chosen } = await this.#workersFor([model.name]);
    const id = `features-${this.#ids++}`;
    const [result] = this.#answers(chosen, id, (_, answer) => answer);
    try {
      await drawings.call({ type: "embed", pixels, prediction: id, models: [model.name] });
    } catch (error) {
      chosen[0].inference.forget(id);
      throw error;
    }
    const { data, dims } = (await result).outputs[model.features];
    return Array.from({ length: dims[0] }, (_, i) => data.slice(i * dims[1], (i + 1) * dims[1]));
  }
}

/** A frame found on a region ([row0, col0, row_scale, col_scale]) as a frame on the whole bitmap. */
function onBitmap(frame, region) {
  const [row0, col0, rowScale, colScale] = frame;
  return [row0 + region.y, col0 + region.x, rowScale, colScale];
}
