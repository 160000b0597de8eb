"""The page's model check (site/py/model_check.py), run in CPython: it reads ONNX
metadata like the `onnx` package does, and agrees with what export writes. The names, version
and methods it checks against are the contract's (train/contract.json), as in the page's worker."""

from __future__ import annotations

import ast
from pathlib import Path

import model_check  # site/py/model_check.py (pyproject.toml puts site/py on the tests' path, as the page has it)
import onnx
import pytest
from onnx import TensorProto, helper

from train import contract, preprocess

ROOT = Path(__file__).resolve().parents[2]

GOOD_METADATA = {
    "model_name": "cnn", "norm_mean": "0.1307", "norm_std": "0.3081", "input_size": "28", "version": "1",
}  # fmt: skip
GOOD_INPUTS = [model_check.Port("image", "float32", ("batch", 1, 28, 28))]
GOOD_OUTPUTS = [model_check.Port("logits", "float32", ("batch", 10))]


def worker_expected() -> dict[str, str]:
    """What the page's worker.py passes model_check.Expected (it only runs in Pyodide): field -> its source text."""
    tree = ast.parse((ROOT / "site" / "py" / "worker.py").read_text())
    calls = [
        node for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "Expected"
    ]  # fmt: skip
    assert len(calls) == 1, "worker.py makes one model_check.Expected"
    return {keyword.arg: ast.unparse(keyword.value) for keyword in calls[0].keywords}


def expected(name: str = "cnn") -> model_check.Expected:
    """What the page's worker expects of a model: see test_the_worker_expects_what_the_contract_says."""
    return model_check.Expected(
        model_name=name, mean=preprocess.MEAN, std=preprocess.STD, size=preprocess.SIZE,
        version=contract.FORMAT_VERSION, input_name=contract.INPUT_NAME, output_name=contract.OUTPUT_NAME,
        methods=contract.METHODS, methods_reading_not_digit_output=contract.METHODS_READING_NOT_DIGIT_OUTPUT,
        layers=(contract.LAYER_OUTPUTS_KEY, contract.LAYER_OUTPUT_PREFIX, contract.KERNEL_OUTPUT_PREFIX),
    )  # fmt: skip


def test_the_worker_expects_what_the_contract_says():
    """worker.py builds its Expected as expected() does: preprocess's figures, the contract's names."""
    assert worker_expected() == {
        "model_name": "model_name", "mean": "preprocess.MEAN", "std": "preprocess.STD", "size": "preprocess.SIZE",
        "version": "contract.FORMAT_VERSION", "input_name": "contract.INPUT_NAME",
        "output_name": "contract.OUTPUT_NAME", "methods": "contract.METHODS",
        "methods_reading_not_digit_output": "contract.METHODS_READING_NOT_DIGIT_OUTPUT",
        "layers": "(contract.LAYER_OUTPUTS_KEY, contract.LAYER_OUTPUT_PREFIX, contract.KERNEL_OUTPUT_PREFIX)",
    }  # fmt: skip


def tiny_model(metadata: dict[str, str]) -> bytes:
    """An ONNX model image [N, 1, 28, 28] -> logits [N, 10], with metadata_props."""
    graph = helper.make_graph(
        [
            helper.make_node("Flatten", ["image"], ["flat"]),
            helper.make_node("MatMul", ["flat", "weights"], ["logits"]),
        ],
        "tiny",
        [helper.make_tensor_value_info("image", TensorProto.FLOAT, ["batch", 1, 28, 28])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["batch", 10])],
        [helper.make_tensor("weights", TensorProto.FLOAT, [784, 10], [0.001] * 7840)],
    )
    model = helper.make_model(graph, doc_string="a test model")
    for key, value in metadata.items():
        model.metadata_props.add(key=key, value=value)
    return model.SerializeToString()


def test_reads_metadata_like_the_onnx_package():
    data = tiny_model({**GOOD_METADATA, "note": "ünïcode, = and ;"})
    parsed = onnx.load_from_string(data)
    assert model_check.read_metadata(data) == {p.key: p.value for p in parsed.metadata_props}


