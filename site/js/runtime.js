/* Loads what the page computes with, and reports the loading stages:
 * - onnxruntime-web and the model, in their own worker (inference-worker.js), from the start;
 * - meanwhile Python (PyScript + Pyodide) in a worker, then numpy and the shared
 *   preprocessing module; Python then checks that the model is the one the page expects.
 * Everything is served by the page's own origin. */

import { Calls } from "./calls.js";
import { Inference } from "./inference.js";
import { INK_BITMAP } from "./pad.js";

/** A URL of this site, resolved against the page (workers have no base URL of their own). */
const here = (path) => new URL(path, document.baseURI).href;

/** An error whose message is meant for the person at the page. */
export class PageError extends Error {}

/** PyScript configuration of the Python worker. */
export function pythonConfig() {
  return {
    interpreter: here("vendor/pyodide/pyodide.mjs"),
    packages: ["numpy"], // from vendor/pyodide/, checked against pyodide-lock.json
    packages_cache: "passthrough", // Pyodide loads them itself: no micropip, no cache DB
    files: {
      [here("py/preprocess.py")]: "./preprocess.py",
      [here("py/model_check.py")]: "./model_check.py",
    },
  };
}

async function startPython() {
  const config = pythonConfig();
  try {
    const { PyWorker } = await import("../vendor/pyscript/core.js"); // after the inference worker has started
    // PyWorker only gives the worker PyScript's own Python package once PyScript has set
    // up its plugins, which it marks by defining the <py-script> element.
    await customElements.whenDefined("py-script");
    return await PyWorker(here("py/worker.py"), { config, version: config.interpreter });
  } catch (error) {
    throw new PageError(`Python could not start in this browser: ${error?.message ?? error}`);
  }
}

/** White paper with a black bar: something to predict before the person draws. */
function sampleDrawing(size) {
  const rgba = new Uint8ClampedArray(size * size * 4).fill(255);
  for (let y = size / 4; y < (3 * size) / 4; y++) {
    for (let x = size / 2 - 9; x < size / 2 + 9; x++) rgba.fill(0, 4 * (y * size + x), 4 * (y * size + x) + 3);
  }
  return rgba;
}

/** Probabilities from logits (softmax, no temperature yet). */
export function softmax(logits) {
  const top = Math.max(...logits);
  const exps = Array.from(logits, (z) => Math.exp(z - top));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}

/**
 * Loads everything for the model `modelName` (site/models/<name>.onnx).
 * `reportStage(stage, status, detail)` is told of each stage: python, numpy, model.
 * Resolves to {model: {name, version, cam}, predict(pixels, options) -> Promise<prediction>,
 * showCompanion(name, on) -> Promise<model | null>} (see below).
 */
