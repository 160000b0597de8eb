"""Grad-CAM as a second output of the exported CNN, computed without autograd.

Grad-CAM (Selvaraju et al., 2017) weighs a convolutional layer's feature maps A_k by
alpha_k = the spatial mean of d logit_c / d A_k and keeps ReLU(sum_k alpha_k A_k): the
places whose features pushed class c up. The page needs it for every live prediction,
and onnxruntime-web has no autograd, so the gradient is written out explicitly here.

The layer is the last convolution block's output, before the last max-pool: 14x14
maps for the 28x28 input, twice as fine as the 7x7 maps after the pool. Measured on
the shipped CNN (top class, 500 MNIST test digits and 400 pendigits drawings of the
held-out writers): the 14x14 maps put a median 92% of their mass on the ink's box
grown by 2 input pixels, and none came out empty; the 7x7 maps 86%, and 7-10% of them
were empty (all of the class's evidence cancelled out by the ReLU).

The gradient, for the classifier Flatten -> Linear(W1, b1) -> ReLU -> Linear(W2, b2)
(its dropouts are the identity in eval mode), with h = W1 pool(A) + b1:

    d logit_c / d pool(A) = W1^T (W2[c] * [h > 0])          reshaped to [C, 7, 7]

and the max-pool's backward pass hands each 2x2 window's gradient to one of its four
cells (the maximum), unchanged. Grad-CAM only uses the gradient's spatial mean, and
that routing keeps every window's sum, so the mean over the 14x14 cells is the 7x7
gradient's sum divided by 14*14 (no matter which cell takes it, ties included):

    alpha[c, k] = sum_j (W2[c, j] * [h_j > 0]) * S[j, k],   S[j, k] = sum_{y,x} W1[j, k, y, x] / (14*14)

S is a constant of the weights, so the graph adds two small products per prediction:
[10, hidden] x [hidden, C], then [10, C] x [C, 14*14]. `reference_cam` computes the
same maps with torch.autograd on the unmodified model; the tests compare the two.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn
from torch.nn import functional

from export.onnx_io import FEATURES, FEATURES_METADATA, NOT_DIGIT, NOT_DIGIT_METADATA
from train import preprocess
from train.models import CNN, NOT_A_DIGIT

OUTPUT = "cam"  # the second output's name: [N, 10, H, W], H and W half the input's
LAYER = "features.4"  # the module whose output A is (the last conv block, before the last max-pool)
METADATA = {"cam_output": OUTPUT, "cam_layer": LAYER}  # what the page reads to find the maps
TOLERANCE = 1e-3  # max abs difference of normalized maps, ONNX vs autograd
MAP_SIDE = preprocess.SIZE // 2  # A's side: one max-pool before it
POOLED_SIDE = preprocess.SIZE // 4  # after the last max-pool, what the classifier flattens


def _parts(cnn: CNN) -> tuple[nn.Module, nn.Module, nn.Linear, nn.Linear]:
    """(layers up to A, the max-pool after A, the hidden Linear, the output Linear)."""
    features, classifier = cnn.features, cnn.classifier
    if not isinstance(features[-1], nn.MaxPool2d):
        raise TypeError("Grad-CAM expects the CNN's features to end with a max-pool")
    hidden, out = (m for m in classifier if isinstance(m, nn.Linear))
    return features[:-1], features[-1], hidden, out


class GradCamCNN(nn.Module):
    """The CNN with the same digit logits and a second output `cam`: [N, 10, 14, 14], one
    non-negative (unnormalized) Grad-CAM map per digit, for the feature maps of `LAYER`
    (the weights are shared with `cnn`, S is computed once here). An 11-output CNN also
    returns its "not a digit" logit, [N, 1], as a third output. The last output is `features`,
    [N, hidden]: the last hidden layer (after its ReLU), which the handwriting memory compares
    (train/memory.py)."""

    def __init__(self, cnn: CNN) -> None:
        super().__init__()
        self.body, self.pool, self.hidden, self.out = _parts(cnn)
        cells = POOLED_SIDE * POOLED_SIDE
        weights = self.hidden.weight.detach().reshape(self.hidden.out_features, -1, cells)  # [hidden, C, 7*7]
        self.register_buffer("spatial_weight", weights.sum(dim=2) / MAP_SIDE**2)  # S: [hidden, C]

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, ...]:
        maps = self.body(x)  # A: [N, C, 14, 14]
        pre = self.hidden(self.pool(maps).flatten(1))  # h: [N, hidden]
        logits = self.out(functional.relu(pre))
        gate = (pre > 0).to(pre.dtype)  # ReLU's derivative
        digit_weight = self.out.weight[:NOT_A_DIGIT]
        alpha = torch.matmul(digit_weight * gate[:, None, :], self.spatial_weight)  # [N, 10, C]
        n, c, height, width = maps.shape
        cam = torch.matmul(alpha, maps.reshape(n, c, height * width)).reshape(n, -1, height, width)
        features = functional.relu(pre)
        if logits.shape[1] > NOT_A_DIGIT:
            return logits[:, :NOT_A_DIGIT], functional.relu(cam), logits[:, NOT_A_DIGIT:], features
        return logits, functional.relu(cam), features


def reference_cam(cnn: CNN, x: torch.Tensor) -> torch.Tensor:
    """Grad-CAM by autograd on the unmodified model: [N, 10, 14, 14], for testing the graph."""
    cnn = cnn.eval()
    layer = cnn.get_submodule(LAYER)
    captured: list[torch.Tensor] = []
    handle = layer.register_forward_hook(lambda _module, _inputs, output: captured.append(output))
    try:
        logits = cnn(x)
    finally:
        handle.remove()
    maps = captured[0]
    cams = []
    for c in range(min(logits.shape[1], NOT_A_DIGIT)):
        (gradient,) = torch.autograd.grad(logits[:, c].sum(), maps, retain_graph=True)
        alpha = gradient.mean(dim=(2, 3), keepdim=True)  # [N, C, 1, 1]
        cams.append(functional.relu((alpha * maps).sum(dim=1)))
    return torch.stack(cams, dim=1).detach()


def normalized(cams: np.ndarray) -> np.ndarray:
    """Each map of [..., H, W] divided by its maximum (an all-zero map stays zero)."""
    peak = cams.max(axis=(-2, -1), keepdims=True)
    return np.divide(cams, peak, out=np.zeros_like(cams), where=peak > 0)


def exportable(model: nn.Module) -> tuple[nn.Module, tuple[str, ...], dict[str, str]]:
    """(module to export, its output names after the logits, extra metadata_props): a CNN
    gains the `cam` and `features` outputs; any other model is exported as it is."""
    if isinstance(model, CNN):
        if model.classifier[-1].out_features > NOT_A_DIGIT:
            extra = {**METADATA, **NOT_DIGIT_METADATA, **FEATURES_METADATA}
            return GradCamCNN(model).eval(), (OUTPUT, NOT_DIGIT, FEATURES), extra
        return GradCamCNN(model).eval(), (OUTPUT, FEATURES), {**METADATA, **FEATURES_METADATA}
    return model, (), {}


def verify(model: CNN, sess, inputs: np.ndarray) -> float:
    """Max abs difference between the exported normalized maps (an onnxruntime session)
    and the autograd reference on `inputs`; raises when it exceeds the tolerance."""
    expected = normalized(reference_cam(model, torch.from_numpy(inputs)).numpy())
    actual = normalized(sess.run([OUTPUT], {sess.get_inputs()[0].name: inputs})[0])
    difference = float(np.abs(expected - actual).max())
    if difference > TOLERANCE:
        raise AssertionError(f"Grad-CAM: ONNX differs from autograd by {difference:.2e} (limit {TOLERANCE:.0e})")
    return difference


def card_entry(difference: float, images: int) -> dict:
    """The model card's description of the cam output and of its check against autograd."""
    return {
        "name": OUTPUT,
        "shape": ["N", 10, MAP_SIDE, MAP_SIDE],
        "method": f"Grad-CAM on {LAYER} (the last conv block, before the last max-pool), its gradient computed "
        "in the graph (export/gradcam.py); per-map normalization and upsampling happen in the page",
        "max_abs_difference_vs_autograd": difference,
        "verified_images": images,
    }