def test_reads_the_shipped_models():
    models = sorted((ROOT / "site" / "models").glob("*.onnx"))
    if not models:
        pytest.skip("no exported model in site/models yet")
    for path in models:
        expected_props = {p.key: p.value for p in onnx.load(str(path), load_external_data=False).metadata_props}
        assert model_check.read_metadata(path.read_bytes()) == expected_props


def test_model_without_metadata_has_none():
    assert model_check.read_metadata(tiny_model({})) == {}


def test_truncated_file_is_an_error():
    with pytest.raises(ValueError):
        model_check.read_metadata(tiny_model(GOOD_METADATA)[:-3])


def test_a_good_model_passes():
    assert model_check.problems(GOOD_METADATA, GOOD_INPUTS, GOOD_OUTPUTS, expected()) == []


def test_what_export_writes_is_what_the_page_expects():
    onnx_io = pytest.importorskip("export.onnx_io")
    page = expected()
    assert (page.input_name, page.output_name) == (onnx_io.INPUT, onnx_io.OUTPUT)
    assert page.version == onnx_io.FORMAT_VERSION
    for name in ("cnn", "mlp"):
        assert model_check.problems(onnx_io.metadata(name), GOOD_INPUTS, GOOD_OUTPUTS, expected(name)) == []


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"norm_mean": "0.5"}, "normalized with mean 0.5"),
        ({"norm_std": "1.0"}, "normalized with std 1.0"),
        ({"norm_std": "wide"}, "normalized with std wide"),
        ({"input_size": "32"}, "expects 32x32 images"),
        ({"model_name": "mlp"}, "'mlp' model, but the page asked for 'cnn'"),
        ({"version": "2"}, "format version 2"),
    ],
)
def test_metadata_mismatch_is_said_in_plain_words(change, words):
    found = model_check.problems({**GOOD_METADATA, **change}, GOOD_INPUTS, GOOD_OUTPUTS, expected())
    assert len(found) == 1 and words in found[0]


def test_missing_metadata_is_reported():
    found = model_check.problems({}, GOOD_INPUTS, GOOD_OUTPUTS, expected())
    assert found == [
        "it does not describe itself (missing metadata: model_name, norm_mean, norm_std, input_size, version)"
    ]


@pytest.mark.parametrize(
    ("inputs", "outputs", "words"),
    [
        ([model_check.Port("input", "float32", (1, 1, 28, 28))], GOOD_OUTPUTS, "one input named 'image'"),
        ([model_check.Port("image", "float32", (1, 3, 28, 28))], GOOD_OUTPUTS, "shape [1, 3, 28, 28]"),
        ([model_check.Port("image", "uint8", (1, 1, 28, 28))], GOOD_OUTPUTS, "is uint8"),
        (GOOD_INPUTS, [model_check.Port("probs", "float32", (1, 10))], "output named 'logits'"),
        (GOOD_INPUTS, [model_check.Port("logits", "float32", (1, 100))], "shape [1, 100]"),
    ],
)
def test_wrong_inputs_or_outputs_are_reported(inputs, outputs, words):
    found = model_check.problems(GOOD_METADATA, inputs, outputs, expected())
    assert len(found) == 1 and words in found[0]


CAM_OUTPUT = model_check.Port("cam", "float32", ("batch", 10, 14, 14))


def test_a_model_with_grad_cam_maps_passes_and_names_them():
    metadata = {**GOOD_METADATA, "cam_output": "cam"}
    assert model_check.problems(metadata, GOOD_INPUTS, [*GOOD_OUTPUTS, CAM_OUTPUT], expected()) == []
    assert model_check.cam_output(metadata) == "cam"
    assert model_check.cam_output(GOOD_METADATA) is None  # e.g. the MLP: the page shows no map


def test_what_export_writes_for_grad_cam_is_what_the_page_expects():
    gradcam = pytest.importorskip("export.gradcam")
    metadata = {**GOOD_METADATA, **gradcam.METADATA}
    outputs = [*GOOD_OUTPUTS, model_check.Port(gradcam.OUTPUT, "float32", ("batch", 10, 14, 14))]
    assert model_check.problems(metadata, GOOD_INPUTS, outputs, expected()) == []


