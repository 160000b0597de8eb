"""Check that an ONNX model is the one this page expects, before it predicts anything.

A model trained with another normalization or input size would still run and give
confident nonsense, so the page compares the model's own description with what it
feeds it and refuses a mismatch in plain words.

The `onnx` package is not available in the page, and onnxruntime-web exposes the
inputs and outputs but not the model's metadata_props, so those are read here straight
from the protobuf encoding: a ModelProto is a sequence of (field number, wire type,
value) records; metadata_props is field 14, each entry a StringStringEntryProto with
key = field 1 and value = field 2. Pure Python, no numpy: it runs in CPython as well.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

METADATA_PROPS_FIELD = 14  # ModelProto.metadata_props
KEY_FIELD, VALUE_FIELD = 1, 2  # StringStringEntryProto.key / .value
VARINT, FIXED64, LENGTH_DELIMITED, FIXED32 = 0, 1, 2, 5  # protobuf wire types
CAM_KEY = "cam_output"  # metadata naming the optional Grad-CAM output [N, classes, H, W] (export/gradcam.py)
NOT_DIGIT_KEY = "not_digit_output"  # metadata naming the optional "not a digit" logit [N, 1] (export/onnx_io.py)
FEATURES_KEY = "features_output"  # metadata naming the optional last hidden layer [N, F] (the handwriting memory)
# The calibration and the verdict's thresholds (train/rejection.py Calibration): all four or none.
CALIBRATION_KEYS = ("calibration_temperature", "not_digit_method", "not_digit_threshold", "unsure_threshold")


def _varint(data: memoryview, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if pos >= len(data):
            raise ValueError("truncated varint")
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, pos
        shift += 7
        if shift > 63:
            raise ValueError("varint too long")


def _fields(data: memoryview) -> Iterator[tuple[int, int, int | memoryview]]:
    """(field number, wire type, value) of each record; length-delimited values are views."""
    pos = 0
    while pos < len(data):
        tag, pos = _varint(data, pos)
        number, wire = tag >> 3, tag & 7
        if wire == VARINT:
            value, pos = _varint(data, pos)
        elif wire == FIXED64:
            value, pos = int.from_bytes(data[pos : pos + 8], "little"), pos + 8
        elif wire == FIXED32:
            value, pos = int.from_bytes(data[pos : pos + 4], "little"), pos + 4
        elif wire == LENGTH_DELIMITED:
            length, pos = _varint(data, pos)
            if pos + length > len(data):
                raise ValueError("truncated field")
            value, pos = data[pos : pos + length], pos + length
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
        yield number, wire, value


def read_metadata(model: bytes | bytearray | memoryview) -> dict[str, str]:
    """The metadata_props of a serialized ONNX ModelProto, as a dict."""
    props: dict[str, str] = {}
    for number, wire, value in _fields(memoryview(model)):
        if number != METADATA_PROPS_FIELD or wire != LENGTH_DELIMITED:
            continue
        entry = {n: bytes(v).decode("utf-8") for n, w, v in _fields(value) if w == LENGTH_DELIMITED}
        props[entry.get(KEY_FIELD, "")] = entry.get(VALUE_FIELD, "")
    return props


@dataclass(frozen=True)
class Port:
    """One input or output of a loaded model, as onnxruntime reports it."""

    name: str
    type: str  # e.g. "float32"
    shape: tuple  # ints, or strings / -1 for symbolic dimensions


@dataclass(frozen=True)
class Expected:
    """What the page feeds the model and reads from it (the names, version and methods: train/contract.json)."""

    model_name: str
    mean: float
    std: float
    size: int
    version: str
    input_name: str
    output_name: str
    methods: tuple[str, ...]  # the "not a digit" methods the page knows
    methods_reading_not_digit_output: tuple[str, ...]  # those of them that need a "not a digit" output
    # The layer view's outputs (contract.json model.layer_*): the metadata key that lists the reader's stages, and
    # the prefixes of each stage's activations [N, C, H, W] and of each convolution's kernels [C_out, C_in, 3, 3].
    layers: tuple[str, str, str] = ("", "", "")
    classes: int = 10


def _float(text: str | None) -> float | None:
    try:
        return float(text) if text is not None else None
    except ValueError:
        return None


def problems(metadata: dict[str, str], inputs: list[Port], outputs: list[Port], expected: Expected) -> list[str]:
    """Everything that makes the model unusable by this page, in plain words (empty if fine)."""
    found: list[str] = []
    missing = [k for k in ("model_name", "norm_mean", "norm_std", "input_size", "version") if k not in metadata]
    if missing:
        found.append(f"it does not describe itself (missing metadata: {', '.join(missing)})")
    name = metadata.get("model_name")
    if name is not None and name != expected.model_name:
        found.append(f"it says it is the {name!r} model, but the page asked for {expected.model_name!r}")
    version = metadata.get("version")
    if version is not None and version != expected.version:
        found.append(f"it is in format version {version}, this page reads version {expected.version}")
    for key, wanted in (("norm_mean", expected.mean), ("norm_std", expected.std)):
        value = _float(metadata.get(key))
        if key in metadata and (value is None or abs(value - wanted) > 1e-6):
            found.append(
                f"it was trained on pixels normalized with {key.removeprefix('norm_')} "
                f"{metadata[key]}, but the page normalizes with {wanted}"
            )
    size = metadata.get("input_size")
    if size is not None and size != str(expected.size):
        found.append(f"it expects {size}x{size} images, the page makes {expected.size}x{expected.size}")

    wanted_shape = (1, expected.size, expected.size)
    by_name = {port.name: port for port in inputs}
    port = by_name.get(expected.input_name)
    if port is None or len(inputs) != 1:
        names = ", ".join(p.name for p in inputs) or "none"
        found.append(f"it should take one input named {expected.input_name!r}, it takes: {names}")
    elif port.type != "float32" or tuple(port.shape[1:]) != wanted_shape or len(port.shape) != 4:
        found.append(
            f"its input {port.name!r} is {port.type} of shape {list(port.shape)}, "
            f"the page feeds float32 of shape [N, 1, {expected.size}, {expected.size}]"
        )
    by_name = {port.name: port for port in outputs}
    port = by_name.get(expected.output_name)
    if port is None:
        names = ", ".join(p.name for p in outputs) or "none"
        found.append(f"it should have an output named {expected.output_name!r}, it has: {names}")
    elif port.type != "float32" or len(port.shape) != 2 or port.shape[1] != expected.classes:
        found.append(
            f"its output {port.name!r} is {port.type} of shape {list(port.shape)}, "
            f"the page reads float32 of shape [N, {expected.classes}]"
        )
    found += _cam_problems(metadata, outputs, expected)
    found += _not_digit_problems(metadata, outputs, expected)
    found += _features_problems(metadata, outputs)
    found += _layer_problems(metadata, outputs, expected)
    return found


def layer_stages(metadata: dict[str, str], expected: Expected) -> list[str]:
    """The reader's stages the layer view can show (metadata expected.layers[0], in network order), [] for none."""
    listed = metadata.get(expected.layers[0], "") if expected.layers[0] else ""
    return [name for name in listed.split(",") if name]


