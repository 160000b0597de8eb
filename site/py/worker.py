"""The page's Python. It runs in a web worker, so drawing stays smooth while it boots; every
<digit-pad> element of a page shares this one worker (js/element/runtime.js).

The runtime calls the exported functions while the page loads: `load_numpy` once
Pyodide is up (a loading stage of its own), then `check_model` once onnxruntime-web has
opened a model (in its own worker, see js/element/inference-worker.js). After that, every
drawing comes on a MessagePort of its own (`listen`), not through PyScript's calls: a
plain port costs a fraction of a millisecond a message, PyScript's call machinery about
two. On that port (messages {id, type, ...}, answered {id, ok, ...} in order):

- "connect" {name, port}: the port of that model's worker, to send it prepared inputs
  ({id, input, shape, layers}) directly, so that they never wait in the page's main thread behind
  the person's drawing;
- "prepare" {rgba, width, height, centre, prediction, models, layers}: see `prepare` (`prediction`
  is its id, `models` the names of the connected models that are to read it, `layers` whether they
  answer with their layers' activations too: the layer view);
- "number" {points, lengths, ids, known, penRadius, centre, prediction, models, layers}: Number mode, in
  one call per frame: the digits found in the strokes, each new one drawn alone (by the page's own
  js/element/ink.js, on an OffscreenCanvas) and prepared, all sent as one batch (`read_number`);
- "embed" {pixels, prediction, models}: 28x28 inputs in [0, 1] (the handwriting memory's kept
  drawings) normalized and sent to the models as one batch, for their features (`embed`);
- "remember" {features, digits}, "recall" {probs, features}: the handwriting memory (memory.py, the
  module the offline evaluation runs), see `remember` and `recall`;
- "ping": answered at once, with nothing: the page checks that the worker is alive (js/element/worker-health.js);
- "modules": {"modules": the names of every module imported so far}: what the build's trimmed standard library
  and numpy wheel must hold (webapp/python_trim.py; tests/page/test_python_modules.py asks after a full use).

The worker never reaches back into the page, so it works with or without cross-origin
isolation. The pixels-to-input step is `preprocess.to_mnist_framed` + `preprocess.normalize`,
and Number mode's segmentation `segment.segment`: the very modules that training and
evaluation use in CPython. What a model file must be named and versioned comes from `contract`
(train/contract.json, beside it), which export reads too.
"""

from __future__ import annotations

import json
import sys

import contract
import js
import model_check
from polyscript import js_modules, xworker
from pyodide.ffi import create_proxy, to_js

# Imported by load_numpy, so that numpy's import shows as a loading stage of its own.
np = None
preprocess = None
segment = None
memory = None
handwriting = None  # the person's handwriting memory (memory.Memory), made by load_numpy

models: dict = {}  # name -> the MessagePort to that model's worker
ink = js_modules.ink  # js/element/ink.js (config js_modules.worker): the pad's own drawing code


def load_numpy() -> str:
    """Import numpy and the shared preprocessing and segmentation modules; returns numpy's version."""
    global np, preprocess, segment, memory, handwriting
    import memory
    import numpy as np
    import preprocess
    import segment

    handwriting = memory.Memory(memory.Settings.from_contract(contract.MEMORY))
    return np.__version__


def _ports(ports) -> list[model_check.Port]:
    return [model_check.Port(str(p.name), str(p.type), tuple(p.shape)) for p in ports]


def check_model(model, inputs, outputs, model_name: str) -> dict:
    """Is the model (ONNX bytes as a JS Uint8Array; ports as onnxruntime reports them)
    the one the page expects? {"ok": True, name, version, feed, fetch, cam, notDigit, features,
    layers, calibration} (cam, notDigit, features: the names of its Grad-CAM, "not a digit" and
    features outputs, None when it has none; layers: model_check.layer_outputs, None for none;
    calibration: model_check.calibration as JSON text, "null" for none) or {"ok": False, "error": what
    is wrong, in plain words}."""
    metadata = model_check.read_metadata(model.to_bytes())
    expected = model_check.Expected(
        model_name=model_name, mean=preprocess.MEAN, std=preprocess.STD, size=preprocess.SIZE,
        version=contract.FORMAT_VERSION, input_name=contract.INPUT_NAME, output_name=contract.OUTPUT_NAME,
        methods=contract.METHODS, methods_reading_not_digit_output=contract.METHODS_READING_NOT_DIGIT_OUTPUT,
        layers=(contract.LAYER_OUTPUTS_KEY, contract.LAYER_OUTPUT_PREFIX, contract.KERNEL_OUTPUT_PREFIX),
    )  # fmt: skip
    found = model_check.problems(metadata, _ports(inputs), _ports(outputs), expected)
    if found:
        error = f"The model models/{model_name}.onnx is not what this page expects: {'; '.join(found)}."
        return {"ok": False, "error": error}
    return {
        "ok": True,
        "name": metadata["model_name"],
        "version": metadata["version"],
        "feed": contract.INPUT_NAME,
        "fetch": contract.OUTPUT_NAME,
        "cam": model_check.cam_output(metadata),
        "notDigit": model_check.not_digit_output(metadata),
        "features": model_check.features_output(metadata),
        "layers": _js(model_check.layer_outputs(metadata, _ports(outputs), expected)),
        "calibration": json.dumps(model_check.calibration(metadata)),  # JSON: one flat reply across workers
    }