@pytest.mark.parametrize(
    ("outputs", "words"),
    [
        (GOOD_OUTPUTS, "no such output"),
        ([*GOOD_OUTPUTS, model_check.Port("cam", "float32", ("batch", 10, 196))], "shape ['batch', 10, 196]"),
        ([*GOOD_OUTPUTS, model_check.Port("cam", "float32", ("batch", 3, 14, 14))], "[N, 10, H, W]"),
    ],
)
def test_a_promised_grad_cam_output_must_be_there(outputs, words):
    found = model_check.problems({**GOOD_METADATA, "cam_output": "cam"}, GOOD_INPUTS, outputs, expected())
    assert len(found) == 1 and words in found[0], found


NOT_DIGIT_OUTPUT = model_check.Port("not_digit", "float32", ("batch", 1))
CALIBRATION = {
    "calibration_temperature": "1.3", "not_digit_method": "outlier", "not_digit_threshold": "0.5",
    "unsure_threshold": "0.6",
}  # fmt: skip


def test_a_calibrated_model_with_a_not_digit_output_passes_and_says_how():
    metadata = {**GOOD_METADATA, "not_digit_output": "not_digit", **CALIBRATION}
    assert model_check.problems(metadata, GOOD_INPUTS, [*GOOD_OUTPUTS, NOT_DIGIT_OUTPUT], expected()) == []
    assert model_check.not_digit_output(metadata) == "not_digit"
    assert model_check.calibration(metadata) == {
        "temperature": 1.3, "method": "outlier", "notDigitThreshold": 0.5, "unsureThreshold": 0.6,
    }  # fmt: skip
    assert model_check.calibration(GOOD_METADATA) is None  # plain probabilities, no verdict
    assert model_check.not_digit_output(GOOD_METADATA) is None


def test_what_export_writes_for_rejection_is_what_the_page_expects():
    rejection = pytest.importorskip("train.rejection")
    onnx_io = pytest.importorskip("export.onnx_io")
    calibration = rejection.Calibration(1.25, "outlier", 0.4, 0.55)
    metadata = {**GOOD_METADATA, **onnx_io.NOT_DIGIT_METADATA, **calibration.metadata()}
    outputs = [*GOOD_OUTPUTS, model_check.Port(onnx_io.NOT_DIGIT, "float32", ("batch", 1))]
    assert model_check.problems(metadata, GOOD_INPUTS, outputs, expected()) == []
    assert model_check.calibration(metadata) == {
        "temperature": 1.25, "method": "outlier", "notDigitThreshold": 0.4, "unsureThreshold": 0.55,
    }  # fmt: skip
    assert rejection.Calibration.from_metadata(metadata) == calibration


@pytest.mark.parametrize(
    ("change", "outputs", "words"),
    [
        ({"not_digit_output": "not_digit"}, GOOD_OUTPUTS, "no such output"),
        ({"not_digit_output": "not_digit"}, [*GOOD_OUTPUTS, model_check.Port("not_digit", "float32", ("batch", 2))],
         "[N, 1]"),
        ({**CALIBRATION, "not_digit_method": "energy", "unsure_threshold": None}, GOOD_OUTPUTS,
         "calibration is incomplete (missing metadata: unsure_threshold)"),
        ({**CALIBRATION, "not_digit_method": "vibes"}, GOOD_OUTPUTS, "method 'vibes' is none of"),
        (CALIBRATION, GOOD_OUTPUTS, "'outlier', but it has no 'not a digit' output"),
        ({**CALIBRATION, "not_digit_method": "energy", "calibration_temperature": "hot"}, GOOD_OUTPUTS,
         "temperature 'hot' is not a number"),
        ({**CALIBRATION, "not_digit_method": "max-prob", "not_digit_threshold": "1.5"}, GOOD_OUTPUTS,
         "thresholds are not numbers in [0, 1]"),
    ],
)  # fmt: skip
def test_a_broken_calibration_or_not_digit_output_is_said_in_plain_words(change, outputs, words):
    metadata = {**GOOD_METADATA, **{k: v for k, v in change.items() if v is not None}}  # None: left out
    found = model_check.problems(metadata, GOOD_INPUTS, outputs, expected())
    assert len(found) == 1 and words in found[0], found


FEATURES_OUTPUT = model_check.Port("features", "float32", ("batch", 128))


