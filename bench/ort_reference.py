"""A prediction in the page against a bare onnxruntime-web worker round trip of the same model
(issue 38's goal: the page's median at most 2x the bare one's), measured in the same run.

The page is drawn on as in bench/costs.py; each answer's 28x28 input is kept and normalized here as
the page's Python does (train/preprocess.normalize), so the reference (reference-ort.html) runs the
very tensors the page ran, feeding the same input and fetching the same outputs, one per display
frame. The two take turns, so that a slow patch of the machine does not fall on one only."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx

from bench.costs import CAM_KEY, draw_until
from bench.loads import PAGE_READY, REFERENCE_READY, TIMEOUT_MS
from train import contract, preprocess

ROUNDS = 4
# The metadata that names the outputs the page reads besides the answer (site/py/model_check.py, export/).
PAGE_OUTPUT_KEYS = (CAM_KEY, "not_digit_output", "features_output")
# Each shown answer's input (pixels: the 28x28 image in [0, 1] Python made) is kept in window.benchInputs.
KEEP_INPUTS = """() => {
  const live = window.digitPad.live;
  const show = live.show;
  window.benchInputs = [];
  live.show = (result, strokes) => {
    if (result.pixels?.length) window.benchInputs.push(result.pixels);
    return show(result, strokes);
  };
}"""


def page_fetches(model: Path) -> list[str]:
    """The outputs the page fetches from `model` for a drawing (python-worker.js connect, from worker.py
    check_model: the answer, then those its metadata names for Grad-CAM, "not a digit" and features)."""
    metadata = {p.key: p.value for p in onnx.load(str(model), load_external_data=False).metadata_props}
    return [contract.OUTPUT_NAME, *(metadata[key] for key in PAGE_OUTPUT_KEYS if key in metadata)]


def open_page(browser, url: str, ready: str):
    page = browser.new_context().new_page()
    page.goto(url)
    page.wait_for_function(ready, timeout=TIMEOUT_MS)
    return page


def measure(playwright, chromium: str, page_url: str, reference_url: str, dist: Path, args: list[str],
            predictions: int) -> dict:  # fmt: skip
    """{"page": the page's per-prediction timings, "reference_ms": the bare round trips of the same inputs}."""
    fetches = page_fetches(dist / "models" / "cnn.onnx")
    browser = playwright.chromium.launch(executable_path=chromium, args=args)
    try:
        page = open_page(browser, page_url, PAGE_READY)
        page.evaluate(KEEP_INPUTS)
        reference = open_page(browser, reference_url + "reference-ort.html", REFERENCE_READY)
        if reference.evaluate("document.body.dataset.state") != "ready":
            error = reference.evaluate("document.body.dataset.error")
            raise RuntimeError(f"the bare onnxruntime-web reference could not start: {error}")
        timings, reference_ms, turn = [], [], 0
        for _ in range(ROUNDS):
            batch, turn = draw_until(page, max(1, predictions // ROUNDS), turn)
            timings += batch
            kept = page.evaluate("window.benchInputs.splice(0)")[: len(batch)]  # those of the timed predictions
            inputs = preprocess.normalize(np.array(kept, dtype=np.float32))
            shape = [1, *inputs.shape[1:]]
            values = [tensor.ravel().tolist() for tensor in inputs]
            reference_ms += reference.evaluate(
                "([inputs, shape, feed, fetches]) => window.ortReference.roundTrips(inputs, shape, feed, fetches)",
                [values, shape, contract.INPUT_NAME, fetches],
            )
        return {"page": timings, "reference_ms": reference_ms, "fetches": fetches}
    finally:
        browser.close()
