"""The page's Python. It runs in a web worker, so drawing stays smooth while it boots; every
<digit-pad> element of a page shares this one worker (js/element/runtime.js).

The runtime calls the exported functions while the page loads: `load_numpy` once
Pyodide is up (a loading stage of its own), then `check_model` once onnxruntime-web has
opened a model (in its own worker, see js/element/inference-worker.js). After that, every
drawing comes on a MessagePort of its own (`listen`), not through PyScript's calls: a
plain port costs a fraction of a millisecond a message, PyScript's call machinery about
two. On that port (messages {id, type, ...}, answered {id, ok, ...} in order):

- "connect" {name, port}: the port of that model's worker, to send it prepared inputs
  ({id, input, shape}) directly, so that they never wait in the page's main thread behind
  the person's drawing;
- "prepare" {rgba, width, height, centre, prediction, models}: see `prepare` (`prediction`
  is its id, `models` the names of the connected models that are to read it);
- "segment" {points, lengths, penRadius}: Number mode's digits, see `find_digits`;
- "prepare-batch" {regions: [{rgba, width, height}], centre, prediction, models}: the same as
  "prepare" for each digit of a number, sent to the models as one batch (`prepare_batch`).

The worker never reaches back into the page, so it works with or without cross-origin
isolation. The pixels-to-input step is `preprocess.to_mnist_framed` + `preprocess.normalize`,
and Number mode's segmentation `segment.segment`: the very modules that training and
evaluation use in CPython.
"""

from __future__ import annotations

import json

import js
import model_check
from polyscript import xworker
from pyodide.ffi import create_proxy, to_js

MODEL_FORMAT_VERSION = "1"  # the version of the model description this page reads
INPUT_NAME, OUTPUT_NAME = "image", "logits"

# Imported by load_numpy, so that numpy's import shows as a loading stage of its own.
np = None
preprocess = None
segment = None

models: dict = {}  # name -> the MessagePort to that model's worker


def load_numpy() -> str:
    """Import numpy and the shared preprocessing and segmentation modules; returns numpy's version."""
    global np, preprocess, segment
    import numpy as np
    import preprocess
    import segment

    return np.__version__


def _ports(ports) -> list[model_check.Port]:
    return [model_check.Port(str(p.name), str(p.type), tuple(p.shape)) for p in ports]


def check_model(model, inputs, outputs, model_name: str) -> dict:
    """Is the model (ONNX bytes as a JS Uint8Array; ports as onnxruntime reports them)
    the one the page expects? {"ok": True, name, version, feed, fetch, cam, notDigit,
    calibration} (cam, notDigit: the names of its Grad-CAM and "not a digit" outputs, None
    when it has none; calibration: model_check.calibration as JSON text, "null" for none) or {"ok": False, "error":
    what is wrong, in plain words}."""
    metadata = model_check.read_metadata(model.to_bytes())
    expected = model_check.Expected(
        model_name=model_name, mean=preprocess.MEAN, std=preprocess.STD, size=preprocess.SIZE,
        version=MODEL_FORMAT_VERSION, input_name=INPUT_NAME, output_name=OUTPUT_NAME,
    )  # fmt: skip
    found = model_check.problems(metadata, _ports(inputs), _ports(outputs), expected)
    if found:
        error = f"The model models/{model_name}.onnx is not what this page expects: {'; '.join(found)}."
        return {"ok": False, "error": error}
    return {
        "ok": True,
        "name": metadata["model_name"],
        "version": metadata["version"],
        "feed": INPUT_NAME,
        "fetch": OUTPUT_NAME,
        "cam": model_check.cam_output(metadata),
        "notDigit": model_check.not_digit_output(metadata),
        "calibration": json.dumps(model_check.calibration(metadata)),  # JSON: one flat reply across workers
    }


def _js(value: dict):
    return to_js(value, dict_converter=js.Object.fromEntries)


