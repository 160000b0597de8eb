"""Weights stored as float16 (issue 38): `python -m export.float16 site/models/cnn.onnx site/models/mlp.onnx`.

A visitor downloads the model before the pad can read; its weights are most of its bytes, and brotli barely
shrinks float32 noise. Here a float32 weight is stored as float16 and cast back to float32 by a Cast node at
the start of the graph, under its old name: onnxruntime folds those casts when it loads the file, so every
prediction runs the same float32 graph as before, with that weight rounded to float16 (half its bytes).
Tensors under MIN_ELEMENTS values (biases, shapes, scalars) stay as they are.

A weight is halved only if no answer changes: the weights are tried largest first, and each is kept as
float16 only if the digit read and (for a calibrated model) the verdict (digit, unsure, not a digit) of every
MNIST test digit and every held-out drawing (pendigits writers 26-30, UNIPEN's held-out writers, the
held-out letters, symbols and shapes) stay as they were with float32 weights. (Rounding every weight moves a
few answers that sit on a threshold: 3 of 28,463 for the shipped reader.) The data sets must be at hand
(--force halves every weight without them). The model card beside the file is told (bytes, sha256, which
weights). Run it last, after export and export.pair (which write float32 files).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
from pathlib import Path

import numpy as np
import onnx
from onnx import helper, numpy_helper

from train import mnist, rejection
from train.onnx_run import all_logits, read_metadata, session
from train.preprocess import normalize

MIN_ELEMENTS = 1024  # a tensor smaller than this stays float32: it would save next to nothing
HALVED_SUFFIX = "_float16"  # the stored initializer's name: <weight>_float16, cast back to <weight>


def eligible(model: onnx.ModelProto, min_elements: int = MIN_ELEMENTS) -> list[str]:
    """The float32 initializers of at least `min_elements` values, largest first."""
    sizes = [(int(np.prod(t.dims)), t.name) for t in model.graph.initializer if t.data_type == onnx.TensorProto.FLOAT]
    return [name for size, name in sorted(sizes, key=lambda s: (-s[0], s[1])) if size >= min_elements]


def halved(model: onnx.ModelProto, names: list[str] | None = None) -> onnx.ModelProto:
    """`model` with the float32 initializers `names` (default: every eligible one) stored as float16 and cast back."""
    model = onnx.ModelProto.FromString(model.SerializeToString())
    graph = model.graph
    chosen = set(eligible(model) if names is None else names)
    casts, kept = [], []
    for tensor in graph.initializer:
        if tensor.name not in chosen:
            kept.append(tensor)
            continue
        stored = tensor.name + HALVED_SUFFIX
        kept.append(numpy_helper.from_array(numpy_helper.to_array(tensor).astype(np.float16), stored))
        cast = helper.make_node("Cast", [stored], [tensor.name], to=onnx.TensorProto.FLOAT, name=f"cast_{stored}")
        casts.append(cast)
    del graph.initializer[:]
    graph.initializer.extend(kept)
    nodes = list(graph.node)
    del graph.node[:]
    graph.node.extend(casts + nodes)  # the casts first: the graph stays in topological order
    onnx.checker.check_model(model, full_check=True)
    return model


def is_halved(model: onnx.ModelProto) -> bool:
    return any(t.name.endswith(HALVED_SUFFIX) for t in model.graph.initializer)


def check_sets(mnist_dir: str | None, pendigits_dir: str | None, unipen_dir: str | None) -> dict[str, np.ndarray]:
    """The normalized inputs the answers are compared on, by name; a data set that is not at hand is left out
    (and said)."""
    sets = {}
    try:
        sets["MNIST test"] = normalize(mnist.load("test", mnist_dir)[0].astype(np.float32) / 255.0)
    except (mnist.MnistError, OSError, ValueError) as error:
        print(f"  (MNIST left out: {error})")
    try:
        sets["held-out drawings"] = rejection.digit_drawings("held-out", pendigits_dir, unipen_dir).inputs
        sets["held-out non-digits"] = rejection.non_digit_drawings("held-out", unipen_dir).inputs
    except (FileNotFoundError, OSError, ValueError) as error:
        print(f"  (the held-out drawings left out: {error})")
    return sets


def answers(path: Path, inputs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(digit read, verdict or "" where the model has no calibration, calibrated probabilities) of each input."""
    logits = all_logits(session(path), inputs)
    calibration = rejection.Calibration.from_metadata(read_metadata(path))
    temperature = calibration.temperature if calibration else 1.0
    probs = rejection.digit_probabilities(logits, temperature)
    verdicts = rejection.verdict(logits, calibration) if calibration else np.full(len(inputs), "")
    return probs.argmax(1), verdicts, probs


