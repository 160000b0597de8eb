"""Inside the network (issue 40): the element's `layers` view shows the reader's real activations (the page's
numbers against PyTorch's for the same input, from the network rebuilt from the shipped file's weights), updates
with every prediction, shows the picked digit's network in Number mode, picks tiles by keyboard, costs nothing
while off (the same model outputs fetched as before), and axe finds nothing with it on (the model card's kernels:
test_card.py). See conftest.py and the element's JSDoc (`layers`, ::part(layers), digit-pad:layers) for the
contract."""

from __future__ import annotations

import numpy as np
import pytest

from bench import axe
from evaluate.pagekit import Pad, error_text, open_page, wait_ready
from export.layers import STAGES, pytorch_layers
from train import contract, preprocess
from train.from_onnx import cnn_from_onnx

pytestmark = pytest.mark.e2e

SEVEN = [[(0.30, 0.25), (0.50, 0.25), (0.70, 0.25)], [(0.70, 0.25), (0.60, 0.45), (0.50, 0.65), (0.45, 0.80)]]
ONE = [[(0.55, 0.20), (0.52, 0.40), (0.50, 0.60), (0.48, 0.80)]]
SHAPES = {  # channels, side
    "conv1": (24, 28), "conv2": (24, 28), "pool1": (24, 14), "conv3": (48, 14), "conv4": (48, 14), "pool2": (48, 7),
}  # fmt: skip
TOLERANCE = 1e-4  # the page's activations (onnxruntime-web, WebAssembly) against PyTorch's
# Records which outputs each inference answer carries (the inference worker's replies to the page).
RECORD_RUNS = """(() => {
  const Native = window.Worker;
  window.inferenceRuns = [];
  window.Worker = class extends Native {
    constructor(url, options) {
      super(url, options);
      if (String(url).includes("inference-worker")) {
        this.addEventListener("message", ({ data }) => {
          // a run's answer (open's answer lists the model's outputs as an array instead)
          const ran = data && data.outputs && !Array.isArray(data.outputs);
          if (ran) window.inferenceRuns.push(Object.keys(data.outputs).sort());
        });
      }
    }
  };
})();"""
BASE_OUTPUTS = sorted([contract.OUTPUT_NAME, "cam", "not_digit", contract.FEATURES_OUTPUT])


def scaled(strokes, box, left: float = 0.0, width: float = 1.0):
    return [[(box["width"] * (left + x * width), y * box["height"]) for x, y in points] for points in strokes]


@pytest.fixture(scope="module")
def reader(dist):
    return cnn_from_onnx(dist / "models" / "cnn.onnx").eval()


def page_layers(page) -> dict[str, np.ndarray]:
    shown = page.evaluate("window.digitPad.layers()")
    return {s["name"]: np.asarray(s["data"], np.float32).reshape(s["channels"], s["height"], s["width"]) for s in shown}


def pytorch_of(reader, pad: Pad) -> dict[str, np.ndarray]:
    pixels = preprocess.normalize(pad.model_input().astype(np.float32))
    return {name: maps[0] for name, maps in pytorch_layers(reader, pixels.reshape(1, 1, 28, 28)).items()}


def largest_difference(page_maps: dict, torch_maps: dict) -> float:
    assert list(page_maps) == list(STAGES)
    return max(float(np.abs(page_maps[s] - torch_maps[s]).max()) for s in STAGES)


@pytest.fixture
def layers_on(app, pad):
    app.page.check("#layers-show")
    yield pad
    app.page.uncheck("#layers-show")


def test_the_page_shows_pytorchs_activations_and_a_tile_for_every_map(app, layers_on, reader):
    pad, page = layers_on, app.page
    for count, stroke in enumerate(scaled(SEVEN, pad.box()), 1):  # updated with every prediction
        pad.stroke(stroke)
        pad.wait_prediction(count)
        assert pad.find("#layers").get_attribute("data-state") == "shown"
        shown = page_layers(page)
        assert {name: (maps.shape[0], maps.shape[1]) for name, maps in shown.items()} == SHAPES
        difference = largest_difference(shown, pytorch_of(reader, pad))
        print(f"{count} stroke(s): the page's activations within {difference:.1e} of PyTorch's")
        assert difference <= TOLERANCE
    for name, (channels, _side) in SHAPES.items():
        assert pad.find(f'#layers canvas.tile[data-layer="{name}"]').count() == channels
    group = pad.find('#layers [data-layer="conv3"] [role="group"]').get_attribute("aria-label")
    assert "48 maps" in group and "the strongest" in group
    pad.clear()
    assert pad.find("#layers").get_attribute("data-state") == "empty"
    assert page.evaluate("window.digitPad.layers()") == []