def layer_outputs(metadata: dict[str, str], outputs: list[Port], expected: Expected) -> dict | None:
    """{"stages": [names], "activations": [output names], "kernels": {stage: output name}} for the layer view, None
    for a model without one (check `problems` first)."""
    stages = layer_stages(metadata, expected)
    if not stages:
        return None
    _key, activation, kernel = expected.layers
    names = {p.name for p in outputs}
    kernels = {stage: kernel + stage for stage in stages if kernel + stage in names}
    return {"stages": stages, "activations": [activation + stage for stage in stages], "kernels": kernels}


def _layer_problems(metadata: dict[str, str], outputs: list[Port], expected: Expected) -> list[str]:
    """Each stage the metadata lists must have its activations, float32 [N, C, H, W]; a kernels output, when there
    is one, float32 [C_out, C_in, 3, 3]. A model without stages is fine: the page shows no layers for it."""
    by_name = {p.name: p for p in outputs}
    found = []
    _key, activation, kernel = expected.layers
    for stage in layer_stages(metadata, expected):
        port = by_name.get(activation + stage)
        if port is None:
            found.append(f"its metadata lists a layer {stage!r}, but it has no output {activation + stage!r}")
        elif port.type != "float32" or len(port.shape) != 4:
            found.append(f"its layer output {port.name!r} is {port.type} of shape {list(port.shape)}, "
                         "the page reads float32 of shape [N, C, H, W]")  # fmt: skip
        port = by_name.get(kernel + stage)
        if port is not None and (port.type != "float32" or len(port.shape) != 4):
            found.append(f"its kernels output {port.name!r} is {port.type} of shape {list(port.shape)}, "
                         "the page reads float32 of shape [C_out, C_in, H, W]")  # fmt: skip
    return found


