"""PyTorch -> ONNX with metadata, and the checks that the ONNX file equals the model. Reading a model
file (its metadata, a session, its logits) is train/onnx_run.py's, which evaluation imports."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import onnx
import torch
from torch import nn

from train import contract, preprocess
from train.onnx_run import INPUT, NOT_DIGIT, OUTPUT, all_logits, session

NOT_DIGIT_METADATA = {"not_digit_output": NOT_DIGIT}
FEATURES = contract.FEATURES_OUTPUT  # the reader's last hidden layer, [N, hidden]: what the handwriting memory compares
FEATURES_METADATA = {"features_output": FEATURES}
FORMAT_VERSION = contract.FORMAT_VERSION  # bump it (train/contract.json) when the page's expectations change
TOLERANCE = 1e-4


def metadata(name: str, version: str = FORMAT_VERSION) -> dict[str, str]:
    """What the page checks after loading: which model, how to normalize, what size."""
    return {
        "model_name": name,
        "norm_mean": repr(preprocess.MEAN),
        "norm_std": repr(preprocess.STD),
        "input_size": str(preprocess.SIZE),
        "input_name": INPUT,
        "output_name": OUTPUT,
        "version": version,
    }


def export(
    model: nn.Module,
    path: str | os.PathLike,
    name: str,
    extra_outputs: tuple[str, ...] = (),
    extra_metadata: dict[str, str] | None = None,
) -> Path:
    """Write `model` as a single-file ONNX with a dynamic batch and metadata_props.

    The model returns the logits, then one tensor per name of `extra_outputs` (e.g.
    Grad-CAM maps, see export/gradcam.py), which `extra_metadata` may describe."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    model.eval()
    example = torch.zeros(2, 1, preprocess.SIZE, preprocess.SIZE)
    program = torch.onnx.export(
        model, (example,), input_names=[INPUT], output_names=[OUTPUT, *extra_outputs], dynamo=True,
        dynamic_shapes=({0: torch.export.Dim("batch")},), verbose=False,
    )  # fmt: skip
    program.optimize()
    proto = program.model_proto
    del proto.metadata_props[:]
    for key, value in {**metadata(name), **(extra_metadata or {})}.items():
        proto.metadata_props.add(key=key, value=value)
    onnx.checker.check_model(proto, full_check=True)
    onnx.save_model(proto, path)
    return path


def add_metadata(path: str | os.PathLike, props: dict[str, str]) -> None:
    """Add (or replace) metadata_props of the ONNX file at `path`; the graph is untouched."""
    model = onnx.load(str(path), load_external_data=False)
    kept = [(p.key, p.value) for p in model.metadata_props if p.key not in props]
    del model.metadata_props[:]
    for key, value in [*kept, *props.items()]:
        model.metadata_props.add(key=key, value=value)
    onnx.save_model(model, str(path))


def verify(model: nn.Module, path: str | os.PathLike, inputs: np.ndarray) -> float:
    """Max abs logit difference between PyTorch and onnxruntime; raises if the
    difference exceeds the tolerance or any argmax differs."""
    model.eval()
    with torch.no_grad():
        expected = model(torch.from_numpy(inputs)).numpy()
    actual = all_logits(session(path), inputs)
    difference = float(np.abs(expected - actual).max())
    mismatched = int((expected.argmax(1) != actual.argmax(1)).sum())
    if difference > TOLERANCE or mismatched:
        raise AssertionError(
            f"{path}: onnxruntime differs from PyTorch: max abs difference {difference:.2e} "
            f"(limit {TOLERANCE:.0e}), {mismatched} different predictions"
        )
    return difference