def _js(value: dict):
    return to_js(value, dict_converter=js.Object.fromEntries)


def _send(images, prediction_id, names, layers: bool = False) -> None:
    """28x28 images in [0, 1] (one, or [N, 28, 28]) normalized into one batch and sent with id `prediction_id`
    to the worker of each model in `names`; with `layers`, the models that have them answer with their layers'
    activations too (the layer view)."""
    batch = preprocess.normalize(images)
    message = _js({"id": str(prediction_id), "input": batch.ravel(), "shape": list(batch.shape), "layers": layers})
    for name in names:
        models[str(name)].postMessage(message)


def prepare(rgba, width: int, height: int, centre: bool, prediction_id: str, names, layers: bool = False) -> dict:
    """The model input for an RGBA bitmap (a JS Uint8ClampedArray, width x height x 4),
    sent to each connected model in `names` as {"id": prediction_id, "input": the
    normalized [1, 1, 28, 28] input (Float32Array), "shape"}.

    Returns {"pixels": the 28x28 image in [0, 1] (Float32Array of 784, row by row; None
    when there is no ink, and then nothing is sent), "frame": where the input lies on the
    bitmap ([row0, col0, row_scale, col_scale], see preprocess.to_mnist_framed), "ms":
    time spent here}. Without `centre` the digit's box is centred instead of its centre of mass. With `layers`
    the models answer with their layers too (`_send`).
    """
    start = js.performance.now()
    image = np.frombuffer(rgba.to_bytes(), dtype=np.uint8).reshape(height, width, 4)
    framed = preprocess.to_mnist_framed(image, centre=bool(centre))
    if framed is None:
        return {"pixels": None, "frame": [], "ms": js.performance.now() - start}
    small, frame = framed
    _send(small, prediction_id, names, layers)
    return {"pixels": to_js(small.ravel()), "frame": [float(v) for v in frame], "ms": js.performance.now() - start}


def _digit_key(pieces, ids: list[int], centre: bool, names: list[str], layers: bool) -> str:
    """What makes a digit's answer: its pieces of which strokes (a stroke's identity, `ids`, not its index:
    an undone stroke's place may be taken by another), the centring, the models and whether it has its layers."""
    held = " ".join(f"{ids[i]}:{a}-{b}" for i, a, b in pieces)
    return f"{int(bool(centre))}{int(layers)}|{','.join(names)}|{held}"


_number_ink = None  # Number mode's ink canvas (ink.js inkContext), made on first use


