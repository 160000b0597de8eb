/* The handwriting memory of a page (issue 37), shared by its <digit-pad learn> elements: the drawings the
 * person corrected, kept on this device (handwriting-store.js), and the memory in the Python worker that
 * blends them into the answers (py/memory.py, via worker.py "remember" and "recall": the very code the
 * offline evaluation runs).
 *
 * The memory belongs to one model: its features are that model's (`features` output). When the model
 * file changes, the kept drawings are read again by the new one and their features kept anew. When the
 * browser's storage cannot be used, the memory still learns for this visit, and `note` says why it
 * cannot keep anything. */

import { MEMORY } from "./contract.js";
import { WorkerLost } from "./errors.js";
import { HandwritingStore, StorageError } from "./handwriting-store.js";

/** A short fingerprint of a model file's bytes (FNV-1a, 32 bits) with its length: which model made a
 * drawing's features. */
export function modelIdentity(name, bytes) {
  let hash = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) hash = Math.imul(hash ^ bytes[i], 0x01000193);
  return `${name}:${bytes.length}:${(hash >>> 0).toString(16).padStart(8, "0")}`;
}

export class Handwriting {
  /** `runtime` (runtime.js Runtime): its Python takes the port calls, its `features` reads drawings again. */
  constructor(runtime) {
    this.runtime = runtime;
    this.model = null; // the loaded model the memory belongs to
    this.examples = []; // {id, digit, pixels, created, model, features}, oldest first
    this.store = null;
    this.note = ""; // why nothing is kept, in plain words ("": it is kept)
    this.loading = null;
    this.listeners = new Set();
  }

  get count() {
    return this.examples.length;
  }

  /** `listener()` is told each time the memory changes (taught, forgotten, loaded). */
  watch(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Reads the kept drawings for `model` (a loaded model with features) once; resolves when the Python
   * memory holds them. Never rejects: a storage failure leaves an empty memory and a note. */
  load(model) {
    if (this.loading && this.model === model) return this.loading;
    this.model = model;
    this.loading = this.#load(model);
    return this.loading;
  }

  async #load(model) {
    let records = [];
    try {
      this.store ??= await HandwritingStore.open();
      records = await this.store.read();
    } catch (error) {
      this.#cannotKeep(error);
    }
    const stale = records.filter((r) => r.model !== model.identity || r.features === null);
    if (stale.length) {
      // Read again by this model; if that fails, those drawings sit out this visit (they stay stored).
      await this.#readAgain(stale, model).catch(() => (records = records.filter((r) => !stale.includes(r))));
    }
    this.examples = records;
    await this.#tellPython();
  }

  /** Features of `records` by `model` (one batch through Python's preprocessing and the model), kept. */
  async #readAgain(records, model) {
    const pixels = new Float32Array(records.length * records[0].pixels.length);
    records.forEach((r, i) => pixels.set(r.pixels, i * r.pixels.length));
    const rows = await this.runtime.features(pixels, model);
    records.forEach((r, i) => Object.assign(r, { model: model.identity, features: rows[i] }));
    if (this.store) await this.store.refresh(records).catch((error) => this.#cannotKeep(error));
  }

  /** Remembers `pixels` (the 28x28 input in [0, 1]) with its `features` as `digit`; resolves to the count. */
  async teach({ digit, pixels, features }) {
    await this.loading;
    const example = { digit, pixels: Float32Array.from(pixels), model: this.model.identity, features: Float32Array.from(features) };
    let kept = { ...example, id: -1, created: Date.now() };
    if (this.store) kept = await this.store.add(example).catch((error) => (this.#cannotKeep(error), kept));
    this.examples.push(kept);
    this.examples.splice(0, Math.max(0, this.examples.length - MEMORY.capacity));
    await this.#tellPython();
    return this.count;
  }

  /** Forgets every kept drawing, on this device too. */
  async forget() {
    await this.loading;
    this.examples = [];
    if (this.store) await this.store.clear().catch((error) => this.#cannotKeep(error));
    await this.#tellPython();
  }

  async #tellPython() {
    try {
      const { drawings } = await this.runtime.python();
      await this.sendTo(drawings);
    } catch (error) {
      if (!(error instanceof WorkerLost)) throw error; // a Python started again is handed them (recovery.js)
    }
    for (const listener of this.listeners) listener();
  }

  /** Hands the kept drawings to the Python worker whose port calls are `drawings` (calls.js): it holds
   * exactly these from now on. */
  async sendTo(drawings) {
    const width = this.examples[0]?.features.length ?? 0;
    const features = new Float32Array(this.count * width);
    this.examples.forEach((e, i) => features.set(e.features, i * width));
    const digits = Int32Array.from(this.examples, (e) => e.digit);
    await drawings.call({ type: "remember", features, digits });
  }

  /** Nothing is kept from now on (the store is let go), and `note` says why. */
  #cannotKeep(error) {
    this.note = error instanceof StorageError ? error.message : `Your handwriting cannot be kept in this browser (${error?.message ?? error}).`;
    this.note += " It is learnt for this visit only.";
    this.store = null;
  }
}
