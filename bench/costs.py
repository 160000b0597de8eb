"""What Grad-CAM, the MLP alongside and the layers view cost per prediction: the page as shipped
against the same page without Grad-CAM, with the MLP switched on and with the layers shown, drawn
on in turns (so that a slow patch of the machine does not fall on one variant only):

- "without cam": the CNN with its cam output cut from the graph (same weights, the
  cam's operators pruned) served in place of models/cnn.onnx;
- "with MLP": #compare-mlp ticked, so that the second model runs alongside;
- "with layers": #layers-show ticked (the element's `layers`: every stage's maps fetched and painted).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import onnx

from bench.drawing import scribble
from bench.loads import PAGE_READY, TIMEOUT_MS

CAM_KEY = "cam_output"  # the metadata that names the cam output (export/gradcam.py)


def without_cam(model: onnx.ModelProto) -> onnx.ModelProto | None:
    """A copy of `model` with its cam output and every node only it needed removed;
    None when it has no cam output."""
    props = {p.key: p.value for p in model.metadata_props}
    cam = props.get(CAM_KEY)
    if cam is None:
        return None
    stripped = onnx.ModelProto()
    stripped.CopyFrom(model)
    graph = stripped.graph
    kept_outputs = [o for o in graph.output if o.name != cam]
    del graph.output[:]
    graph.output.extend(kept_outputs)
    needed = {o.name for o in kept_outputs}
    kept_nodes = []
    for node in reversed(list(graph.node)):  # nodes are in topological order
        if any(name in needed for name in node.output):
            kept_nodes.append(node)
            needed.update(name for name in node.input if name)
    del graph.node[:]
    graph.node.extend(reversed(kept_nodes))
    kept_initializers = [t for t in graph.initializer if t.name in needed]
    del graph.initializer[:]
    graph.initializer.extend(kept_initializers)
    kept_props = [p for p in stripped.metadata_props if p.key != CAM_KEY]
    del stripped.metadata_props[:]
    stripped.metadata_props.extend(kept_props)
    onnx.checker.check_model(stripped)
    return stripped


def draw_until(page, predictions: int, turn: int) -> tuple[list[dict], int]:
    """Draws on `page` until it made `predictions` more predictions; their timings."""
    page.evaluate("window.digitPad.live.timings.length = 0")
    while page.evaluate("window.digitPad.live.timings.length") < predictions:
        scribble(page, turn)
        turn += 1
        if turn % 3 == 0:
            page.keyboard.press("Escape")
    return page.evaluate("window.digitPad.timings()")[:predictions], turn


def serve_file(path: Path | None):
    """A route handler answering with the file at `path`, or failing the request (None)."""

    def handle(route, _request) -> None:
        if path is None:
            route.abort()
        else:
            route.fulfill(path=str(path))

    return handle


def open_variant(browser, url: str, routes: dict[str, Path | None], mlp: bool = False, layers: bool = False):
    """A ready page whose requests matching each pattern of `routes` get that file
    (a Path) or fail (None); with `mlp`, the MLP switched on and loaded; with `layers`, the layers view on."""
    context = browser.new_context(service_workers="block")  # (sw.js's own requests would pass no route)
    for pattern, path in routes.items():
        context.route(pattern, serve_file(path))
    page = context.new_page()
    page.goto(url)
    page.wait_for_function(PAGE_READY, timeout=TIMEOUT_MS)
    if mlp:
        page.check("#compare-mlp")
        page.wait_for_function(
            "document.querySelector('#prediction-mlp').dataset.state === 'ready'", timeout=TIMEOUT_MS
        )
    if layers:
        page.check("#layers-show")
    return page


def measure(playwright, chromium: str, url: str, dist: Path, args: list[str], predictions: int) -> dict | None:
    """Per-prediction timings of each variant {"shipped", "without cam", "with MLP", "with layers"};
    None when the shipped CNN has no cam output."""
    stripped = without_cam(onnx.load(str(dist / "models" / "cnn.onnx")))
    if stripped is None:
        return None
    browser = playwright.chromium.launch(executable_path=chromium, args=args)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "cnn-without-cam.onnx"
        onnx.save_model(stripped, path)
        try:
            pages = {
                "shipped": open_variant(browser, url, {}),
                "without cam": open_variant(browser, url, {"**/models/cnn.onnx": path}),
                "with MLP": open_variant(browser, url, {}, mlp=True),
                "with layers": open_variant(browser, url, {}, layers=True),
            }
            if pages["without cam"].get_attribute("#gradcam-controls", "hidden") is None:
                raise RuntimeError("the page without the cam output still shows Grad-CAM")
            timings: dict[str, list[dict]] = {name: [] for name in pages}
            start = 0
            for _ in range(4):  # in turns, with the same scribbles
                for name, page in pages.items():
                    batch, end = draw_until(page, max(1, predictions // 4), start)
                    timings[name] += batch
                start = end
            return timings
        finally:
            browser.close()
