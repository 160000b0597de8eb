/* The page's side of the inference worker (inference-worker.js): starts it with the
 * page, and turns its messages into promises. */

export class Inference {
  /** Starts onnxruntime-web and begins loading `modelUrl` at once. */
  constructor(modelUrl, wasmPaths) {
    this.worker = new Worker(new URL("./inference-worker.js", import.meta.url), { type: "module" });
    this.pending = new Map();
    this.nextId = 0;
    this.worker.onmessage = ({ data }) => {
      const { resolve, reject } = this.pending.get(data.id);
      this.pending.delete(data.id);
      if (data.ok) resolve(data);
      else reject(new Error(data.error));
    };
    this.worker.onerror = (event) => {
      const error = new Error(`onnxruntime-web could not start: ${event.message || "the worker failed to load"}`);
      for (const { reject } of this.pending.values()) reject(error);
      this.pending.clear();
    };
    /** Resolves to {model: Uint8Array (the ONNX file), inputs, outputs} (ports: name, type, shape). */
    this.opened = this.#call({ type: "open", modelUrl, wasmPaths });
    this.opened.catch(() => {}); // reported when awaited, after Python has started
  }

  /** {outputs: {name: {data (Float32Array), dims}}, ms} for a float32 input of `shape`,
   * feeding `feed`, reading the outputs named in `fetches`. */
  async run(input, shape, feed, fetches) {
    const { outputs, ms } = await this.#call({ type: "run", input, shape, feed, fetches });
    return { outputs, ms };
  }

  #call(message) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, ...message });
    });
  }
}
