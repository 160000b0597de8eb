/* What the <digit-pad> elements of a page compute with, loaded once and shared by all:
 * - one Python worker (PyScript + Pyodide, python-worker.js), then numpy and the shared
 *   preprocessing module; Python checks each model before it is used (py/model_check.py);
 * - one onnxruntime-web worker per model (inference-worker.js), started before Python
 *   so that its 14 MB of WebAssembly load while Pyodide boots.
 * Each drawing is prepared once by Python and sent straight to the workers of the models
 * that are to read it; the answers come back to whoever asked, keyed by a page-wide id.
 *
 * A worker that dies (worker-health.js finds it) is started again in its place (restarts.js): a
 * new Python is given numpy, every model and the handwriting memory again; a model's new worker is
 * connected to Python again. What was being read is read again once it is back (predictor.js).
 * The elements that use the workers join and leave (model-loader.js): a model's worker ends when
 * no element reads with it any more, Python's when the last element has left.
 *
 * Every file is found relative to this module (js/element/runtime.js), not to the page:
 * the site can live under any path of the page's origin. Workers must be same-origin
 * with the page, so embedding from another origin is not supported. */

import { classify, classifyBatch, recalled } from "./answers.js";
import { PageError, WorkerLost } from "./errors.js";
import { Handwriting, modelIdentity } from "./handwriting.js";
import { Inference } from "./inference.js";
import { INK_BITMAP } from "./ink.js";
import { SharedStages } from "./loading-stages.js";
import { identities, inkBox, packed } from "./number-request.js";
import { PythonWorker } from "./python-worker.js";
import { Recovery } from "./recovery.js";
import { Restarts, STRIKES } from "./restarts.js";

/** The site's root folder (this file is js/element/runtime.js in it). */
const SITE_ROOT = new URL("../../", import.meta.url);

/** A URL of a site file, e.g. "models/cnn.onnx" (workers have no base URL of their own). */
export const siteUrl = (path) => new URL(path, SITE_ROOT).href;

/** PyScript configuration of the Python worker. */
export function pythonConfig() {
  return {
    interpreter: siteUrl("vendor/pyodide/pyodide.mjs"),
    packages: ["numpy"], // from vendor/pyodide/, checked against pyodide-lock.json
    packages_cache: "passthrough", // Pyodide loads them itself: no micropip, no cache DB
    files: {
      [siteUrl("py/preprocess.py")]: "./preprocess.py",
      [siteUrl("py/segment.py")]: "./segment.py",
      [siteUrl("py/segment_geometry.py")]: "./segment_geometry.py",
      [siteUrl("py/segment_rules.py")]: "./segment_rules.py",
      [siteUrl("py/segment_split.py")]: "./segment_split.py",
      [siteUrl("py/memory.py")]: "./memory.py",
      [siteUrl("py/model_check.py")]: "./model_check.py",
      // What the page and training share (train/contract.json), and the module that reads it.
      [siteUrl("py/contract.py")]: "./contract.py",
      [siteUrl("py/contract.json")]: "./contract.json",
    },
    // Number mode draws each digit in the Python worker with the pad's own drawing code.
    js_modules: { worker: { [siteUrl("js/element/ink.js")]: "ink" } },
  };
}

/** The worker of model `name` (models/<name>.onnx), started: it loads the file at once. */
const startInference = (name) => new Inference(siteUrl(`models/${name}.onnx`), siteUrl("vendor/ort/"));

/** White paper with a black bar: something to predict before the person draws. */
function sampleDrawing(size) {
  const rgba = new Uint8ClampedArray(size * size * 4).fill(255);
  for (let y = size / 4; y < (3 * size) / 4; y++) {
    for (let x = size / 2 - 9; x < size / 2 + 9; x++) rgba.fill(0, 4 * (y * size + x), 4 * (y * size + x) + 3);
  }
  return { data: rgba, x: 0, y: 0, width: size, height: size };
}

export class Runtime {
  constructor() {
    this.stages = new SharedStages();
    this.started = null; // Promise of the Python worker (python-worker.js), once asked for; of its successor once it died
    this.pythonInService = null; // that worker once it is up, until it dies or is let go
    this.loading = new Map(); // name -> Promise of a model, once asked for
    this.loaded = new Map(); // name -> a model that is checked, connected and warm
    this.predictions = 0;
    this.handwriting = new Handwriting(this); // the page's handwriting memory (<digit-pad learn>)
    this.restarts = new Restarts(); // whether and when workers that die are started again (restarts.js)
    this.recovery = new Recovery(this, {
      startPython: (report) => PythonWorker.start(pythonConfig(), siteUrl("py/worker.py"), report),
      startInference,
    }); // how (recovery.js)
    this.users = new Set(); // the elements' model loaders on the page (join, leave)
  }

  /** Python, started the first time it is asked for: resolves to its PythonWorker ({exports,
   * drawings}: PyScript's calls to worker.py's exports; the port drawings go on). */
  python() {
    if (!this.started) {
      const report = (stage, status, detail) => this.stages.report(stage, status, detail);
      this.started = this.recovery.startPython(report).then((python) => (this.pythonInService = python));
      this.started.catch(() => {}); // each element that awaits it says why it failed
    }
    return this.started;
  }

