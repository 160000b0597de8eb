"""The layer view's outputs (issue 40): each stage of the reader's activations, and each convolution's kernels,
as outputs of the very graph the page runs: `python -m export.layers site/models/cnn.onnx`.

The tensors are already in the graph (they feed the logits); this adds an Identity for each, named by the
contract (`layer_<stage>`, [N, C, H, W], after the ReLU or the max-pool; `kernel_<stage>`, [C_out, C_in, 3, 3],
the convolution's weights with its batch norm folded in, as export folds it), and lists the stages in the
metadata (`layer_outputs`). Nothing else changes: the page fetches these outputs only while its layer view is
on, so a prediction with the view off runs what it ran before. Export and export.pair add them to every CNN
file they write; this command gives them to a file written before. The activations are checked against
PyTorch's for the same inputs (the network rebuilt from the file's own weights, train/from_onnx.py).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import onnx
import torch
from onnx import helper

from export.onnx_io import TOLERANCE
from train import contract, mnist, preprocess
from train.from_onnx import CONVS, READER, cnn_from_onnx, float_weights
from train.models import CNN
from train.onnx_run import read_metadata, session

CONV_STAGES = tuple(f"conv{i}" for i in range(1, len(CONVS) + 1))  # the reader's convolutions, in order
POOLED_AFTER = {"conv2": "pool1", "conv4": "pool2"}  # the max-pool that follows a convolution
STAGES = ("conv1", "conv2", "pool1", "conv3", "conv4", "pool2")  # network order: what the page shows
FEATURE_INDEX = dict(zip(STAGES, range(len(STAGES)), strict=True))  # each stage's module in CNN.features


def _consumer(graph: onnx.GraphProto, tensor: str, op: str) -> onnx.NodeProto:
    found = [n for n in graph.node if n.op_type == op and n.input and n.input[0] == tensor]
    if len(found) != 1:
        raise ValueError(f"the graph has {len(found)} {op} nodes reading {tensor!r}, not one: not the reader's shape")
    return found[0]


def stage_tensors(graph: onnx.GraphProto) -> tuple[dict[str, str], dict[str, str]]:
    """({stage: the tensor of its activations}, {convolution stage: its weight initializer}) in the reader's graph
    (export/gradcam.py names its convolutions' weights as train/from_onnx.py READER says)."""
    activations, kernels = {}, {}
    for stage, block in zip(CONV_STAGES, CONVS, strict=True):
        weight = READER.conv.format(block)
        convs = [n for n in graph.node if n.op_type == "Conv" and len(n.input) > 1 and n.input[1] == weight]
        if len(convs) != 1:
            raise ValueError(f"the graph has no single convolution with weights {weight!r}: not the reader's shape")
        activations[stage] = _consumer(graph, convs[0].output[0], "Relu").output[0]
        kernels[stage] = weight
        if stage in POOLED_AFTER:
            activations[POOLED_AFTER[stage]] = _consumer(graph, activations[stage], "MaxPool").output[0]
    return {stage: activations[stage] for stage in STAGES}, kernels


def with_layers(model: onnx.ModelProto) -> onnx.ModelProto:
    """`model` (the reader, alone or paired) with the layer view's outputs and metadata; unchanged otherwise."""
    model = onnx.ModelProto.FromString(model.SerializeToString())
    graph = model.graph
    activations, kernels = stage_tensors(graph)
    shapes = {v.name: v for v in onnx.shape_inference.infer_shapes(model).graph.value_info}
    weights = float_weights(graph)  # (a file with float16 weights: the float32 they are cast to)
    for stage, tensor in activations.items():
        name = contract.LAYER_OUTPUT_PREFIX + stage
        graph.node.append(helper.make_node("Identity", [tensor], [name], name=f"layer_view_{stage}"))
        dims = [d.dim_param or d.dim_value for d in shapes[tensor].type.tensor_type.shape.dim]
        graph.output.append(helper.make_tensor_value_info(name, onnx.TensorProto.FLOAT, dims))
    for stage, weight in kernels.items():
        name = contract.KERNEL_OUTPUT_PREFIX + stage
        graph.node.append(helper.make_node("Identity", [weight], [name], name=f"layer_view_kernel_{stage}"))
        graph.output.append(helper.make_tensor_value_info(name, onnx.TensorProto.FLOAT, list(weights[weight].shape)))
    kept = [(p.key, p.value) for p in model.metadata_props if p.key != contract.LAYER_OUTPUTS_KEY]
    del model.metadata_props[:]
    for key, value in [*kept, (contract.LAYER_OUTPUTS_KEY, ",".join(STAGES))]:
        model.metadata_props.add(key=key, value=value)
    onnx.checker.check_model(model, full_check=True)
    return model


def add_to_file(path: Path) -> None:
    """Writes the file at `path` again with the layer view's outputs (see `with_layers`)."""
    onnx.save_model(with_layers(onnx.load(str(path))), str(path))


def pytorch_layers(reader: CNN, inputs: np.ndarray) -> dict[str, np.ndarray]:
    """Each stage's activations by PyTorch (the reader's `features` modules, one after the other)."""
    found, x = {}, torch.from_numpy(inputs)
    index_stage = {index: stage for stage, index in FEATURE_INDEX.items()}
    with torch.no_grad():
        for index, module in enumerate(reader.features):
            x = module(x)
            if index in index_stage:
                found[index_stage[index]] = x.numpy()
    return found


def check(path: Path, inputs: np.ndarray, reader: CNN | None = None) -> dict:
    """The largest difference of the file's layer outputs on `inputs` from PyTorch's (`reader`, with its batch norms
    as trained, or else the network rebuilt from the file, batch norms folded), and of its kernels from the file's
    folded weights; raises when one passes the export's tolerance."""
    sess = session(path)
    activations = [contract.LAYER_OUTPUT_PREFIX + s for s in STAGES]
    names = activations + [contract.KERNEL_OUTPUT_PREFIX + s for s in CONV_STAGES]
    got = dict(zip(names, sess.run(names, {sess.get_inputs()[0].name: inputs}), strict=True))
    rebuilt = cnn_from_onnx(path)
    expected = pytorch_layers((reader or rebuilt).eval(), inputs)
    layers = max(float(np.abs(got[contract.LAYER_OUTPUT_PREFIX + s] - expected[s]).max()) for s in STAGES)
    folded = {s: rebuilt.features[FEATURE_INDEX[s]][0].weight.detach().numpy() for s in CONV_STAGES}
    kernels = max(float(np.abs(got[contract.KERNEL_OUTPUT_PREFIX + s] - folded[s]).max()) for s in CONV_STAGES)
    if layers > TOLERANCE or kernels > TOLERANCE:
        raise AssertionError(f"{path}: the layer outputs differ from PyTorch by {layers:.2e}, kernels by {kernels:.2e}")
    return {"activations_max_abs_difference_vs_pytorch": layers, "kernels_max_abs_difference": kernels,
            "checked_inputs": len(inputs)}  # fmt: skip


def card_entry(path: Path, checked: dict) -> dict:
    """The card's description of the layer outputs, with the first convolution's kernels (the card page draws them)."""
    sess = session(path)
    name = contract.KERNEL_OUTPUT_PREFIX + CONV_STAGES[0]
    blank = np.zeros((1, 1, preprocess.SIZE, preprocess.SIZE), np.float32)  # kernels do not depend on the input
    first = sess.run([name], {sess.get_inputs()[0].name: blank})[0]
    shapes = {o.name: o.shape for o in sess.get_outputs()}
    return {
        "stages": [
            {"name": s, "output": contract.LAYER_OUTPUT_PREFIX + s, "shape": shapes[contract.LAYER_OUTPUT_PREFIX + s]}
            for s in STAGES
        ],
        "kernels": {s: contract.KERNEL_OUTPUT_PREFIX + s for s in CONV_STAGES},
        "kernels_conv1": {"dims": list(first.shape), "data": [round(float(v), 6) for v in first.ravel()]},
        **checked,
    }


def main(argv: list[str] | None = None) -> int:
    from export import features  # here, not at the top: export.pair imports this module, and features imports pair

    p = argparse.ArgumentParser(prog="python -m export.layers", description=__doc__.split("\n\n")[0])
    p.add_argument("model", type=Path, help="an exported CNN .onnx (its card <model>.json beside it, if any)")
    p.add_argument("--data-dir", help="MNIST folder, for the check (default $MNIST_DIR, then data/mnist)")
    args = p.parse_args(argv)
    if not args.model.is_file():
        print(f"error: no model file {args.model}", file=sys.stderr)
        return 2
    if contract.LAYER_OUTPUTS_KEY not in read_metadata(args.model):
        add_to_file(args.model)
    try:
        inputs = features.check_inputs(args.data_dir)  # MNIST test digits and noise, as the features check reads them
    except mnist.MnistError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    checked = check(args.model, inputs)
    card_path = args.model.with_suffix(".json")
    if card_path.is_file():
        command = ["python", "-m", "export.layers", *(argv or sys.argv[1:])]
        features.record_in_card(card_path, args.model, "layers", command, card_entry(args.model, checked))
    print(f"{args.model}: layer outputs {', '.join(STAGES)} and kernels; activations within "
          f"{checked['activations_max_abs_difference_vs_pytorch']:.1e} of PyTorch", file=sys.stderr)  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