def read_number(request) -> dict:
    """Number mode, one call per frame: the digits in the strokes, left to right (segment.segment), and
    each digit the page has no answer for yet (its key is not in `request.known`) drawn alone by ink.js
    on an OffscreenCanvas, as the pad would draw it alone, prepared, and sent to the models in `models`
    as ONE [N, 1, 28, 28] batch with id `prediction` (nothing is sent when every digit is known).

    The request: {points (Float64Array of x, y pairs, stroke after stroke), lengths (Int32Array),
    ids (Int32Array: each stroke's identity), known (the keys answered), penRadius, centre,
    prediction, models}. Returns {"segments": [{"box": [x, y, w, h] (grown by penRadius), "pieces":
    [[stroke, start, stop], ...], "key"}], "fresh": the indices of the digits sent, in batch order,
    "pixels": their 28x28 images in [0, 1], "frames": their frames on the bitmap, "ms": {segment, read,
    preprocess}}."""
    global _number_ink
    start = js.performance.now()
    flat = np.frombuffer(request.points.to_bytes(), dtype=np.float64).reshape(-1, 2)
    sizes = np.frombuffer(request.lengths.to_bytes(), dtype=np.int32)
    ids = np.frombuffer(request.ids.to_bytes(), dtype=np.int32).tolist()
    names = [str(name) for name in request.models]
    strokes = np.split(flat, np.cumsum(sizes)[:-1]) if len(sizes) else []
    found = segment.segment(strokes, pen_radius=float(request.penRadius))
    layers = _wants_layers(request)
    keys = [_digit_key(s.pieces, ids, request.centre, names, layers) for s in found]
    known = set(request.known.to_py())
    fresh = [k for k, key in enumerate(keys) if key not in known]
    segmented = js.performance.now()
    regions = []
    if fresh:
        if _number_ink is None:
            _number_ink = ink.inkContext(ink.NUMBER_BITMAP)
        for k in fresh:
            parts = segment.segment_strokes(strokes, found[k])
            points = to_js(np.concatenate(parts).ravel())
            lengths = to_js(np.array([len(p) for p in parts], dtype=np.int32))
            regions.append(ink.readStrokes(_number_ink, ink.unpacked(points, lengths), ink.NUMBER_BITMAP))
    drawn = js.performance.now()
    images, frames = [], []
    for region in regions:
        image = np.frombuffer(region.data.to_bytes(), dtype=np.uint8).reshape(region.height, region.width, 4)
        blank = (np.zeros((preprocess.SIZE,) * 2, np.float32), (0, 0, 1, 1))  # (never: a digit has ink)
        framed = preprocess.to_mnist_framed(image, centre=bool(request.centre)) or blank
        small, (row0, col0, row_scale, col_scale) = framed
        images.append(small)
        frames.append([float(row0 + region.y), float(col0 + region.x), float(row_scale), float(col_scale)])
    if images:
        _send(np.stack(images), request.prediction, names, layers)
    segments = [
        {"box": list(s.box), "pieces": [list(p) for p in s.pieces], "key": key}
        for s, key in zip(found, keys, strict=True)
    ]
    ms = {"segment": segmented - start, "read": drawn - segmented, "preprocess": js.performance.now() - drawn}
    pixels = [to_js(small.ravel()) for small in images]
    return {"segments": segments, "fresh": fresh, "pixels": pixels, "frames": frames, "ms": ms}


def embed(request) -> dict:
    """The kept drawings' 28x28 inputs (request.pixels: a Float32Array of N x 784 in [0, 1]) normalized and sent
    to the models in request.models as one batch with id request.prediction; returns {"count": N}."""
    pixels = np.frombuffer(request.pixels.to_bytes(), dtype=np.float32).reshape(-1, preprocess.SIZE, preprocess.SIZE)
    _send(pixels, request.prediction, request.models)
    return {"count": len(pixels)}


def remember(request) -> dict:
    """The memory holds exactly these drawings: request.features (Float32Array, N rows) and request.digits
    (Int32Array of N digits), oldest first; returns {"count"} (at most the memory's capacity)."""
    digits = np.frombuffer(request.digits.to_bytes(), dtype=np.int32)
    if len(digits) == 0:
        handwriting.forget()
        return {"count": 0}
    features = np.frombuffer(request.features.to_bytes(), dtype=np.float32).reshape(len(digits), -1)
    handwriting.load(features, digits)
    return {"count": len(handwriting)}


def recall(request) -> dict:
    """N drawings' calibrated probabilities (request.probs, Float64Array of N x 10) blended with the memory's
    votes for their features (request.features, Float32Array of N rows): {"probs", "votes"} (Float64Arrays of
    N x 10; a row of zero votes: no remembered drawing was like it, its probabilities are the network's)."""
    probs = np.frombuffer(request.probs.to_bytes(), dtype=np.float64).reshape(-1, memory.DIGITS)
    features = np.frombuffer(request.features.to_bytes(), dtype=np.float32).reshape(len(probs), -1)
    recalled = handwriting.recall(probs, features)
    return {"probs": to_js(recalled.probs.ravel()), "votes": to_js(recalled.votes.ravel())}


def _wants_layers(request) -> bool:
    """Whether the page asks for the layers' activations with this drawing (its `layers`: absent is no)."""
    return bool(getattr(request, "layers", False))


def _handle(request) -> dict:
    """The answer's fields for one message of the page's port (see the module's docstring)."""
    kind = request.type
    if kind == "prepare":
        prepared = (request.rgba, request.width, request.height, request.centre, request.prediction, request.models)
        return prepare(*prepared, _wants_layers(request))
    if kind == "number":
        return read_number(request)
    if kind == "recall":
        return recall(request)
    if kind == "embed":
        return embed(request)
    if kind == "remember":
        return remember(request)
    if kind == "ping":
        return {}
    if kind == "modules":
        return {"modules": sorted(sys.modules)}
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
