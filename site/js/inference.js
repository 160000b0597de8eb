/* The page's side of the inference worker (inference-worker.js): starts it with the
 * page, and turns its messages into promises. */

export class Inference {
  /** Starts onnxruntime-web and begins loading `modelUrl` at once. */
  constructor(modelUrl, wasmPaths) {
    this.worker = new Worker(new URL("./inference-worker.js", import.meta.url), { type: "module" });
    this.pending = new Map();
    this.nextId = 0;
    this.worker.onmessage = ({ data }) => {
      const { resolve, reject } = this.pending.get(data.id) ?? {};
      if (!resolve) return; // a result nobody waits for any more
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

  /** From now on inputs broadcast on the BroadcastChannel named `channel` ({id, input,
   * shape}) are fed to the model's `feed`, and it reads the outputs named in `fetches`:
   * see `result`. Resolves once the model listens. */
  async listen(channel, feed, fetches) {
    await this.#call({ type: "listen", channel, feed, fetches });
  }

  /** Stops taking the broadcast inputs. Results still awaited resolve to null. */
  async stop() {
    for (const [id, { resolve }] of this.pending) {
      if (typeof id !== "string") continue; // a result(id), not a call of its own
      this.pending.delete(id);
      resolve(null);
    }
    await this.#call({ type: "listen", channel: null });
  }

  /** Resolves to {outputs: {name: {data (Float32Array), dims}}, ms} once the input
   * broadcast with `id` (a string) has been run (null if the model stopped listening first). */
  result(id) {
    return new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
  }

  /** Forgets `result(id)`: no input with that id was sent after all. */
  forget(id) {
    this.pending.delete(id);
  }

  #call(message) {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, ...message });
    });
  }
}
