/* The loading stages every <digit-pad> element shows, and the performance marks the benchmark reads. */

/** Performance marks `digit-pad:<stage>:<status>`, read by the benchmark. */
export function markStage(stage, status) {
  performance.mark(`digit-pad:${stage}:${status}`);
}

/**
 * The loading stages every element shows: "python" and "numpy" (shared by the page's
 * elements), each "active" then "done". A listener added late is told the stages so far.
 */
export class SharedStages {
  constructor() {
    this.reached = new Map(); // stage -> [status, detail]
    this.listeners = new Set();
  }

  /** `listener(stage, status, detail)` is told each stage reached so far, and from now on.
   * Returns a function that stops telling it. */
  watch(listener) {
    for (const [stage, [status, detail]] of this.reached) listener(stage, status, detail);
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  report(stage, status, detail = "") {
    markStage(stage, status);
    this.reached.set(stage, [status, detail]);
    for (const listener of this.listeners) listener(stage, status, detail);
  }
}
