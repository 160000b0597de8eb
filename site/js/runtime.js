/* Loads what the page computes with, and reports the loading stages:
 * - onnxruntime-web and the model, in their own worker (inference-worker.js), from the start;
 * - meanwhile Python (PyScript + Pyodide) in a worker, then numpy and the shared
 *   preprocessing module; Python then checks that the model is the one the page expects.
 * Everything is served by the page's own origin. */

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
    const worker = await PyWorker(here("py/worker.py"), { config, version: config.interpreter });
    return worker.sync;
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
 * Resolves to {model: {name, version}, predict(pixels) -> Promise<prediction>}.
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
  const python = await unlessModelFailed(startPython());
  onStage("python", "done");

  onStage("numpy", "active");
  const numpyVersion = await unlessModelFailed(python.load_numpy());
  onStage("numpy", "done", `numpy ${numpyVersion}`);

  onStage("model", "active");
  const opened = await unlessModelFailed(inference.opened);
  const model = await python.check_model(opened.model, opened.inputs, opened.outputs, modelName);
  if (!model.ok) throw new PageError(model.error);
  onStage("model", "done", `${model.name} (format ${model.version})`);

  const size = INK_BITMAP.size;
  /** {digit (null: no ink), probs, pixels (28x28 input in [0, 1]), ms: {preprocess, inference}} */
  async function predict(pixels) {
    const prepared = await python.prepare(pixels, size, size);
    if (prepared.pixels == null) {
      return { digit: null, probs: [], pixels: [], ms: { preprocess: prepared.ms, inference: 0 } };
    }
    const { logits, ms } = await inference.run(prepared.input, prepared.shape, model.feed, model.fetch);
    const probs = softmax(logits);
    const digit = probs.indexOf(Math.max(...probs));
    return { digit, probs, pixels: Array.from(prepared.pixels), ms: { preprocess: prepared.ms, inference: ms } };
  }

  await predict(sampleDrawing(size)); // first runs allocate and fill caches: not on the first stroke
  return { model, predict };
}
