/* What the <digit-pad> elements of a page compute with, loaded once and shared by all:
 * - one Python worker (PyScript + Pyodide), then numpy and the shared preprocessing
 *   module; Python checks each model before it is used (py/model_check.py);
 * - one onnxruntime-web worker per model (inference-worker.js), started before Python
 *   so that its 14 MB of WebAssembly load while Pyodide boots.
 * Each drawing is prepared once by Python and sent straight to the workers of the models
 * that are to read it; the answers come back to whoever asked, keyed by a page-wide id.
 *
 * Every file is found relative to this module (js/element/runtime.js), not to the page:
 * the site can live under any path of the page's origin. Workers must be same-origin
 * with the page, so embedding from another origin is not supported. */

import { classify, classifyBatch, recalled } from "./answers.js";
import { Calls } from "./calls.js";
import { Handwriting, modelIdentity } from "./handwriting.js";
import { Inference } from "./inference.js";
import { INK_BITMAP, inkWidth } from "./ink.js";

/** The site's root folder (this file is js/element/runtime.js in it). */
const SITE_ROOT = new URL("../../", import.meta.url);

/** A URL of a site file, e.g. "models/cnn.onnx" (workers have no base URL of their own). */
export const siteUrl = (path) => new URL(path, SITE_ROOT).href;

/** An error whose message is meant for the person at the page. */
export class PageError extends Error {}

/** Performance marks `digit-pad:<stage>:<status>`, read by the benchmark. */
export function markStage(stage, status) {
  performance.mark(`digit-pad:${stage}:${status}`);
}

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

/**
 * The loading stages every element shows: "python" and "numpy" (shared by the page's
 * elements), each "active" then "done". A listener added late is told the stages so far.
 */
class SharedStages {
  constructor() {
    this.reached = new Map(); // stage -> [status, detail]
    this.listeners = new Set();
  }

  /** `listener(stage, status, detail)` is told each stage reached so far, and from now on. */
  watch(listener) {
    for (const [stage, [status, detail]] of this.reached) listener(stage, status, detail);
    this.listeners.add(listener);
  }

  report(stage, status, detail = "") {
    markStage(stage, status);
    this.reached.set(stage, [status, detail]);
    for (const listener of this.listeners) listener(stage, status, detail);
  }
}

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
    this.started = null; // Promise of the Python worker, once asked for
    this.loading = new Map(); // name -> Promise of a model, once asked for
    this.loaded = new Map(); // name -> a model that is checked, connected and warm
    this.predictions = 0;
    this.handwriting = new Handwriting(this); // the page's handwriting memory (<digit-pad learn>)
  }

  /** Python, started the first time it is asked for: resolves to {exports, drawings}
   * (PyScript's calls to worker.py's exports; the port drawings go on). */
  python() {
    if (!this.started) {
      this.started = this.#startPython();
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
      loading.catch(() => this.loading.delete(name));
    }
    return this.loading.get(name);
  }

  async #startPython() {
    this.stages.report("python", "active");
    const worker = await startPyWorker();
    this.stages.report("python", "done");
    this.stages.report("numpy", "active");
    const numpyVersion = await worker.sync.load_numpy();
    const drawings = await portTo(worker);
    this.stages.report("numpy", "done", `numpy ${numpyVersion}`);
    return { exports: worker.sync, drawings };
  }

  async #loadModel(name) {
    const inference = new Inference(siteUrl(`models/${name}.onnx`), siteUrl("vendor/ort/"));
    const opened = inference.opened.catch((error) => Promise.reject(new PageError(error.message)));
    try {
      const [file, python] = await Promise.all([opened, this.python()]);
      const identity = modelIdentity(name, file.model);
      const checked = await python.exports.check_model(file.model, file.inputs, file.outputs, name);
      if (!checked.ok) throw new PageError(checked.error);
      const fields = ["version", "feed", "fetch", "cam", "notDigit", "features", "layers"];
      const model = { name, identity, inference, ...pick(checked, fields) };
      model.calibration = JSON.parse(checked.calibration);
      await connect(python.drawings, model);
      this.loaded.set(name, model);
      // First runs allocate and fill caches: at start-up, not on the first stroke.
      await this.predict(sampleDrawing(INK_BITMAP.size), { models: [name] });
      return model;
    } catch (error) {
      this.loaded.delete(name);
      inference.close();
      throw error;
    }
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
    const { drawings } = await this.python();
    const chosen = models.map((name) => this.loaded.get(name));
    if (chosen.includes(undefined)) throw new Error(`not loaded: ${models.join(", ")}`);
    const id = `prediction-${this.predictions++}`;
    const answers = chosen.map((m) => m.inference.result(id).then((answer) => classify(m, answer)));
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
    const { drawings } = await this.python();
    const chosen = models.map((name) => this.loaded.get(name));
    if (chosen.includes(undefined)) throw new Error(`not loaded: ${models.join(", ")}`);
    const strokes = pad.allStrokes;
    const id = `prediction-${this.predictions++}`;
    const answers = chosen.map((m) => m.inference.result(id).then((answer) => classifyBatch(m, answer)));
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
    })();
    return model.kernels;
  }

  /** The features rows (Float32Arrays) of `model` for N 28x28 inputs in [0, 1] (a Float32Array of N x 784):
   * prepared by Python as any drawing, read in one batch. */
  async features(pixels, model) {
    const { drawings } = await this.python();
    const id = `features-${this.predictions++}`;
    const result = model.inference.result(id);
    try {
      await drawings.call({ type: "embed", pixels, prediction: id, models: [model.name] });
    } catch (error) {
      model.inference.forget(id);
      throw error;
    }
    const { data, dims } = (await result).outputs[model.features];
    return Array.from({ length: dims[0] }, (_, i) => data.slice(i * dims[1], (i + 1) * dims[1]));
  }
}