export async function startRuntime(modelName, reportStage) {
  const onStage = (stage, status, detail) => {
    performance.mark(`digit-pad:${stage}:${status}`); // for the benchmark's breakdown
    reportStage(stage, status, detail);
  };
  const inference = new Inference(here(`models/${modelName}.onnx`), here("vendor/ort/"));
  // A model that cannot be loaded is said at once, not after Python has booted.
  const modelFailure = inference.opened.then(
    () => new Promise(() => {}),
    (error) => Promise.reject(new PageError(error.message)),
  );
  const unlessModelFailed = (promise) => Promise.race([promise, modelFailure]);

  onStage("python", "active");
  const worker = await unlessModelFailed(startPython());
  const python = worker.sync;
  onStage("python", "done");

  onStage("numpy", "active");
  const numpyVersion = await unlessModelFailed(python.load_numpy());
  onStage("numpy", "done", `numpy ${numpyVersion}`);

  onStage("model", "active");
  const opened = await unlessModelFailed(inference.opened);
  const model = await python.check_model(opened.model, opened.inputs, opened.outputs, modelName);
  if (!model.ok) throw new PageError(model.error);
  onStage("model", "done", `${model.name} (format ${model.version})`);

  const drawings = await portTo(worker);

  /** From now on every input Python prepares goes straight to this model too, on a port of their own. */
  async function connect(entry) {
    const { port1, port2 } = new MessageChannel();
    const fetches = entry.model.cam ? [entry.model.fetch, entry.model.cam] : [entry.model.fetch];
    await entry.inference.listen(port1, entry.model.feed, fetches);
    await drawings.call({ type: "connect", name: entry.name, port: port2 }, [port2]);
    return entry;
  }

  const main = await connect({ name: modelName, inference, model });
  const companions = new Map(); // name -> {name, inference, model}: models loaded to predict alongside
  const shown = new Set(); // the names of those that do now
  const size = INK_BITMAP.size;
  let predictions = 0;

  /**
   * The prediction for a region of the RGBA ink bitmap ({data, x, y, width, height}, see
   * pad.js inkRegion: every inked pixel lies inside it): {digit (null: no ink), probs, pixels (28x28
   * input in [0, 1]), cam ({data: Float32Array [10 * h * w], h, w} or null), frame
   * (where the input lies on the bitmap, see worker.py), others: {name: {digit, probs}}
   * for the companions, ms: {preprocess, inference, companions}}. The models run at the
   * same time, each in its own worker. Without `centre`, preprocessing centres the
   * digit's box rather than its centre of mass.
   */
  async function predict(region, { centre = true } = {}) {
    const id = `prediction-${predictions++}`;
    const models = [main, ...[...shown].map((name) => companions.get(name))];
    const answers = models.map((m) => m.inference.result(id).then((answer) => answer && classify(m, answer)));
    const forget = () => models.forEach((m) => m.inference.forget(id));
    const { data: rgba, width, height } = region;
    const prepared = await drawings.call({ type: "prepare", rgba, width, height, centre, prediction: id }).catch((error) => {
      forget();
      throw error;
    });
    if (prepared.pixels == null) {
      forget();
      const ms = { preprocess: prepared.ms, inference: 0, companions: 0 };
      return { digit: null, probs: [], pixels: [], cam: null, frame: null, others: {}, ms };
    }
    const [first, ...rest] = await Promise.all(answers);
    return {
      ...first,
      pixels: Array.from(prepared.pixels),
      frame: onBitmap(prepared.frame, region),
      others: Object.fromEntries(rest.filter(Boolean).map((r) => [r.name, r])),
      ms: {
        preprocess: prepared.ms,
        inference: first.ms,
        companions: Math.max(0, ...rest.filter(Boolean).map((r) => r.ms)),
      },
    };
  }

  /**
   * `on`: from now on predicts with `name` (site/models/<name>.onnx) too (in `others`),
   * loading it the first time in an onnxruntime worker of its own and checking it like
   * the main model; resolves to its description, or rejects with a PageError in plain
   * words. Not `on`: stops predicting with it (it stays loaded, idle); resolves to null.
   * Calls must not overlap (main.js chains them).
   */
  async function showCompanion(name, on) {
    if (!on) {
      if (shown.delete(name)) {
        await drawings.call({ type: "disconnect", name });
        await companions.get(name).inference.stop();
      }
      return null;
    }
    if (!companions.has(name)) companions.set(name, await loadCompanion(name));
    const entry = companions.get(name);
    if (!shown.has(name)) await connect(entry);
    shown.add(name);
    return entry.model;
  }

  async function loadCompanion(name) {
    const companion = new Inference(here(`models/${name}.onnx`), here("vendor/ort/"));
    let opened;
    try {
      opened = await companion.opened;
    } catch (error) {
      companion.worker.terminate();
      throw new PageError(error.message);
    }
    const checked = await python.check_model(opened.model, opened.inputs, opened.outputs, name);
    if (!checked.ok) {
      companion.worker.terminate();
      throw new PageError(checked.error);
    }
    return { name, inference: companion, model: checked };
  }

  await predict({ data: sampleDrawing(size), x: 0, y: 0, width: size, height: size }); // first runs allocate and fill caches: not on the first stroke
  return { model, predict, showCompanion };
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

/** One model's answer from its outputs ({outputs, ms}, see Inference.result): {name, digit, probs, cam, ms}. */
function classify({ name, model }, { outputs, ms }) {
  const probs = softmax(outputs[model.fetch].data);
  const digit = probs.indexOf(Math.max(...probs));
  let cam = null;
  if (model.cam) {
    const [, , h, w] = outputs[model.cam].dims;
    cam = { data: outputs[model.cam].data, h, w };
  }
  return { name, digit, probs, cam, ms };
}
