/* Calls over a message target (a Worker or a MessagePort) whose other end answers each
 * message {id, ...} with {id, ok: true, ...} or {id, ok: false, error}. */

export class Calls {
  constructor(target) {
    this.target = target;
    this.pending = new Map(); // id -> {resolve, reject}
    this.nextId = 0;
    this.closed = null; // once the other end is gone: the error every call gets (close)
    this.silence = null; // {ms, silent}: see watchSilence
    this.timer = 0; // the silence clock, running while answers are awaited
    target.onmessage = ({ data }) => this.#settle(data); // (a port starts delivering once this is set)
  }

  /** Posts `message` with a fresh id; resolves to the answer, or rejects with its error. */
  call(message, transfer = []) {
    const id = this.nextId++;
    const answer = this.expect(id);
    if (!this.closed) this.target.postMessage({ id, ...message }, transfer);
    return answer;
  }

  /** Resolves to the answer with `id`, whoever asked for it. */
  expect(id) {
    if (this.closed) return Promise.reject(this.closed);
    const answer = new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
    if (!this.timer) this.#startClock();
    return answer;
  }

  /** No answer with `id` will be awaited after all. */
  forget(id) {
    this.pending.delete(id);
    if (!this.pending.size) this.#startClock(); // (stops it)
  }

  /** Rejects every awaited answer, and every call from now on, with `error` (the other end is gone). */
  close(error) {
    this.closed = error;
    for (const { reject } of this.pending.values()) reject(error);
    this.pending.clear();
    this.watchSilence(null);
  }

  /**
   * `silent()` is told when answers have been awaited for `ms` milliseconds and nothing at all came
   * meanwhile (the other end may be gone: see worker-health.js), and again after each further `ms` of
   * silence; `watchSilence(null)` stops it. Costs a timer reset per message, nothing while idle.
   */
  watchSilence(ms, silent) {
    this.silence = ms ? { ms, silent } : null;
    this.#startClock();
  }

  /** The silence clock starts again from zero, or stops when nothing is awaited. */
  #startClock() {
    clearTimeout(this.timer);
    this.timer = 0;
    if (!this.silence || !this.pending.size || this.closed) return;
    const { ms, silent } = this.silence;
    this.timer = setTimeout(() => {
      this.timer = 0;
      silent();
    }, ms);
  }

  #settle(data) {
    const waiting = this.pending.get(data.id);
    this.pending.delete(data.id);
    this.#startClock(); // the other end answered (whatever it was): the clock starts again, or stops
    if (!waiting) return; // an answer nobody waits for any more
    if (data.ok) waiting.resolve(data);
    else waiting.reject(new Error(data.error));
  }
}