def _features_problems(metadata: dict[str, str], outputs: list[Port]) -> list[str]:
    """A named features output must be float32 [N, F]. A model without one is fine: it learns no handwriting."""
    return _output_problems(metadata, outputs, FEATURES_KEY, "features output", lambda s: len(s) == 2, "[N, F]")


def _output_problems(metadata: dict[str, str], outputs: list[Port], key: str, what: str, fits, shape: str) -> list[str]:
    """An optional output that the metadata names (`key`) must be there, float32, of a shape `fits` accepts."""
    name = metadata.get(key)
    if name is None:
        return []
    port = {p.name: p for p in outputs}.get(name)
    if port is None:
        return [f"its metadata names a {what} {name!r}, but it has no such output"]
    if port.type != "float32" or not fits(port.shape):
        return [
            f"its {what} {name!r} is {port.type} of shape {list(port.shape)}, the page reads float32 of shape {shape}"
        ]
    return []


def _not_digit_problems(metadata: dict[str, str], outputs: list[Port], expected: Expected) -> list[str]:
    """A named "not a digit" output must be float32 [N, 1]; the calibration must be whole and sane."""
    name = metadata.get(NOT_DIGIT_KEY)
    fits = lambda shape: len(shape) == 2 and shape[1] == 1  # noqa: E731
    found = _output_problems(metadata, outputs, NOT_DIGIT_KEY, "'not a digit' output", fits, "[N, 1]")
    given = [k for k in CALIBRATION_KEYS if k in metadata]
    if not given:
        return found
    if len(given) < len(CALIBRATION_KEYS):
        missing = ", ".join(k for k in CALIBRATION_KEYS if k not in metadata)
        return [*found, f"its calibration is incomplete (missing metadata: {missing})"]
    method = metadata["not_digit_method"]
    temperature = _float(metadata["calibration_temperature"])
    thresholds = [_float(metadata[k]) for k in ("not_digit_threshold", "unsure_threshold")]
    if method not in expected.methods:
        found.append(f"its 'not a digit' method {method!r} is none of {', '.join(expected.methods)}")
    elif method in expected.methods_reading_not_digit_output and name is None:
        found.append(f"its 'not a digit' method is {method!r}, but it has no 'not a digit' output")
    if temperature is None or not 0.01 <= temperature <= 100:
        given_temperature = metadata["calibration_temperature"]
        found.append(f"its calibration temperature {given_temperature!r} is not a number in [0.01, 100]")
    if any(t is None or not 0.0 <= t <= 1.0 for t in thresholds):
        found.append("its verdict thresholds are not numbers in [0, 1]")
    return found


def _cam_problems(metadata: dict[str, str], outputs: list[Port], expected: Expected) -> list[str]:
    """A model that says it has Grad-CAM maps (metadata cam_output) must have them:
    float32 [N, classes, H, W]. A model without maps (the MLP) is fine: the page shows none."""
    fits = lambda shape: len(shape) == 4 and shape[1] == expected.classes  # noqa: E731
    return _output_problems(metadata, outputs, CAM_KEY, "Grad-CAM output", fits, f"[N, {expected.classes}, H, W]")


def not_digit_output(metadata: dict[str, str]) -> str | None:
    """The name of the model's "not a digit" output, None when it has none (check `problems` first)."""
    return metadata.get(NOT_DIGIT_KEY)


def features_output(metadata: dict[str, str]) -> str | None:
    """The name of the model's features output, None when it has none (check `problems` first)."""
    return metadata.get(FEATURES_KEY)


def calibration(metadata: dict[str, str]) -> dict | None:
    """{temperature, method, notDigitThreshold, unsureThreshold} for the page's verdicts, None when the
    model has no calibration (then the page shows plain probabilities and no verdict)."""
    if "not_digit_method" not in metadata:
        return None
    return {
        "temperature": float(metadata["calibration_temperature"]),
        "method": metadata["not_digit_method"],
        "notDigitThreshold": float(metadata["not_digit_threshold"]),
        "unsureThreshold": float(metadata["unsure_threshold"]),
    }


def cam_output(metadata: dict[str, str]) -> str | None:
    """The name of the model's Grad-CAM output, None when it has none (check `problems` first)."""
    return metadata.get(CAM_KEY)