const strokeIds = new WeakMap(); // a stroke (its array of points, pad.js) -> a number of its own
let strokesSeen = 0;

/** Each stroke's identity (an Int32Array): what a digit's answer is remembered by (an undone
 * stroke's place may be taken by another; see worker.py read_number). */
function identities(strokes) {
  return Int32Array.from(strokes, (stroke) => {
    if (!strokeIds.has(stroke)) strokeIds.set(stroke, strokesSeen++);
    return strokeIds.get(stroke);
  });
}

/** Strokes as Python takes them: {points: Float64Array of x, y pairs, lengths: Int32Array}. */
function packed(strokes) {
  const lengths = Int32Array.from(strokes, (points) => points.length);
  const points = new Float64Array(2 * lengths.reduce((a, b) => a + b, 0));
  let at = 0;
  for (const stroke of strokes) {
    for (const [x, y] of stroke) {
      points[at++] = x;
      points[at++] = y;
    }
  }
  return { points, lengths };
}

/** A digit's box ([x, y, w, h], its path grown by the visible pen's radius) grown further
 * where the ink bitmap's pen, as wide as a fraction of the digit, is wider. */
function inkBox([x, y, w, h], strokes) {
  const grow = Math.max(0, Math.ceil((inkWidth(strokes) - INK_BITMAP.lineWidth) / 2));
  return [x - grow, y - grow, w + 2 * grow, h + 2 * grow];
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

async function startPyWorker() {
  const config = pythonConfig();
  try {
    const { PyWorker } = await import("../../vendor/pyscript/core.js"); // after the first model's worker has started
    // PyWorker only gives the worker PyScript's own Python package once PyScript has set
    // up its plugins, which it marks by defining the <py-script> element.
    await customElements.whenDefined("py-script");
    return await PyWorker(siteUrl("py/worker.py"), { config, version: config.interpreter });
  } catch (error) {
    throw new PageError(`Python could not start in this browser: ${error?.message ?? error}`);
  }
}

/** From now on every input Python prepares for `model` goes straight to its worker, on a port of their own. */
async function connect(drawings, model) {
  const { port1, port2 } = new MessageChannel();
  const fetches = [model.fetch, model.cam, model.notDigit, model.features].filter(Boolean);
  await model.inference.listen(port1, model.feed, fetches, model.layers?.activations ?? []);
  await drawings.call({ type: "connect", name: model.name, port: port2 }, [port2]);
}

const PORT_TIMEOUT_MS = 10_000; // Python is up by then: it answers at once, unless something is broken

/** Calls to the Python worker over a MessagePort of their own (see py/worker.py): far
 * cheaper per drawing than PyScript's calls. Resolves once Python listens on it. */
async function portTo(worker) {
  const { port1, port2 } = new MessageChannel();
  const calls = new Calls(port1);
  const listening = calls.expect("listening");
  worker.postMessage({ type: "digit-pad:port" }, [port2]);
  let timer;
  const silence = new Promise((_, reject) => {
    const broken = new PageError("Python started but does not take drawings (py/worker.py did not listen).");
    timer = setTimeout(() => reject(broken), PORT_TIMEOUT_MS);
  });
  await Promise.race([listening, silence]).finally(() => clearTimeout(timer));
  return calls;
}

/** A frame found on a region ([row0, col0, row_scale, col_scale]) as a frame on the whole bitmap. */
function onBitmap(frame, region) {
  const [row0, col0, rowScale, colScale] = frame;
  return [row0 + region.y, col0 + region.x, rowScale, colScale];
}
