/* What starting a dead worker again means for the runtime's two kinds of worker (restarts.js decides
 * whether and when, and tells the elements; worker-health.js finds the dead):
 * - Python: a new one, quietly (no loading stages), numpy loaded, every loaded model connected to it
 *   over a new port, and the handwriting memory handed to it (handwriting.js sendTo). The models are
 *   not checked again: the check is of the file, and their workers still run the file checked.
 * - A model's worker: a new one, on the same file (a changed file means the page must be reloaded),
 *   connected to the Python in service (a Python starting again connects it itself).
 * The runtime's `started` and each model's `inference` are replaced in place: the same model object
 * carries on (the handwriting memory and the elements hold it), and what reads with them waits for the
 * restarts under way (predictions.js #workersFor). */

import { WorkerLost } from "./errors.js";
import { modelIdentity } from "./handwriting.js";

export class Recovery {
  /**
   * `runtime` (runtime.js Runtime): its `started`, `pythonInService`, `loaded`, `loading`, `restarts`
   * and `handwriting` are what is restarted. `startPython(report)` starts a PythonWorker (python-worker.js);
   * `startInference(name)` an Inference (inference.js) of models/<name>.onnx.
   */
  constructor(runtime, { startPython, startInference }) {
    this.runtime = runtime;
    this.start = { python: startPython, inference: startInference };
  }

  /** A Python worker, started (telling `report` its stages) and watched: when it dies in service, a new
   * one takes its place; one that dies while starting is ended (its start fails). */
  async startPython(report = () => {}) {
    const python = await this.start.python(report);
    python.watch((reason) => {
      if (python === this.runtime.pythonInService) this.#pythonLost(python, reason);
      else python.close(new WorkerLost(`Python stopped while it started (${reason}).`));
    });
    return python;
  }

  /** Watches `inference`, the worker of `model`: once it is in service, a new one takes its place when it dies. */
  watchModel(model, inference) {
    inference.watch((reason) => {
      if (inference.inService) this.#modelLost(model, reason);
      else inference.close(new WorkerLost(`The ${model.name} model's worker stopped while it started (${reason}).`));
    });
  }

  #pythonLost(dead, reason) {
    const runtime = this.runtime;
    runtime.pythonInService = null;
    let back, gaveUp;
    runtime.started = new Promise((resolve, reject) => ([back, gaveUp] = [resolve, reject]));
    runtime.started.catch(() => {});
    const restart = async (signal) => back(await this.#restartPython(signal));
    runtime.restarts.lost({ model: null, reason, restart, giveUp: gaveUp });
    dead.close(new WorkerLost(`Python stopped working (${reason}).`)); // (after: what awaited it waits for the new one)
  }

  async #restartPython(signal) {
    const python = await this.startPython();
    try {
      signal.throwIfAborted();
      for (const model of this.runtime.loaded.values()) {
        // (a model whose worker died too is connected by its own restart, queued after this one)
        if (!model.lost && !model.inference.calls.closed) await python.connect(model);
      }
      await this.runtime.handwriting.sendTo(python.drawings);
      signal.throwIfAborted();
    } catch (error) {
      python.close(new WorkerLost("Python could not start again.", { final: true }));
      throw error;
    }
    this.runtime.pythonInService = python;
    return python;
  }

  #modelLost(model, reason) {
    const { loading, restarts } = this.runtime;
    const dead = model.inference;
    const giveUp = (lost) => {
      model.lost = lost; // what reads with it gets this error from now on
      loading.set(model.name, Promise.reject(lost));
      loading.get(model.name).catch(() => {});
    };
    restarts.lost({ model: model.name, reason, restart: (signal) => this.#restartModel(model, signal), giveUp });
    dead.close(new WorkerLost(`The ${model.name} model's worker stopped (${reason}).`));
  }

  async #restartModel(model, signal) {
    const inference = this.start.inference(model.name);
    try {
      const file = await inference.opened;
      signal.throwIfAborted();
      if (modelIdentity(model.name, file.model) !== model.identity) {
        throw new WorkerLost(`The model file models/${model.name}.onnx changed on the server. Reload the page to go on.`, { final: true });
      }
      model.inference = inference;
      this.watchModel(model, inference);
      await this.runtime.pythonInService?.connect(model);
      signal.throwIfAborted();
    } catch (error) {
      inference.close();
      throw error;
    }
    inference.inService = true;
  }
}