  /**
   * The model `name` (models/<name>.onnx), loaded the first time it is asked for: its
   * worker starts at once, then Python; resolves to {name, version, feed, fetch, cam}
   * once Python has checked it and it has made a first prediction, or rejects with a
   * PageError in plain words (as soon as the file fails to load, not after Python has
   * booted). A model that failed is tried again the next time it is asked for.
   */
  model(name) {
    if (!this.loading.has(name)) {
      const loading = this.#loadModel(name);
      this.loading.set(name, loading);
      loading.catch(() => this.loading.get(name) === loading && this.loading.delete(name));
    }
    return this.loading.get(name);
  }

  /** `user` (an element's model loader) reads with the workers; `user.uses()` names its models. */
  join(user) {
    this.users.add(user);
  }

  /**
   * `user` left the page: once nothing is loading or restarting (nothing is ended half-way), the
   * workers no user needs any more are ended: a model's when no user reads with it, Python's when no
   * user is left. A user that comes later loads them again.
   */
  async leave(user) {
    this.users.delete(user);
    await Promise.allSettled([this.restarts.settled(), this.started, ...this.loading.values()]);
    const needed = new Set([...this.users].flatMap((u) => u.uses()));
    const letGo = (what) => new WorkerLost(`${what} was let go: no element on the page uses it.`, { final: true });
    for (const [name, model] of this.loaded) {
      if (needed.has(name)) continue;
      this.loaded.delete(name);
      this.loading.delete(name);
      this.restarts.forget(name);
      model.inference.close(letGo(`The ${name} model's worker`));
    }
    if (this.users.size || !this.started) return;
    const python = this.pythonInService;
    [this.started, this.pythonInService] = [null, null];
    this.restarts.forget(null);
    python?.close(letGo("Python"));
  }

  /** The workers in service now, for tests that end one to see the page recover: {python: Worker | null,
   * models: {name: Worker}}. */
  workers() {
    const models = [...this.loaded].filter(([, model]) => !model.lost).map(([name, model]) => [name, model.inference.worker]);
    return { python: this.pythonInService?.worker ?? null, models: Object.fromEntries(models) };
  }

  async #loadModel(name) {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#loadModelOnce(name);
      } catch (error) {
        // A worker died while it loaded (Python is then started again, recovery.js): once more.
        if (!(error instanceof WorkerLost) || error.final || attempt >= STRIKES) throw error;
      }
    }
  }

  async #loadModelOnce(name) {
    const inference = startInference(name);
    const opened = inference.opened.catch((error) => Promise.reject(new PageError(error.message)));
    let model = null;
    try {
      const [file, python] = await Promise.all([opened, this.python()]);
      const identity = modelIdentity(name, file.model);
      const checked = await python.checkModel(file.model, file.inputs, file.outputs, name);
      if (!checked.ok) throw new PageError(checked.error);
      const fields = ["version", "feed", "fetch", "cam", "notDigit", "features", "layers"];
      model = { name, identity, inference, ...pick(checked, fields) };
      model.calibration = JSON.parse(checked.calibration);
      this.recovery.watchModel(model, inference);
      await python.connect(model);
      inference.inService = true;
      this.loaded.set(name, model);
      await this.#warmUp(name);
      return model;
    } catch (error) {
      if (model && this.loaded.get(name) === model) this.loaded.delete(name);
      model?.inference.close();
      inference.close();
      throw error;
    }
  }

  /** First runs allocate and fill caches: at start-up, not on the first stroke. (Its worker may die
   * meanwhile: then once it is back.) */
  async #warmUp(name) {
    for (;;) {
      try {
        return await this.predict(sampleDrawing(INK_BITMAP.size), { models: [name] });
      } catch (error) {
        if (!(error instanceof WorkerLost) || error.final) throw error;
      }
    }
  }

  /** Python and the loaded models named, once the restarts under way are done; rejects with a WorkerLost
   * when one of them was given up on. */
  async #workersFor(names) {
    await this.restarts.settled();
    const { drawings } = await this.python();
    const chosen = names.map((name) => this.loaded.get(name));
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
    const id = `prediction-${this.predictions++}`;
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
    const id = `prediction-${this.predictions++}`;
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
    const memory = this.handwriting;
    if (!learn || !model.features || memory.model !== model || memory.count === 0) return answers;
    const { drawings } = await this.python();
    return recalled(answers, model, (request) => drawings.call({ type: "recall", ...request }));
  }

  /** The layer view's kernels of the loaded model `name`: {stage: {data (Float32Array), dims: [C_out, C_in, 3,
   * 3]}} for each convolution (batch norm folded in), or null for a model without them. Read once per model. */
  kernels(name) {
    const model = this.loaded.get(name);
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
    const id = `features-${this.predictions++}`;
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

let shared = null;

/** The page's one runtime, shared by all its <digit-pad> elements (created on first use). */
export function sharedRuntime() {
  shared ??= new Runtime();
  return shared;
}

function pick(object, keys) {
  return Object.fromEntries(keys.map((key) => [key, object[key]]));
}

/** A frame found on a region ([row0, col0, row_scale, col_scale]) as a frame on the whole bitmap. */
function onBitmap(frame, region) {
  const [row0, col0, rowScale, colScale] = frame;
  return [row0 + region.y, col0 + region.x, rowScale, colScale];
}