def test_a_model_with_features_passes_and_names_them_and_one_without_is_fine():
    metadata = {**GOOD_METADATA, "features_output": "features"}
    assert model_check.problems(metadata, GOOD_INPUTS, [*GOOD_OUTPUTS, FEATURES_OUTPUT], expected()) == []
    assert model_check.features_output(metadata) == "features"
    assert model_check.features_output(GOOD_METADATA) is None  # e.g. the MLP: it learns no handwriting


def test_what_export_writes_for_features_is_what_the_page_expects():
    onnx_io = pytest.importorskip("export.onnx_io")
    assert onnx_io.FEATURES_METADATA == {model_check.FEATURES_KEY: contract.FEATURES_OUTPUT}


@pytest.mark.parametrize(
    ("outputs", "words"),
    [
        (GOOD_OUTPUTS, "no such output"),
        ([*GOOD_OUTPUTS, model_check.Port("features", "float32", ("batch", 8, 16))], "[N, F]"),
        ([*GOOD_OUTPUTS, model_check.Port("features", "int64", ("batch", 128))], "int64"),
    ],
)
def test_a_promised_features_output_must_be_there(outputs, words):
    found = model_check.problems({**GOOD_METADATA, "features_output": "features"}, GOOD_INPUTS, outputs, expected())
    assert len(found) == 1 and words in found[0], found


LAYERS_METADATA = {contract.LAYER_OUTPUTS_KEY: "conv1,pool1"}
LAYER_OUTPUTS = [
    model_check.Port("layer_conv1", "float32", ("batch", 24, 28, 28)),
    model_check.Port("layer_pool1", "float32", ("batch", 24, 14, 14)),
    model_check.Port("kernel_conv1", "float32", (24, 1, 3, 3)),
]


def test_a_model_with_layers_passes_and_names_them_and_one_without_is_fine():
    metadata, outputs = {**GOOD_METADATA, **LAYERS_METADATA}, [*GOOD_OUTPUTS, *LAYER_OUTPUTS]
    assert model_check.problems(metadata, GOOD_INPUTS, outputs, expected()) == []
    assert model_check.layer_outputs(metadata, outputs, expected()) == {
        "stages": ["conv1", "pool1"],
        "activations": ["layer_conv1", "layer_pool1"],
        "kernels": {"conv1": "kernel_conv1"},  # a max-pool has no kernels
    }
    assert model_check.layer_outputs(GOOD_METADATA, GOOD_OUTPUTS, expected()) is None  # e.g. the MLP


@pytest.mark.parametrize(
    ("outputs", "words"),
    [
        (LAYER_OUTPUTS[1:], "no output 'layer_conv1'"),
        ([model_check.Port("layer_conv1", "float32", ("batch", 24)), *LAYER_OUTPUTS[1:]], "[N, C, H, W]"),
        ([*LAYER_OUTPUTS[:2], model_check.Port("kernel_conv1", "int64", (24, 1, 3, 3))], "[C_out, C_in, H, W]"),
    ],
)
def test_listed_layers_must_be_there(outputs, words):
    metadata = {**GOOD_METADATA, **LAYERS_METADATA}
    found = model_check.problems(metadata, GOOD_INPUTS, [*GOOD_OUTPUTS, *outputs], expected())
    assert len(found) == 1 and words in found[0]


def test_the_shipped_reader_has_every_layer_the_view_shows():
    path = ROOT / "site" / "models" / "cnn.onnx"
    if not path.is_file():
        pytest.skip("no exported cnn.onnx in site/models yet")
    onnxruntime = pytest.importorskip("onnxruntime")
    ports = onnxruntime.InferenceSession(str(path)).get_outputs()
    kind = {"tensor(float)": "float32"}
    outputs = [model_check.Port(o.name, kind.get(o.type, o.type), tuple(o.shape)) for o in ports]
    metadata = model_check.read_metadata(path.read_bytes())
    layers = model_check.layer_outputs(metadata, outputs, expected())
    assert layers["stages"] == ["conv1", "conv2", "pool1", "conv3", "conv4", "pool2"]
    assert sorted(layers["kernels"]) == ["conv1", "conv2", "conv3", "conv4"]
    assert model_check._layer_problems(metadata, outputs, expected()) == []
