/* The handwriting memory's records, kept in the browser's storage for the site's origin (IndexedDB):
 * each drawing a person corrected, as the model's 28x28 input (not the strokes), the digit they said it
 * is, when, and the features the model that read it gave (kept with that model's identity, so a new
 * model recomputes them). Nothing here leaves the device.
 *
 * Every call may fail (a private window, storage blocked or full, a database from elsewhere): it
 * rejects with a StorageError in plain words, and the caller goes on without keeping (handwriting.js).
 * A record that is not one of ours (corrupt, foreign, from an older page) is dropped when read. */

import { MEMORY } from "./contract.js";
import { INPUT_SIZE } from "./model-input.js";

const DATABASE = "digit-pad";
const STORE = "handwriting";
const VERSION = 1;
const PIXELS = INPUT_SIZE * INPUT_SIZE;

/** The browser's storage cannot be used: the message says why, for the person at the page. */
export class StorageError extends Error {}

const unusable = (what, error) =>
  new StorageError(`Your handwriting cannot be kept in this browser (${what}: ${error?.message ?? error}).`);

/** A request's or transaction's outcome as a promise. */
function settled(request, what) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(unusable(what, request.error));
  });
}

function finished(transaction, what) {
  return new Promise((resolve, reject) => {
    transaction.oncomplete = () => resolve();
    transaction.onerror = () => reject(unusable(what, transaction.error));
    transaction.onabort = () => reject(unusable(what, transaction.error ?? "aborted"));
  });
}

/** A stored record as the memory takes it ({id, digit, pixels, created, model, features}), or null when
 * it is not a whole record of ours. `features` is null when absent or not numbers. */
export function validRecord(record) {
  if (record === null || typeof record !== "object") return null;
  const { id, digit, pixels, created, model, features } = record;
  if (!Number.isInteger(id) || !Number.isInteger(digit) || digit < 0 || digit > 9) return null;
  if (!(pixels instanceof Float32Array) || pixels.length !== PIXELS) return null;
  if (!pixels.every((v) => v >= 0 && v <= 1)) return null; // NaN fails too
  if (typeof created !== "number" || !Number.isFinite(created)) return null;
  const usable = features instanceof Float32Array && features.length > 0 && features.every(Number.isFinite);
  return { id, digit, pixels, created, model: typeof model === "string" ? model : "", features: usable ? features : null };
}

export class HandwritingStore {
  /** Opens (or makes) the database; rejects with a StorageError when the browser will not. */
  static async open() {
    let request;
    try {
      request = indexedDB.open(DATABASE, VERSION);
    } catch (error) {
      throw unusable("storage is blocked", error);
    }
    request.onupgradeneeded = () => {
      const database = request.result;
      if (!database.objectStoreNames.contains(STORE)) database.createObjectStore(STORE, { keyPath: "id", autoIncrement: true });
    };
    const database = await settled(request, "storage could not be opened");
    return new HandwritingStore(database);
  }

  constructor(database) {
    this.database = database;
  }

  #transaction(mode) {
    try {
      return this.database.transaction(STORE, mode);
    } catch (error) {
      throw unusable("storage is closed", error);
    }
  }

  /** The kept records, oldest first, whole ones only: the others are deleted. */
  async read() {
    const transaction = this.#transaction("readwrite");
    const store = transaction.objectStore(STORE);
    const done = finished(transaction, "reading failed");
    const [records, keys] = await Promise.all([settled(store.getAll(), "reading failed"), settled(store.getAllKeys(), "reading failed")]);
    const kept = [];
    records.forEach((record, i) => {
      const valid = validRecord(record);
      if (valid) kept.push(valid);
      else store.delete(keys[i]);
    });
    const overflow = kept.splice(0, Math.max(0, kept.length - MEMORY.capacity));
    for (const { id } of overflow) store.delete(id);
    await done;
    return kept;
  }

  /** Keeps one more record ({digit, pixels, model, features}); the oldest go past the capacity. Resolves
   * to the record with its id and time. */
  async add({ digit, pixels, model, features }) {
    const record = { digit, pixels: Float32Array.from(pixels), created: Date.now(), model, features: Float32Array.from(features) };
    const transaction = this.#transaction("readwrite");
    const store = transaction.objectStore(STORE);
    const done = finished(transaction, "storage is full or blocked");
    record.id = await settled(store.add(record), "storage is full or blocked");
    const keys = await settled(store.getAllKeys(), "storage is full or blocked");
    for (const key of keys.slice(0, Math.max(0, keys.length - MEMORY.capacity))) store.delete(key);
    await done;
    return record;
  }

  /** Replaces the records' features and model (after a new model read them again). */
  async refresh(records) {
    const transaction = this.#transaction("readwrite");
    const store = transaction.objectStore(STORE);
    for (const record of records) store.put(record);
    await finished(transaction, "storage is full or blocked");
  }

  /** Deletes every record: nothing of the person's handwriting is left behind. */
  async clear() {
    const transaction = this.#transaction("readwrite");
    transaction.objectStore(STORE).clear();
    await finished(transaction, "storage could not be cleared");
  }
}
