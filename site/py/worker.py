"""The page's Python. It runs in a web worker, so drawing stays smooth while it boots.

js/runtime.js calls the exported functions: `load_numpy` once Pyodide is up (a loading
stage of its own), `check_model` once onnxruntime-web has opened the model (in its own
worker, see js/inference-worker.js), `connect` to name the BroadcastChannel on which the
models' workers listen, then `prepare` for every drawing. `prepare` broadcasts the model
input straight to the models, so that it never waits in the page's main thread behind
the person's drawing. The worker never reaches back into the page, so it works with or
without cross-origin isolation.

The pixels-to-input step is `preprocess.to_mnist` + `preprocess.normalize`: the very
module that training and evaluation use in CPython.
"""

from __future__ import annotations

import js
import model_check
from pyodide.ffi import to_js

MODEL_FORMAT_VERSION = "1"  # the version of the model description this page reads
INPUT_NAME, OUTPUT_NAME = "image", "logits"

# Imported by load_numpy, so that numpy's import shows as a loading stage of its own.
np = None
preprocess = None


# Where prepared inputs go: a BroadcastChannel on which every model's worker listens.
models = None


def connect(channel: str) -> None:
    """Broadcast prepared inputs on the BroadcastChannel named `channel` (one per page)."""
    global models
    models = js.BroadcastChannel.new(channel)


def load_numpy() -> str:
    """Import numpy and the shared preprocessing module; returns numpy's version."""
    global np, preprocess
    import numpy as np
    import preprocess

    return np.__version__


def _ports(ports) -> list[model_check.Port]:
    return [model_check.Port(str(p.name), str(p.type), tuple(p.shape)) for p in ports]


def check_model(model, inputs, outputs, model_name: str) -> dict:
    """Is the model (ONNX bytes as a JS Uint8Array; ports as onnxruntime reports them)
    the one the page expects? {"ok": True, name, version, feed, fetch, cam} (cam: the
    name of its Grad-CAM output, None when it has none) or {"ok": False, "error": what
    is wrong, in plain words}."""
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
    }


def prepare(rgba, width: int, height: int, centre: bool, prediction_id: str) -> dict:
    """The model input for an RGBA bitmap (a JS Uint8ClampedArray, width x height x 4),
    broadcast to the models as {"id": prediction_id, "input": the normalized [1, 1, 28, 28]
    input (Float32Array), "shape"}.

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
    message = {"id": prediction_id, "input": batch.ravel(), "shape": list(batch.shape)}
    models.postMessage(to_js(message, dict_converter=js.Object.fromEntries))
    return {"pixels": to_js(small.ravel()), "frame": [float(v) for v in frame], "ms": js.performance.now() - start}


__export__ = ["load_numpy", "check_model", "connect", "prepare"]