def compare(before: dict[str, tuple], candidate: Path, sets: dict[str, np.ndarray]) -> dict[str, dict]:
    """Per set: how many inputs, how many answers (digit or verdict) of `candidate` differ from `before` (each
    set's `answers` of the original), the largest probability change."""
    compared = {}
    for name, inputs in sets.items():
        (d0, v0, p0), (d1, v1, p1) = before[name], answers(candidate, inputs)
        compared[name] = {
            "count": len(inputs),
            "different": int(((d0 != d1) | (v0 != v1)).sum()),
            "max_probability_change": float(np.abs(p0 - p1).max()),
        }
    return compared


def tell_card(path: Path, names: list[str]) -> None:
    """The card beside `path` (<model>.json), if any: the file's bytes and sha256, and which weights are float16."""
    card_path = path.with_suffix(".json")
    if not card_path.is_file():
        return
    card = json.loads(card_path.read_text())
    blob = path.read_bytes()
    card["onnx"] = {**card.get("onnx", {}), "bytes": len(blob), "sha256": hashlib.sha256(blob).hexdigest(),
                    "float16_weights": names}  # fmt: skip
    card_path.write_text(json.dumps(card, indent=1) + "\n")


def chosen_weights(path: Path, model: onnx.ModelProto, sets: dict[str, np.ndarray], folder: Path) -> list[str]:
    """The weights that can be float16 with no answer changed: tried largest first, each kept only if no answer of
    `sets` changes with it and those kept before it."""
    before = {name: answers(path, inputs) for name, inputs in sets.items()}
    chosen: list[str] = []
    for name in eligible(model):
        candidate = folder / f"trial-{path.name}"
        onnx.save_model(halved(model, [*chosen, name]), str(candidate))
        compared = compare(before, candidate, sets)
        different = sum(c["different"] for c in compared.values())
        change = max(c["max_probability_change"] for c in compared.values())
        print(f"  {name}: {different} answers differ, largest probability change {change:.1e}: "
              f"{'float32 kept' if different else 'float16'}")  # fmt: skip
        if not different:
            chosen.append(name)
    return chosen


def halve_file(path: Path, sets: dict[str, np.ndarray], force: bool = False) -> bool:
    """Rewrites `path` (float32 weights) with those weights float16 that change no answer of `sets` (with `force`
    and no sets: every eligible weight); True if it was rewritten."""
    model = onnx.load(str(path))
    if not sets and not force:
        print(f"{path}: kept as it was: no data set to compare the answers on (--force halves every weight)")
        return False
    counts = ", ".join(f"{name} {len(inputs):,}" for name, inputs in sets.items())
    print(f"{path}: the weights tried largest first, on {counts or 'no data (--force)'}")
    with tempfile.TemporaryDirectory() as folder:
        names = chosen_weights(path, model, sets, Path(folder)) if sets else eligible(model)
        if not names:
            print("  kept as it was: every weight changes an answer")
            return False
        before = path.stat().st_size
        onnx.save_model(halved(model, names), str(path))
    tell_card(path, names)
    print(f"  rewritten: {before:,} -> {path.stat().st_size:,} bytes, {len(names)} weights float16")
    return True


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m export.float16", description=__doc__.split("\n\n")[0])
    p.add_argument("models", nargs="+", type=Path, help="exported .onnx files, rewritten in place")
    p.add_argument("--mnist", help=f"MNIST folder (default ${mnist.ENV_VAR})")
    p.add_argument("--pendigits", help="pendigits folder (default $PENDIGITS_DIR)")
    p.add_argument("--unipen", help="UNIPEN folder (default $UNIPEN_DIR)")
    p.add_argument("--force", action="store_true", help="without the data sets: halve every weight unchecked")
    args = p.parse_args(argv)
    missing = [str(m) for m in args.models if not m.is_file()]
    if missing:
        print(f"error: no such model file: {', '.join(missing)}", file=sys.stderr)
        return 2
    todo = []
    for path in args.models:
        if is_halved(onnx.load(str(path))):
            print(f"{path}: its weights are float16 already")
        else:
            todo.append(path)
    sets = check_sets(args.mnist, args.pendigits, args.unipen) if todo else {}
    refused = [path for path in todo if not halve_file(path, sets, args.force)]
    return 1 if refused else 0


if __name__ == "__main__":
    sys.exit(main())
