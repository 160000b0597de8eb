/* The page's side of an inference worker (inference-worker.js): starts it, and turns its
 * messages into promises. */

import { Calls } from "./calls.js";
import { DOWNLOADS_CHANNEL } from "./downloads.js";
import { WorkerLost } from "./errors.js";
import { watchWorker } from "./worker-health.js";

export class Inference {
  /** Starts onnxruntime-web and begins loading `modelUrl` at once. */
  constructor(modelUrl, wasmPaths) {
    this.worker = new Worker(new URL("./inference-worker.js", import.meta.url), { type: "module" });
    this.calls = new Calls(this.worker);
    this.health = null; // once it is up: what watches it (worker-health.js)
    this.inService = false; // its model reads drawings with it (runtime.js): a death there is restarted
    this.worker.onerror = (event) => {
      if (this.health) return; // up: its death is the watch's business
      this.calls.close(new Error(`onnxruntime-web could not start: ${event.message || "the worker failed to load"}`));
    };
    /** Resolves to {model: Uint8Array (the ONNX file), inputs, outputs} (ports: name, type, shape). */
    this.opened = this.calls.call({ type: "open", modelUrl, wasmPaths, downloads: DOWNLOADS_CHANNEL });
    this.opened.catch(() => {}); // reported when awaited, after Python has started
  }

  /** `died(reason)` is told once, when the worker is found dead (worker-health.js). */
  watch(died) {
    this.health = watchWorker(this.worker, this.calls, died);
  }

  /** From now on inputs that come on the MessagePort `port` ({id, input, shape}) are fed
   * to the model's `feed`, and it reads the outputs named in `fetches` (and those in
   * `layerFetches` for an input sent with `layers`): see `result`.
   * Resolves once the model listens. */
  async listen(port, feed, fetches, layerFetches = []) {
    await this.calls.call({ type: "listen", port, feed, fetches, layerFetches }, [port]);
  }

  /** Resolves to {outputs: {name: {data, dims}}}: outputs in `fetches` that do not depend on the input. */
  constants(feed, fetches) {
    return this.calls.call({ type: "constants", feed, fetches });
  }

  /** Resolves to {outputs: {name: {data (Float32Array), dims}}, ms} once the input
   * sent with `id` (a string) has been run. */
  result(id) {
    return this.calls.expect(id);
  }

  /** Forgets `result(id)`: no input with that id was sent after all. */
  forget(id) {
    this.calls.forget(id);
  }

  /** Ends the worker (a model that failed its check, that died, or that no element uses): what is
   * awaited from it, and every call from now on, fails with `error`. */
  close(error = new WorkerLost("The model's worker was ended.", { final: true })) {
    this.health?.stop();
    this.calls.close(error);
    this.worker.terminate();
  }
}
