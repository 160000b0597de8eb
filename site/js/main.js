/* Wires the page together. The pad takes strokes at once; Python, numpy and the model
 * load in workers meanwhile, and the first prediction appears as soon as they are ready. */

import { DrawingPad, INK_BITMAP } from "./pad.js";
import { LivePredictor } from "./predictor.js";
import { PageError, startRuntime } from "./runtime.js";
import { View } from "./view.js";

const DEFAULT_MODEL = "cnn";
const COMPANION = { cnn: "mlp" }; // the model shown side by side with the page's model

const view = new View(document);
const pad = new DrawingPad(document.getElementById("pad"));
const live = new LivePredictor(pad, view);
performance.mark("digit-pad:pad"); // from here on the pad takes strokes (the benchmark reads this)

document.getElementById("clear").addEventListener("click", () => pad.clear());
document.getElementById("undo").addEventListener("click", () => pad.undo());
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape") {
    pad.clear();
  } else if ((event.ctrlKey || event.metaKey) && !event.shiftKey && event.key.toLowerCase() === "z") {
    event.preventDefault();
    pad.undo();
  }
});

// Nothing may fail silently into the console.
addEventListener("error", (event) => view.showError(`Something went wrong in the page: ${event.message}`));
addEventListener("unhandledrejection", (event) =>
  view.showError(`Something went wrong in the page: ${event.reason?.message ?? event.reason}`),
);

/** For tests and the benchmark: the exact bitmap behind the shown prediction, and timings. */
window.digitPad = {
  pad,
  live,
  /** The 280x280 RGBA bitmap the shown prediction used, base64-encoded ("" when none). */
  bitmap() {
    const region = live.shownPixels;
    if (!region) return "";
    const size = INK_BITMAP.size;
    const pixels = new Uint8ClampedArray(size * size * 4).fill(255); // blank paper around the region
    for (let row = 0; row < region.height; row++) {
      const from = row * region.width * 4;
      pixels.set(region.data.subarray(from, from + region.width * 4), ((region.y + row) * size + region.x) * 4);
    }
    let binary = "";
    for (let i = 0; i < pixels.length; i += 0x8000) {
      binary += String.fromCharCode.apply(null, pixels.subarray(i, i + 0x8000));
    }
    return btoa(binary);
  },
  timings: () => live.timings.slice(),
  /** The Grad-CAM maps on screen: {class, source, h, w, maps: ten normalized maps} or null. */
  gradcam: () => view.gradcam.state(),
};

view.compare.onCentringChange((centre) => live.setCentring(centre));

function modelName() {
  const name = new URLSearchParams(location.search).get("model") || DEFAULT_MODEL;
  return /^[a-z0-9_-]+$/.test(name) ? name : DEFAULT_MODEL;
}

async function boot() {
  if ((await window.digitPadPreflight) !== "go") return;
  try {
    const name = modelName();
    const runtime = await startRuntime(name, (stage, status, detail) => view.stage(stage, status, detail));
    view.setExplainable(Boolean(runtime.model.cam));
    live.attach(runtime);
    performance.mark("digit-pad:ready");
    compareWith(runtime, COMPANION[name]);
  } catch (error) {
    view.showError(error instanceof PageError ? error.message : `Loading failed: ${error?.message ?? error}`);
  }
}

/** Offers the second model side by side once the page's own is ready (so it never delays
 * the first prediction); it loads, and costs time per drawing, only once switched on. */
function compareWith(runtime, name) {
  if (!name) {
    view.compare.off();
    return;
  }
  let switching = Promise.resolve(); // one switch at a time, in the order they were made
  view.compare.offer(name, (on) => {
    switching = switching.then(() => showCompanion(runtime, name, on));
  });
  view.compare.showCentringCost([runtime.model.name, name], document.baseURI).catch(() => {
    // the figures are an extra: a missing or unreadable card only leaves them out
  });
}

async function showCompanion(runtime, name, on) {
  if (!on) {
    await runtime.showCompanion(name, false);
    view.compare.switchedOff();
    return;
  }
  view.compare.loading();
  try {
    await runtime.showCompanion(name, true);
  } catch (error) {
    view.compare.failed(`The ${name.toUpperCase()} could not be loaded: ${error?.message ?? error}`);
    return;
  }
  view.compare.ready();
  live.request(); // the drawing on the pad, if any, gets the second answer too
}

boot();
