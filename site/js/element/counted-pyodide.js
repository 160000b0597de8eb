/* Pyodide as PyScript's worker loads it, its downloads counted (download-counter.js): the page hands
 * PyScript this module as the interpreter (python-worker.js), with the real pyodide.mjs and the
 * channel in its query, `?interpreter=URL&downloads=NAME`. PyScript's worker imports it before
 * Pyodide fetches anything, which is the only point where code of the page's runs there that early.
 *
 * PyScript takes Pyodide's folder (indexURL) from the interpreter's URL: here it is given back the
 * folder of the real pyodide.mjs, where the wasm, the standard library and numpy are. */

import { countDownloads } from "./download-counter.js";

const query = new URL(import.meta.url).searchParams;
const interpreter = query.get("interpreter");
const pyodide = await import(interpreter);

countDownloads(query.get("downloads"));

export const version = pyodide.version;

export function loadPyodide(options = {}) {
  return pyodide.loadPyodide({ ...options, indexURL: new URL("./", interpreter).href });
}
