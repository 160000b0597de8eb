"""Reading an exported model (ONNX): its metadata, an onnxruntime session, its logits.

What evaluation and the page's checks need of a model file, without the writing side
(export/onnx_io.py, which imports torch): train/ and the evaluations import this, never export/.
"""

from __future__ import annotations

import os

import numpy as np
import onnx
import onnxruntime as ort

from train import contract

INPUT, OUTPUT = contract.INPUT_NAME, contract.OUTPUT_NAME  # the page's names for them (train/contract.json)
NOT_DIGIT = "not_digit"  # an 11-output CNN's "not a digit" logit, [N, 1], beside the ten digits' `logits`


def read_metadata(path: str | os.PathLike) -> dict[str, str]:
    model = onnx.load(str(path), load_external_data=False)
    return {prop.key: prop.value for prop in model.metadata_props}


def session(path: str | os.PathLike) -> ort.InferenceSession:
    options = ort.SessionOptions()
    options.log_severity_level = 3
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def outputs(
    sess: ort.InferenceSession, inputs: np.ndarray, names: list[str], batch_size: int = 1000
) -> list[np.ndarray]:
    """The outputs `names` for normalized [N, 1, 28, 28] float32 inputs, run in batches, each [N, ...]."""
    batches = [sess.run(names, {INPUT: inputs[i : i + batch_size]}) for i in range(0, len(inputs), batch_size)]
    return [np.concatenate([batch[k] for batch in batches]) for k in range(len(names))]


def run(sess: ort.InferenceSession, inputs: np.ndarray, batch_size: int = 1000) -> np.ndarray:
    """Logits for normalized [N, 1, 28, 28] float32 inputs."""
    return outputs(sess, inputs, [OUTPUT], batch_size)[0]


def all_logits(sess: ort.InferenceSession, inputs: np.ndarray, batch_size: int = 1000) -> np.ndarray:
    """[N, 10] digit logits, or [N, 11] with the "not a digit" logit last when the model has one."""
    names = [OUTPUT] + [o.name for o in sess.get_outputs() if o.name == NOT_DIGIT]
    return np.concatenate(outputs(sess, inputs, names, batch_size), axis=1)
