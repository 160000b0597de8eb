/* When a worker dies (worker-health.js finds it), a new one is started in its place (runtime.js says
 * how), one restart at a time, and the page's elements are told in plain words. A worker that died
 * STRIKES times within STRIKE_WINDOW_MS is not restarted again: it would most likely die once more,
 * and the person is told what to do instead. */

import { WorkerLost } from "./errors.js";

export const STRIKES = 3;
export const STRIKE_WINDOW_MS = 60_000;
export const RESTART_TIMEOUT_MS = 90_000; // Python boots again: as long as a first load may take on a slow device

/** What a worker is called in the messages: Python, or the model it runs ("The CNN"). */
const called = (model) => (model === null ? "Python" : `The ${model.toUpperCase()}`);

export class Restarts {
  constructor() {
    this.deaths = new Map(); // model name ("" for Python) -> when its worker died (performance.now()), the last minute's
    this.watchers = new Set();
    this.queue = Promise.resolve(); // the restarts, one after the other
    this.underway = 0; // restarts queued or running
  }

  /** `watcher({status, model, message})` is told each time a worker (of `model`; null: Python's) is
   * "lost" (it died and is being restarted; `message` says so), "back", or "gave-up" (`message` says
   * what to do). Returns a function that stops telling it. */
  watch(watcher) {
    this.watchers.add(watcher);
    return () => this.watchers.delete(watcher);
  }

  /** Resolves once no restart is under way (at once when none is). */
  async settled() {
    while (this.underway) await this.queue;
  }

  /**
   * The worker of `model` (null: Python's) died, `reason` in plain words. `restart(signal)` is run after
   * the restarts already queued: it starts a new one and resolves once it is in service, or rejects (a
   * death too; with a `final` error, the last); when it takes over RESTART_TIMEOUT_MS `signal` aborts, and
   * it must end what it started. The STRIKES-th death within STRIKE_WINDOW_MS is not restarted:
   * `giveUp(error)` is told instead (a final WorkerLost saying what to do).
   */
  lost({ model, reason, restart, giveUp }) {
    const now = performance.now();
    const key = model ?? "";
    const deaths = [...(this.deaths.get(key) ?? []).filter((time) => now - time < STRIKE_WINDOW_MS), now];
    this.deaths.set(key, deaths);
    if (deaths.length >= STRIKES) {
      this.#giveUp(model, `${called(model)} stopped working ${STRIKES} times in a minute, so the page stopped restarting it. Reload the page to go on.`, giveUp);
      return;
    }
    this.#tell({ status: "lost", model, message: `${called(model)} stopped working (${reason}). Restarting it… your drawing is kept.` });
    this.underway++;
    this.queue = this.queue
      .then(() => withTimeout(restart))
      .then(
        () => {
          this.underway--;
          this.#tell({ status: "back", model, message: "" });
        },
        (error) => {
          this.underway--;
          if (error?.final) this.#giveUp(model, error.message, giveUp);
          else this.lost({ model, reason: `it could not start again: ${error?.message ?? error}`, restart, giveUp });
        },
      );
  }

  /** The page let the worker of `model` go on purpose (runtime.js leave): its deaths so far are forgotten. */
  forget(model) {
    this.deaths.delete(model ?? "");
  }

  #giveUp(model, message, giveUp) {
    giveUp(new WorkerLost(message, { final: true }));
    this.#tell({ status: "gave-up", model, message });
  }

  #tell(event) {
    for (const watcher of this.watchers) watcher(event);
  }
}

/** `restart(signal)`, rejected once it took over RESTART_TIMEOUT_MS (and `signal` aborted: it ends what it started). */
async function withTimeout(restart) {
  const controller = new AbortController();
  const late = new Promise((_, reject) => {
    controller.signal.addEventListener("abort", () => reject(controller.signal.reason));
  });
  const timer = setTimeout(() => controller.abort(new Error(`it took over ${RESTART_TIMEOUT_MS / 1000} s`)), RESTART_TIMEOUT_MS);
  const running = restart(controller.signal);
  running.catch(() => {}); // once late, its own failure is nobody's concern
  try {
    return await Promise.race([running, late]);
  } finally {
    clearTimeout(timer);
  }
}