def prepare(rgba, width: int, height: int, centre: bool, prediction_id: str, names) -> dict:
    """The model input for an RGBA bitmap (a JS Uint8ClampedArray, width x height x 4),
    sent to each connected model in `names` as {"id": prediction_id, "input": the
    normalized [1, 1, 28, 28] input (Float32Array), "shape"}.

    Returns {"pixels": the 28x28 image in [0, 1] (Float32Array of 784, row by row; None
    when there is no ink, and then nothing is sent), "frame": where the input lies on the
    bitmap ([row0, col0, row_scale, col_scale], see preprocess.to_mnist_framed), "ms":
    time spent here}. Without `centre` the digit's box is centred instead of its centre of mass.
    """
    start = js.performance.now()
    image = np.frombuffer(rgba.to_bytes(), dtype=np.uint8).reshape(height, width, 4)
    framed = preprocess.to_mnist_framed(image, centre=bool(centre))
    if framed is None:
        return {"pixels": None, "frame": [], "ms": js.performance.now() - start}
    small, frame = framed
    batch = preprocess.normalize(small)
    message = _js({"id": prediction_id, "input": batch.ravel(), "shape": list(batch.shape)})
    for name in names:
        models[str(name)].postMessage(message)
    return {"pixels": to_js(small.ravel()), "frame": [float(v) for v in frame], "ms": js.performance.now() - start}


def find_digits(points, lengths, pen_radius: float) -> dict:
    """Number mode: the digits in the strokes, left to right. `points`: every stroke's points
    one after the other (a JS Float32Array of x, y pairs), `lengths`: each stroke's number of
    points (Int32Array). Returns {"segments": [{"box": [x, y, w, h] (grown by `pen_radius`),
    "pieces": [[stroke, start, stop], ...]}], "ms"} (see segment.Segment)."""
    start = js.performance.now()
    flat = np.frombuffer(points.to_bytes(), dtype=np.float32).reshape(-1, 2)
    sizes = np.frombuffer(lengths.to_bytes(), dtype=np.int32)
    strokes = np.split(flat, np.cumsum(sizes)[:-1]) if len(sizes) else []
    found = segment.segment(strokes, pen_radius=float(pen_radius))
    segments = [{"box": list(s.box), "pieces": [list(p) for p in s.pieces]} for s in found]
    return {"segments": segments, "ms": js.performance.now() - start}


def prepare_batch(regions, centre: bool, prediction_id: str, names) -> dict:
    """`prepare` for several bitmaps (the digits of a number, each drawn alone), sent to the
    models as one [N, 1, 28, 28] batch: one inference call for the whole number. Returns
    {"pixels": [the 28x28 image of each], "frames": [its frame on its bitmap], "ms"}; a
    bitmap without ink (which a digit of a number never is) reads as blank paper."""
    start = js.performance.now()
    images, frames = [], []
    for region in regions:
        image = np.frombuffer(region.rgba.to_bytes(), dtype=np.uint8).reshape(region.height, region.width, 4)
        framed = preprocess.to_mnist_framed(image, centre=bool(centre))
        small, frame = framed if framed is not None else (np.zeros((preprocess.SIZE,) * 2, np.float32), (0, 0, 1, 1))
        images.append(small)
        frames.append([float(v) for v in frame])
    batch = preprocess.normalize(np.stack(images))
    message = _js({"id": prediction_id, "input": batch.ravel(), "shape": list(batch.shape)})
    for name in names:
        models[str(name)].postMessage(message)
    pixels = [to_js(small.ravel()) for small in images]
    return {"pixels": pixels, "frames": frames, "ms": js.performance.now() - start}


def _handle(request) -> dict:
    """The answer's fields for one message of the page's port (see the module's docstring)."""
    kind = request.type
    if kind == "prepare":
        return prepare(request.rgba, request.width, request.height, request.centre, request.prediction, request.models)
    if kind == "segment":
        return find_digits(request.points, request.lengths, request.penRadius)
    if kind == "prepare-batch":
        return prepare_batch(request.regions, request.centre, request.prediction, request.models)
    if kind == "connect":
        models[str(request.name)] = request.port
        return {}
    raise ValueError(f"unknown request {kind!r}")


def _on_request(event) -> None:
    request, port = event.data, event.target
    try:
        answer = {"id": request.id, "ok": True, **_handle(request)}
    except Exception as error:  # the page shows it: nothing fails silently in the worker
        answer = {"id": request.id, "ok": False, "error": f"{type(error).__name__}: {error}"}
    port.postMessage(_js(answer))


def _on_page_message(event) -> None:
    """The page hands over its port once, through the worker's own messages ({type: "digit-pad:port"})."""
    data = event.data
    if getattr(data, "type", None) != "digit-pad:port":
        return
    port = event.ports[0]
    port.onmessage = create_proxy(_on_request)
    port.postMessage(_js({"id": "listening", "ok": True}))


xworker.onmessage = _on_page_message

__export__ = ["load_numpy", "check_model"]
