/* The page's Python (py/worker.py): PyScript + Pyodide started in a worker, numpy loaded, and a
 * MessagePort of its own for the drawings; and the way a model's worker is connected to it. */

import { Calls } from "./calls.js";
import { countedInterpreter } from "./downloads.js";
import { PageError, WorkerLost } from "./errors.js";
import { watchWorker } from "./worker-health.js";

const PORT_TIMEOUT_MS = 10_000; // Python is up by then: it answers at once, unless something is broken

export class PythonWorker {
  /**
   * Starts Python with the PyScript `config` running `url` (py/worker.py), then numpy and the port;
   * `report(stage, status, detail)` is told the loading stages "python" and "numpy". Rejects with a
   * PageError in plain words.
   */
  static async start(config, url, report = () => {}) {
    report("python", "active");
    const worker = await startPyWorker(config, url);
    report("python", "done");
    report("numpy", "active");
    try {
      const numpyVersion = await worker.sync.load_numpy();
      const drawings = await portTo(worker);
      report("numpy", "done", `numpy ${numpyVersion}`);
      return new PythonWorker(worker, drawings);
    } catch (error) {
      worker.terminate();
      throw error;
    }
  }

  constructor(worker, drawings) {
    this.worker = worker; // PyScript's worker (a Worker)
    this.exports = worker.sync; // PyScript's calls to worker.py's exports
    this.drawings = drawings; // Calls over the port drawings go on (worker.py _on_request)
    this.health = null;
    this.gone = new Promise((_, reject) => (this.end = reject)); // rejects once it is closed
    this.gone.catch(() => {});
  }

  /** `died(reason)` is told once, when it is found dead (worker-health.js). */
  watch(died) {
    this.health = watchWorker(this.worker, this.drawings, died);
  }

  /** worker.py check_model; rejects once the worker is closed (a PyScript call to a dead worker never returns). */
  checkModel(model, inputs, outputs, name) {
    return Promise.race([this.exports.check_model(model, inputs, outputs, name), this.gone]);
  }

  /** From now on every input Python prepares for `model` goes straight to its worker, on a port of their own. */
  async connect(model) {
    const { port1, port2 } = new MessageChannel();
    const fetches = [model.fetch, model.cam, model.notDigit, model.features].filter(Boolean);
    await model.inference.listen(port1, model.feed, fetches, model.layers?.activations ?? []);
    await this.drawings.call({ type: "connect", name: model.name, port: port2 }, [port2]);
  }

  /** Ends the worker: what is awaited from it, and every call from now on, fails with `error` (a WorkerLost). */
  close(error) {
    this.health?.stop();
    this.drawings.close(error);
    this.end(error);
    try {
      this.worker.terminate();
    } catch {
      // PyScript's terminate() of a worker already ended (by the browser, or a test) may throw: it is ended
    }
  }
}

async function startPyWorker(config, url) {
  try {
    const { PyWorker } = await import("../../vendor/pyscript/core.js"); // after the first model's worker has started
    // PyWorker only gives the worker PyScript's own Python package once PyScript has set
    // up its plugins, which it marks by defining the <py-script> element.
    await customElements.whenDefined("py-script");
    // The same Pyodide, its downloads counted for the page's bar (downloads.js).
    return await PyWorker(url, { config, version: countedInterpreter(config.interpreter) });
  } catch (error) {
    throw new PageError(`Python could not start in this browser: ${error?.message ?? error}`);
  }
}

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
  try {
    await Promise.race([listening, silence]);
  } catch (error) {
    calls.close(new WorkerLost(error.message, { final: true }));
    throw error;
  } finally {
    clearTimeout(timer);
  }
  return calls;
}
