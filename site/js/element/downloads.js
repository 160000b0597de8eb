/* What the page's workers have downloaded so far, file by file. The big files (Pyodide's wasm,
 * Python's standard library, numpy, onnxruntime-web's wasm, the model) are fetched inside workers,
 * where the page cannot see them: each worker counts its own (download-counter.js) and tells the page
 * on one BroadcastChannel, named for this page alone (another tab of the site has its own). */

/** The channel's name: the workers are given it (python-worker.js, inference.js). */
export const DOWNLOADS_CHANNEL = `digit-pad:downloads:${Date.now().toString(36)}:${Math.random().toString(36).slice(2)}`;

/** The interpreter PyScript's worker is given instead of `interpreter` (pyodide.mjs's URL): the same
 * Pyodide, its downloads counted (counted-pyodide.js). */
export function countedInterpreter(interpreter) {
  const query = new URLSearchParams({ interpreter, downloads: DOWNLOADS_CHANNEL });
  return new URL(`./counted-pyodide.js?${query}`, import.meta.url).href;
}

class Downloads {
  constructor() {
    this.bytes = new Map(); // URL -> bytes arrived so far (never less than told before)
    this.whole = new Set(); // URLs whose file has arrived whole
    this.listeners = new Set();
    new BroadcastChannel(DOWNLOADS_CHANNEL).onmessage = ({ data }) => this.#told(data);
  }

  /** `listener()` is told each time a file has more bytes; returns a function that stops telling it. */
  watch(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The bytes of the file at `url` that have arrived: `size` once it is whole (it may have come
   * without a count: a module a worker imported). */
  arrived(url, size) {
    return this.whole.has(url) ? size : Math.min(this.bytes.get(url) ?? 0, size);
  }

  #told({ url, loaded = 0, done = false }) {
    const path = url.split(/[?#]/)[0];
    this.bytes.set(path, Math.max(this.bytes.get(path) ?? 0, loaded));
    if (done) this.whole.add(path);
    for (const listener of this.listeners) listener();
  }
}

let shared = null;

/** The page's one record of downloads, listening from the first call on. */
export function sharedDownloads() {
  shared ??= new Downloads();
  return shared;
}