def test_a_tile_picked_by_keyboard_shows_its_kernels_and_a_pool_has_none(app, layers_on):
    pad = layers_on
    pad.draw(scaled(SEVEN, pad.box()))
    first = pad.find('#layers canvas.tile[data-layer="conv1"]').first
    first.focus()
    first.press("ArrowRight")
    picked_channel = pad.find('#layers canvas.tile[data-layer="conv1"]:focus').get_attribute("data-channel")
    pad.find('#layers canvas.tile[data-layer="conv1"]:focus').press("Enter")
    focus = pad.find("#layers-focus")
    assert focus.get_attribute("data-pick-layer") == "conv1"
    assert focus.get_attribute("data-pick-channel") == picked_channel
    pad.find("#layers-kernels-figure").wait_for(state="visible")
    assert pad.find("#layers-about").inner_text().strip()
    pool = pad.find('#layers canvas.tile[data-layer="pool2"]').first
    pool.click()
    assert focus.get_attribute("data-pick-layer") == "pool2"
    assert "no kernels" in pad.find("#layers-focus").inner_text().lower()
    pool.click()  # picking it again lets go
    assert focus.get_attribute("data-pick-layer") == ""


def test_number_mode_shows_the_picked_digits_network(browser, base_url, reader):
    session = open_page(browser, base_url + "?mode=number")
    page = session.page
    try:
        assert wait_ready(page) == "ready", error_text(page)
        page.check("#layers-show")
        pad = Pad(page)
        box = pad.box()
        pad.draw(scaled(SEVEN, box, 0.05, 0.3) + scaled(ONE, box, 0.55, 0.3))
        for index in (0, 1):
            pad.find(f"#digits li:nth-child({index + 1}) button").click()
            pad.find(f'#digits li:nth-child({index + 1}) button[aria-pressed="true"]').wait_for(state="attached")
            assert largest_difference(page_layers(page), pytorch_of(reader, pad)) <= TOLERANCE
    finally:
        session.context.close()


def test_the_view_off_fetches_what_it_did_before_and_on_fetches_the_layers(browser, base_url):
    session = open_page(browser, base_url)
    page = session.page
    try:
        page.add_init_script(RECORD_RUNS)
        page.reload()
        assert wait_ready(page) == "ready", error_text(page)
        pad = Pad(page)
        assert pad.find("#layers").is_hidden()
        pad.draw(scaled(SEVEN, pad.box()))
        runs = page.evaluate("window.inferenceRuns")
        assert runs and all(run == BASE_OUTPUTS for run in runs), runs
        page.check("#layers-show")  # turned on, the drawing is read again with its layers
        pad.find('#layers[data-state="shown"]').wait_for(state="attached")
        layer_outputs = sorted(contract.LAYER_OUTPUT_PREFIX + s for s in STAGES)
        assert page.evaluate("window.inferenceRuns.at(-1)") == sorted(BASE_OUTPUTS + layer_outputs)
        page.uncheck("#layers-show")
        count = page.evaluate("window.inferenceRuns.length")
        pad.stroke(scaled(ONE, pad.box())[0])
        pad.wait_prediction(3)
        later = page.evaluate("window.inferenceRuns")[count:]
        assert later and all(run == BASE_OUTPUTS for run in later), later
    finally:
        session.context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_nothing_with_the_view_on(browser, base_url, scheme):
    session = open_page(browser, base_url, color_scheme=scheme)
    page = session.page
    try:
        assert wait_ready(page) == "ready", error_text(page)
        page.check("#layers-show")
        pad = Pad(page)
        pad.draw(scaled(SEVEN, pad.box()))
        pad.find('#layers canvas.tile[data-layer="conv2"]').nth(3).click()  # a picked tile, its kernels shown
        found = axe.violations(page)
        assert not found, f"axe-core, {scheme}, the layers view on:\n{axe.report(found)}"
    finally:
        session.context.close()
