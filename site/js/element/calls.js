/* Calls over a message target (a Worker or a MessagePort) whose other end answers each
 * message {id, ...} with {id, ok: true, ...} or {id, ok: false, error}. */

export class Calls {
  constructor(target) {
    this.target = target;
    this.pending = new Map(); // id -> {resolve, reject}
    this.nextId = 0;
    target.onmessage = ({ data }) => this.#settle(data); // (a port starts delivering once this is set)
  }

  /** Posts `message` with a fresh id; resolves to the answer, or rejects with its error. */
  call(message, transfer = []) {
    const id = this.nextId++;
    const answer = this.expect(id);
    this.target.postMessage({ id, ...message }, transfer);
    return answer;
  }

  /** Resolves to the answer with `id`, whoever asked for it. */
  expect(id) {
    return new Promise((resolve, reject) => this.pending.set(id, { resolve, reject }));
  }

  /** No answer with `id` will be awaited after all. */
  forget(id) {
    this.pending.delete(id);
  }

  /** Rejects every awaited answer with `error` (the other end is gone). */
  failAll(error) {
    for (const { reject } of this.pending.values()) reject(error);
    this.pending.clear();
  }

  #settle(data) {
    const { resolve, reject } = this.pending.get(data.id) ?? {};
    if (!resolve) return; // an answer nobody waits for any more
    this.pending.delete(data.id);
    if (data.ok) resolve(data);
    else reject(new Error(data.error));
  }
}
