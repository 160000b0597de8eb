// The worker of reference-worker.html: boots Pyodide from the page's files, imports numpy.
import { loadPyodide } from "./vendor/pyodide/pyodide.mjs";

const indexURL = new URL("./vendor/pyodide/", location.href).href;
const pyodide = await loadPyodide({ indexURL, packages: ["numpy"] });
pyodide.runPython("import numpy");
postMessage("ready");
