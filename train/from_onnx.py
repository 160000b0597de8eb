"""The shipped CNN back from its ONNX file, to fine-tune it when its checkpoint is gone:
`python -m train --init-onnx site/models/cnn.onnx ...`.

Export folds each batch norm into the convolution before it (weight scaled, a bias added), so
the network rebuilt here has the folded convolutions and batch norms that do nothing: statistics
0 and 1 - eps, scale 1, shift = the folded bias. In eval mode it computes exactly what the ONNX
file does; fine-tuning it must keep those statistics (engine.fit's `freeze_bn`), since the
batch's own would undo the folding.
"""

from __future__ import annotations

import os

import torch
from onnx import load, numpy_helper

from train.models import CNN

CONVS = ("0", "1", "3", "4")  # the conv blocks of CNN.features (2 is a max-pool), as export names them


def cnn_from_onnx(path: str | os.PathLike, classes: int = 10) -> CNN:
    """A CNN (width from the file) computing the file's logits; with `classes` > 10, the extra
    outputs start fresh (models.widened)."""
    weights = {i.name: torch.from_numpy(numpy_helper.to_array(i).copy()) for i in load(str(path)).graph.initializer}
    width = weights["body.0.0.weight"].shape[0]
    model = CNN(width=width, classes=classes)
    state = model.state_dict()
    for block in CONVS:
        conv = weights[f"body.{block}.0.weight"]
        bias = weights.get(f"body.{block}.0.weight_bias", torch.zeros(conv.shape[0]))  # absent when it folded to 0
        bn = model.features[int(block)][1]
        state[f"features.{block}.0.weight"] = conv
        state[f"features.{block}.1.weight"] = torch.ones_like(bias)
        state[f"features.{block}.1.bias"] = bias
        state[f"features.{block}.1.running_mean"] = torch.zeros_like(bias)
        state[f"features.{block}.1.running_var"] = torch.full_like(bias, 1.0 - bn.eps)
    state["classifier.2.weight"], state["classifier.2.bias"] = weights["hidden.weight"], weights["hidden.bias"]
    out_weight, out_bias = weights["out.weight"], weights["out.bias"]
    rows = out_weight.shape[0]
    state["classifier.5.weight"] = torch.cat([out_weight, state["classifier.5.weight"][rows:]])
    state["classifier.5.bias"] = torch.cat([out_bias, state["classifier.5.bias"][rows:]])
    model.load_state_dict(state)
    return model.eval()
