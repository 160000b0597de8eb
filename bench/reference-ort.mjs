// The worker of reference-ort.html: onnxruntime-web as the page's inference worker runs it
// (site/js/element/inference-worker.js: one thread, one warm-up run), and nothing else.
import * as ort from "./vendor/ort/ort.wasm.min.mjs";

let session = null;

async function open({ modelUrl, wasmPaths }) {
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.wasmPaths = wasmPaths;
  const response = await fetch(modelUrl);
  if (!response.ok) throw new Error(`${modelUrl}: ${response.status} ${response.statusText}`);
  session = await ort.InferenceSession.create(new Uint8Array(await response.arrayBuffer()));
  const [{ name, shape }] = session.inputMetadata;
  const dims = shape.map((d) => (typeof d === "number" && d > 0 ? d : 1));
  await session.run({ [name]: new ort.Tensor("float32", new Float32Array(dims.reduce((a, b) => a * b, 1)), dims) });
  return {};
}

async function run({ input, shape, feed, fetches }) {
  const tensor = new ort.Tensor("float32", input, shape);
  const results = await session.run({ [feed]: tensor }, fetches);
  const outputs = {};
  for (const name of fetches) outputs[name] = { data: results[name].data, dims: results[name].dims };
  tensor.dispose();
  return { outputs };
}

const handlers = { open, run };

onmessage = async ({ data }) => {
  try {
    postMessage({ ok: true, ...(await handlers[data.type](data)) });
  } catch (error) {
    postMessage({ ok: false, error: error?.message ?? String(error) });
  }
};
