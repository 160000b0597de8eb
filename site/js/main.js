/* The main page: one <digit-pad> (element/digit-pad.js: the pad, the predictions, the
 * bars, the input and the heatmap), and what the page adds around it: the Grad-CAM
 * controls and grid (heatmap-controls.js), "Show the layers" (the element's layers view),
 * the MLP side by side and the centring option
 * (compare.js), keyboard shortcuts anywhere on the page, `?model=`, and window.digitPad
 * for tests and the benchmark.
 *
 * The element's module is imported once preflight.js says "go" (it may reload the page
 * first, to install the service worker that adds cross-origin isolation); until then
 * the attributes set here are what the element starts with. */

import { CompareView } from "./compare.js";
import { HeatmapControls } from "./heatmap-controls.js";

const DEFAULT_MODEL = "cnn";
const COMPANION = { cnn: "mlp" }; // the model shown side by side with the page's model

const element = document.getElementById("digit-pad");
const compare = new CompareView(document);
const heatmaps = new HeatmapControls(document, element);

// Nothing may fail silently into the console. Except the browser refusing storage (blocked or full site
// data): PyScript opens a database it never needs here and leaves the refusal unhandled, and the element says
// itself what it cannot keep (the handwriting memory); the page works without storage.
const STORAGE_REFUSED = new Set(["SecurityError", "InvalidStateError", "QuotaExceededError", "UnknownError"]);
const failed = (message) => element.showError?.(`Something went wrong in the page: ${message}`);
addEventListener("error", (event) => failed(event.message));
addEventListener("unhandledrejection", (event) => {
  if (event.reason instanceof DOMException && STORAGE_REFUSED.has(event.reason.name)) return;
  failed(event.reason?.message ?? event.reason);
});

/** Digit or Number mode: ?mode=number, or the #mode control; a switch clears the pad. */
function modeName() {
  return new URLSearchParams(location.search).get("mode") === "number" ? "number" : "digit";
}

const modeControl = document.getElementById("mode");
modeControl.value = modeName();
element.setAttribute("mode", modeControl.value);
modeControl.addEventListener("change", () => element.setAttribute("mode", modeControl.value));

function modelName() {
  const name = new URLSearchParams(location.search).get("model") || DEFAULT_MODEL;
  return /^[a-z0-9_-]+$/.test(name) ? name : DEFAULT_MODEL;
}

// "Show the layers": the element's layers attribute. An attribute, not the property: the element may not
// be defined yet (a reload may also restore the box ticked).
const layersBox = document.getElementById("layers-show");
const showLayers = () => element.setAttribute("layers", String(layersBox.checked));
layersBox.addEventListener("change", showLayers);
showLayers();

element.setAttribute("model", modelName());
layOutCompare(modelName(), COMPANION[modelName()]);
compare.onCentringChange((centre) => element.setAttribute("centring", centre ? "mass" : "box"));
element.addEventListener("digit-pad:prediction", (event) => compare.show(event.detail));
element.addEventListener(
  "digit-pad:ready",
  (event) => {
    heatmaps.setAvailable(event.detail.gradcam);
    compareWith(event.detail.model, COMPANION[event.detail.model]);
  },
  { once: true },
);

// Escape and Ctrl/Cmd+Z anywhere on the page (the element takes those pressed inside it).
document.addEventListener("keydown", (event) => {
  if (event.target === element) return;
  if (event.key === "Escape") {
    element.clear();
  } else if ((event.ctrlKey || event.metaKey) && !event.shiftKey && event.key.toLowerCase() === "z") {
    event.preventDefault();
    element.undo();
  }
});

/** Offers the second model side by side once the page's own is ready (so it never delays
 * the first prediction); it loads, and costs time per drawing, only once switched on. */
function compareWith(model, name) {
  if (!name) {
    compare.off();
    return;
  }
  let switching = Promise.resolve(); // one switch at a time, in the order they were made
  compare.offer(name, (on) => {
    switching = switching.then(() => showCompanion(name, on));
  });
}

/** The side-by-side section is laid out from the start, its figures read at once, so that nothing
 * under the pad moves when the page becomes ready while someone draws (it goes when there is no
 * second model for the page's own). */
function layOutCompare(model, name) {
  if (!name) {
    compare.off();
    return;
  }
  compare.showCentringCost([model, name], document.baseURI).catch(() => {
    // the figures are an extra: a missing or unreadable card only leaves them out
  });
}

async function showCompanion(name, on) {
  if (!on) {
    await element.compareWith(null);
    compare.switchedOff();
    return;
  }
  compare.loading();
  try {
    await element.compareWith(name);
  } catch (error) {
    compare.failed(`The ${name.toUpperCase()} could not be loaded: ${error?.message ?? error}`);
    return;
  }
  compare.ready();
}

/** For tests and the benchmark: the element's pad and predictor, the exact bitmap behind
 * the shown prediction, timings and heatmaps, the page's workers and what became of them
 * (see tests/page/conftest.py); `runtime` is the elements' shared one (element/runtime.js). */
function testHooks(runtime) {
  const pad = element.drawingPad;
  const live = element.predictor;
  let layers = [];
  element.addEventListener("digit-pad:layers", ({ detail }) => {
    layers = detail.layers;
  });
  const restarts = [];
  runtime.restarts.watch(({ status, model, message }) => restarts.push({ status, model, message }));
  return {
    element,
    pad,
    live,
    /** The RGBA ink bitmap (280x280 in Digit mode) the shown prediction used, base64-encoded ("" when none). */
    bitmap() {
      const region = live.shownPixels;
      if (!region) return "";
      const { width, height } = pad.ink;
      const pixels = new Uint8ClampedArray(width * height * 4).fill(255); // blank paper around the region
      for (let row = 0; row < region.height; row++) {
        const from = row * region.width * 4;
        pixels.set(region.data.subarray(from, from + region.width * 4), ((region.y + row) * width + region.x) * 4);
      }
      let binary = "";
      for (let i = 0; i < pixels.length; i += 0x8000) {
        binary += String.fromCharCode.apply(null, pixels.subarray(i, i + 0x8000));
      }
      return btoa(binary);
    },
    timings: () => element.timings,
    /** The layers view's last stages: [{name, channels, height, width, data (an array)}] ([] when none). */
    layers: () => layers.map(({ data, ...shape }) => ({ ...shape, data: Array.from(data) })),
    /** The Grad-CAM maps on screen: {class, source, h, w, maps: ten normalized maps} or null. */
    gradcam() {
      const shown = element.heatmap;
      if (!shown) return null;
      const { h, w, maps } = shown;
      return { class: shown.class, source: shown.source, h, w, maps: maps.map((map) => Array.from(map)) };
    },
    /** The workers in service: {python: Worker | null, models: {name: Worker}} (a test may terminate() one). */
    workers: () => runtime.workers(),
    /** Each worker death and restart since the page loaded: [{status: lost | back | gave-up, model (null:
     * Python), message}] (element/restarts.js). */
    restarts: () => restarts.slice(),
  };
}

async function start() {
  if ((await window.digitPadPreflight) !== "go") return;
  try {
    await import("./element/digit-pad.js");
  } catch (error) {
    const box = document.createElement("p");
    box.className = "error";
    box.setAttribute("role", "alert");
    box.textContent = `The digit pad could not be loaded: ${error?.message ?? error}`;
    element.before(box);
    return;
  }
  const { sharedRuntime } = await import("./element/runtime.js"); // (loaded already, by the element)
  window.digitPad = testHooks(sharedRuntime());
}

start();
