/* Wires the page together. The pad takes strokes at once; Python, numpy and the model
 * load in workers meanwhile, and the first prediction appears as soon as they are ready. */

import { DrawingPad } from "./pad.js";
import { LivePredictor } from "./predictor.js";
import { PageError, startRuntime } from "./runtime.js";
import { View } from "./view.js";

const DEFAULT_MODEL = "cnn";

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
    const pixels = live.shownPixels;
    if (!pixels) return "";
    let binary = "";
    for (let i = 0; i < pixels.length; i += 0x8000) {
      binary += String.fromCharCode.apply(null, pixels.subarray(i, i + 0x8000));
    }
    return btoa(binary);
  },
  timings: () => live.timings.slice(),
};

function modelName() {
  const name = new URLSearchParams(location.search).get("model") || DEFAULT_MODEL;
  return /^[a-z0-9_-]+$/.test(name) ? name : DEFAULT_MODEL;
}

async function boot() {
  if ((await window.digitPadPreflight) !== "go") return;
  try {
    const runtime = await startRuntime(modelName(), (stage, status, detail) => view.stage(stage, status, detail));
    live.attach(runtime);
    performance.mark("digit-pad:ready");
  } catch (error) {
    view.showError(error instanceof PageError ? error.message : `Loading failed: ${error?.message ?? error}`);
  }
}

boot();
