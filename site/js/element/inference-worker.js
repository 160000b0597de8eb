/* onnxruntime-web in a worker of its own, one per model and page (runtime.js), started
 * as soon as the first <digit-pad> that needs that model is on the page.
 *
 * Why not in the Python worker: PyScript imports a worker's js_modules only after
 * Pyodide has booted, so onnxruntime's 14 MB of WebAssembly and the model would load
 * after Python (+0.5 s measured). Here they load while Pyodide boots, and inference
 * never blocks the page's main thread.
 *
 * Messages in: {id, type: "open", modelUrl, wasmPaths, downloads (the channel its downloads are counted on,
 * download-counter.js)}, then {id, type: "listen", port,
 * feed, fetches (output names), layerFetches (the layer view's outputs)}: from then on the
 * Python worker sends each prepared input meant for this model, {id, input, shape, layers},
 * on that MessagePort, and the outputs go to the page (with `layers`, the layer view's
 * too); {id, type: "constants", feed, fetches}: outputs that do not depend on the input
 * (the layer view's kernels); {id, type: "ping"}: answered at once (the page checks that it is
 * alive, see worker-health.js). Out, to the page: {id, ok: true, ...} or {id, ok: false, error}. The
 * input never passes through the page's main thread, where it would wait behind the
 * person's drawing. With one worker per model, two models run side by side.
 */

import * as ort from "../../vendor/ort/ort.wasm.min.mjs";

import { countDownloads } from "./download-counter.js";

let session = null;
let listening = null; // the port inputs come on (a Python worker's); a new one replaces it when Python restarts

function describe(metadata) {
  return metadata.map(({ name, type, shape }) => ({ name, type: type ?? "", shape: shape ?? [] }));
}

async function open({ modelUrl, wasmPaths, downloads }) {
  // The page's bar shows the model and onnxruntime's wasm arriving (downloads.js); its module, imported
  // above, is here already.
  countDownloads(downloads, [new URL("../../vendor/ort/ort.wasm.min.mjs", import.meta.url).href]);
  ort.env.wasm.numThreads = 1; // one thread: no extra workers, no SharedArrayBuffer needed
  ort.env.wasm.wasmPaths = wasmPaths;
  const file = modelUrl.split("/").slice(-2).join("/");
  let response;
  try {
    response = await fetch(modelUrl);
  } catch (error) {
    throw new Error(`The model file ${file} could not be fetched (${error.message}).`);
  }
  if (!response.ok) {
    throw new Error(
      `The model file ${file} could not be loaded (the server answered ${response.status} ` +
        `${response.statusText}). Was the model exported into site/models before the build?`,
    );
  }
  const bytes = new Uint8Array(await response.arrayBuffer());
  try {
    session = await ort.InferenceSession.create(bytes);
  } catch (error) {
    throw new Error(`The model file ${file} is not a model onnxruntime can read (${error.message}).`);
  }
  await warmUp(session);
  return {
    reply: { model: bytes, inputs: describe(session.inputMetadata), outputs: describe(session.outputMetadata) },
    transfer: [bytes.buffer],
  };
}

/** One run on zeros, while Python is still booting: the first run allocates its buffers. */
async function warmUp(session) {
  const inputs = {};
  for (const { name, type, shape } of describe(session.inputMetadata)) {
    if (type !== "float32") return; // not a model the page can use: the check will say why
    const dims = shape.map((d) => (typeof d === "number" && d > 0 ? d : 1));
    inputs[name] = new ort.Tensor("float32", new Float32Array(dims.reduce((a, b) => a * b, 1)), dims);
  }
  try {
    await session.run(inputs);
  } catch {
    // an unusable model: reported by the model check, in plain words
  }
}

/** Inputs that come on `port` are run, feeding `feed` and fetching `fetches`; the page
 * gets the outputs. (Python sends an input only to the models that are to read it: a
 * model nobody asks costs nothing per drawing.) */
function listen({ port, feed, fetches, layerFetches = [] }) {
  listening?.close();
  listening = port;
  port.onmessage = ({ data }) => {
    const wanted = data.layers ? [...fetches, ...layerFetches] : fetches;
    answer(data.id, () => run({ ...data, feed, fetches: wanted }));
  };
  return { reply: {}, transfer: [] };
}

/** Replies {outputs: {name: {data, dims}}, ms} for the output names in `fetches`. */
async function run({ input, shape, feed, fetches }) {
  const start = performance.now();
  const tensor = new ort.Tensor("float32", input, shape);
  const results = await session.run({ [feed]: tensor }, fetches);
  const outputs = {};
  for (const name of fetches) outputs[name] = { data: results[name].data, dims: results[name].dims };
  tensor.dispose();
  return { reply: { outputs, ms: performance.now() - start }, transfer: [] };
}

/** Outputs that do not depend on the input (the kernels), read with one input of zeros: {outputs}. */
async function constants({ feed, fetches }) {
  const [, ...dims] = describe(session.inputMetadata).find(({ name }) => name === feed).shape;
  const shape = [1, ...dims];
  return run({ input: new Float32Array(shape.reduce((a, b) => a * b, 1)), shape, feed, fetches });
}

/** Tells the page the outcome of `work` for message `id`. */
async function answer(id, work) {
  try {
    const { reply, transfer } = await work();
    postMessage({ id, ok: true, ...reply }, transfer);
  } catch (error) {
    postMessage({ id, ok: false, error: error?.message ?? String(error) });
  }
}

const ping = () => ({ reply: {}, transfer: [] });

const handlers = { open, listen, constants, ping };

onmessage = ({ data }) => answer(data.id, () => handlers[data.type](data));
