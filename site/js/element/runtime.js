/* What the <digit-pad> elements of a page compute with, loaded once and shared by all:
 * - one Python worker (PyScript + Pyodide, python-worker.js), then numpy and the shared
 *   preprocessing module; Python checks each model before it is used (py/model_check.py);
 * - one onnxruntime-web worker per model (inference-worker.js), started before Python
 *   so that its 14 MB of WebAssembly load while Pyodide boots.
 * What they read from drawings (predictions, features, kernels) is asked of them in predictions.js.
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

import { PageError, WorkerLost } from "./errors.js";
import { Handwriting, modelIdentity } from "./handwriting.js";
import { Inference } from "./inference.js";
import { INK_BITMAP } from "./ink.js";
import { SharedStages } from "./loading-stages.js";
import { Predictions } from "./predictions.js";
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
    packages: ["numpy"], // trimmed by the build (webapp/python_trim.py), named in the site's own pyodide-lock.json
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
    this.predictions = new Predictions(this); // what the workers read from drawings (predictions.js)
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
   * `user` left the page: the workers no user needs any more are ended (release), and Python's once
   * no user is left. A user that comes later loads them again.
   */
  async leave(user) {
    this.users.delete(user);
    await this.release();
    if (this.users.size || !this.started) return;
    const python = this.pythonInService;
    [this.started, this.pythonInService] = [null, null];
    this.restarts.forget(null);
    python?.close(letGo("Python"));
  }

  /**
   * Once nothing is loading or restarting (nothing is ended half-way), ends the worker of every model
   * no user reads with any more (an element left, or its compareWith(null) let the second model go):
   * a model's worker holds its own copy of onnxruntime's WebAssembly and the model.
   */
  async release() {
    await Promise.allSettled([this.restarts.settled(), this.started, ...this.loading.values()]);
    const needed = new Set([...this.users].flatMap((u) => u.uses()));
    for (const [name, model] of this.loaded) {
      if (needed.has(name)) continue;
      this.loaded.delete(name);
      this.loading.delete(name);
      this.restarts.forget(name);
      model.inference.close(letGo(`The ${name} model's worker`));
    }
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

  /** The prediction of each model in `models` for a region of the ink bitmap (predictions.js predict). */
  predict(region, options) {
    return this.predictions.predict(region, options);
  }

  /** Number mode: the digits drawn on `pad`, read by each model in `models` (predictions.js predictNumber). */
  predictNumber(pad, options) {
    return this.predictions.predictNumber(pad, options);
  }

  /** The layer view's kernels of the loaded model `name`, or null (predictions.js kernels). */
  kernels(name) {
    return this.predictions.kernels(name);
  }

  /** The features rows of `model` for N 28x28 inputs (predictions.js features). */
  features(pixels, model) {
    return this.predictions.features(pixels, model);
  }
}

/** Why a worker no element needs was ended: a final WorkerLost (nothing restarts it). */
const letGo = (what) => new WorkerLost(`${what} was let go: no element on the page uses it.`, { final: true });

let shared = null;

/** The page's one runtime, shared by all its <digit-pad> elements (created on first use). */
export function sharedRuntime() {
  shared ??= new Runtime();
  return shared;
}

function pick(object, keys) {
  return Object.fromEntries(keys.map((key) => [key, object[key]]));
}
