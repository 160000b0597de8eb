"""The shipped CNNs back from their ONNX file, when their checkpoints are gone: the reader, and the
"not a digit" detector of a paired file, to pair it with another reader (export/pair.py).

Export folds each batch norm into the convolution before it (weight scaled, a bias added), so
the network rebuilt here has the folded convolutions and batch norms that do nothing: statistics
0 and 1 - eps, scale 1, shift = the folded bias. In eval mode it computes exactly what the ONNX
file does. (Fine-tuning such a network, `python -m train --init-onnx`, with its batch norms frozen,
did not ship and left the training code; git history keeps it.)
"""

from __future__ import annotations

import os
from typing import NamedTuple

import numpy as np
import torch
from onnx import GraphProto, load, numpy_helper

from train.models import CNN, NOT_A_DIGIT

CONVS = ("0", "1", "3", "4")  # the conv blocks of CNN.features (2 is a max-pool), as export names them


class Names(NamedTuple):
    """How a file names one network's weights: its convolutions (a format of the block), hidden and last layers."""

    conv: str
    hidden: str
    out: str


READER = Names("body.{}.0.weight", "hidden", "out")  # export/gradcam.py's names
DETECTOR = Names("detector.features.{}.0.weight", "detector.classifier.2", "detector.classifier.5")  # export/pair.py


def float_weights(graph: GraphProto) -> dict[str, np.ndarray]:
    """The graph's weights by name, as float32 wherever the graph computes with them as such: an initializer
    stored as float16 and cast back by a Cast node (export/float16.py) is given under the Cast's output."""
    stored = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    for node in graph.node:
        if node.op_type == "Cast" and node.input[0] in stored and stored[node.input[0]].dtype == np.float16:
            stored[node.output[0]] = stored.pop(node.input[0]).astype(np.float32)
    return stored


def onnx_weights(path: str | os.PathLike) -> dict[str, torch.Tensor]:
    """The file's weights by name (float16 ones as the float32 the graph computes with)."""
    return {name: torch.from_numpy(array.copy()) for name, array in float_weights(load(str(path)).graph).items()}


def rebuilt(weights: dict[str, torch.Tensor], classes: int = 10, names: Names = READER) -> CNN:
    """The CNN (width from the weights) that `names` name in `weights`; with `classes` more than
    the file's outputs, the extra outputs start fresh (models.widened)."""
    width = weights[names.conv.format(CONVS[0])].shape[0]
    model = CNN(width=width, classes=classes)
    state = model.state_dict()
    for block in CONVS:
        conv = weights[names.conv.format(block)]
        bias = weights.get(f"{names.conv.format(block)}_bias", torch.zeros(conv.shape[0]))  # absent when folded to 0
        bn = model.features[int(block)][1]
        state[f"features.{block}.0.weight"] = conv
        state[f"features.{block}.1.weight"] = torch.ones_like(bias)
        state[f"features.{block}.1.bias"] = bias
        state[f"features.{block}.1.running_mean"] = torch.zeros_like(bias)
        state[f"features.{block}.1.running_var"] = torch.full_like(bias, 1.0 - bn.eps)
    state["classifier.2.weight"], state["classifier.2.bias"] = (
        weights[f"{names.hidden}.weight"],
        weights[f"{names.hidden}.bias"],
    )
    out_weight, out_bias = weights[f"{names.out}.weight"], weights[f"{names.out}.bias"]
    rows = out_weight.shape[0]
    state["classifier.5.weight"] = torch.cat([out_weight, state["classifier.5.weight"][rows:]])
    state["classifier.5.bias"] = torch.cat([out_bias, state["classifier.5.bias"][rows:]])
    model.load_state_dict(state)
    return model.eval()


def cnn_from_onnx(path: str | os.PathLike, classes: int = 10) -> CNN:
    """The reader of an exported CNN (paired or not), computing the file's logits; with `classes`
    > 10, the extra outputs start fresh (models.widened)."""
    return rebuilt(onnx_weights(path), classes)


def detector_from_onnx(path: str | os.PathLike) -> CNN:
    """The 11-output detector of a paired file (export/pair.py), whose "not a digit" log-odds is
    the file's `not_digit` output; ValueError if the file holds none."""
    weights = onnx_weights(path)
    head = weights.get(f"{DETECTOR.out}.weight")
    if head is None or head.shape[0] != NOT_A_DIGIT + 1:
        raise ValueError(f"{path} holds no 'not a digit' detector (no {DETECTOR.out}.weight of 11 rows)")
    return rebuilt(weights, NOT_A_DIGIT + 1, DETECTOR)
