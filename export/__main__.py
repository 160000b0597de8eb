"""Export a checkpoint to ONNX, verify it, and write its model card.

`python -m export --model cnn` reads checkpoints/cnn.pt and writes
site/models/cnn.onnx and site/models/cnn.json. The card's test figures come from
the ONNX file itself run by onnxruntime on the MNIST test split; the softmax
temperature is fitted on the validation split (held out of training). Then
export/gallery.py adds the test digits that the model card page shows.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import json
import shlex
import sys
from pathlib import Path

import numpy as np
import torch

from export import gallery, gradcam, layers, rejection_card
from export.card_figures import DATA_CREDITS, drawing_figures, unipen_figures
from export.onnx_io import FORMAT_VERSION, INPUT, OUTPUT, export, metadata, verify
from train import mnist, pendigits, preprocess, render, unipen
from train.evaluate import evaluate, fit_temperature
from train.models import from_checkpoint, parameter_count
from train.onnx_run import read_metadata, run, session

VERIFY_IMAGES = 1000
CAM_VERIFY_IMAGES = 200  # Grad-CAM maps checked against autograd at export


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m export", description=__doc__.split("\n")[0])
    p.add_argument("--model", choices=["cnn", "mlp"], default="cnn")
    p.add_argument("--checkpoint", help="default: checkpoints/<model>.pt")
    p.add_argument("--out", default="site/models", help="folder for <model>.onnx and <model>.json")
    p.add_argument("--data-dir", help=f"MNIST folder with both splits (default ${mnist.ENV_VAR}, then data/mnist)")
    p.add_argument("--pendigits", help=f"folder of {pendigits.FILE_NAME} (default ${pendigits.ENV_VAR}): "
                   "adds the real-drawing figures to the card")  # fmt: skip
    p.add_argument("--unipen", help=f"folder of {unipen.FILE_NAME} (default ${unipen.ENV_VAR}): adds UNIPEN's "
                   "validation and held-out writers' figures to the card")  # fmt: skip
    p.add_argument("--left-out", help="a checkpoint trained with --unipen-exclude: its score on the institutions "
                   "it never saw goes into the card (how the recipe transfers to a new device)")  # fmt: skip
    p.add_argument("--notes", help="JSON file merged into the card (e.g. why this architecture)")
    return p.parse_args(argv)


def model_inputs(images: np.ndarray) -> np.ndarray:
    return preprocess.normalize(images.astype(np.float32) / 255.0)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    checkpoint_path = Path(args.checkpoint or f"checkpoints/{args.model}.pt")
    if not checkpoint_path.is_file():
        print(f"error: no checkpoint {checkpoint_path}; train one with `python -m train --model {args.model}`",
              file=sys.stderr)  # fmt: skip
        return 2
    checkpoint = torch.load(checkpoint_path, weights_only=False)
    ratio = checkpoint.get("pendigits", {}).get("ink_ratio", render.INK_WIDTH_RATIO)
    if ratio != render.INK_WIDTH_RATIO:  # the page would draw its input otherwise than it was trained on
        print(f"error: {checkpoint_path} was trained on drawings with ink pen ratio {ratio}, the page draws with "
              f"{render.INK_WIDTH_RATIO}; to ship it, change the pen's ink_width_ratio in train/contract.json "
              "(training and the page both read it there)", file=sys.stderr)  # fmt: skip
        return 2
    try:
        test_images, test_labels = mnist.load("test", args.data_dir)
        train_images, train_labels = mnist.load("train", args.data_dir)
    except mnist.MnistError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    model = from_checkpoint(checkpoint)
    out = Path(args.out)
    exported, extra_outputs, extra_metadata = gradcam.exportable(model)
    onnx_path = export(exported, out / f"{args.model}.onnx", args.model, extra_outputs, extra_metadata)
    if extra_outputs:  # a CNN: the layer view's outputs too
        layers.add_to_file(onnx_path)

    test_inputs = model_inputs(test_images)
    difference = verify(model, onnx_path, test_inputs[:VERIFY_IMAGES])
    sess = session(onnx_path)
    cam_difference = gradcam.verify(model, sess, test_inputs[:CAM_VERIFY_IMAGES]) if extra_outputs else None
    _, val_index = mnist.train_validation_split(len(train_images))
    val_logits = run(sess, model_inputs(train_images[val_index]))
    temperature = fit_temperature(val_logits, train_labels[val_index].astype(np.int64))
    test = evaluate(run(sess, test_inputs), test_labels.astype(np.int64), temperature)

    blob = onnx_path.read_bytes()
    card = {
        "name": args.model,
        "version": FORMAT_VERSION,
        "created": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "commands": {
            "train": checkpoint["command"],
            "export": shlex.join(["python", "-m", "export", *(sys.argv[1:] if argv is None else argv)]),
        },
        "architecture": {"class": type(model).__name__, "options": checkpoint["options"],
                         "parameters": parameter_count(model), "layers": str(model)},  # fmt: skip
        "input": {"name": INPUT, "shape": ["N", 1, preprocess.SIZE, preprocess.SIZE], "mean": preprocess.MEAN,
                  "std": preprocess.STD},  # fmt: skip
        "output": {"name": OUTPUT, "shape": ["N", 10]},
        "onnx": {"file": onnx_path.name, "bytes": len(blob), "sha256": hashlib.sha256(blob).hexdigest(),
                 "metadata": {**metadata(args.model), **extra_metadata}, "max_abs_difference_vs_pytorch": difference,
                 "verified_images": VERIFY_IMAGES},  # fmt: skip
        "training": {"seconds": round(checkpoint["train_seconds"], 1), "threads": checkpoint["threads"],
                     "augmentation": checkpoint["augmentation"], "history": checkpoint["history"],
                     "best_val_accuracy": max(checkpoint["history"]["val_accuracy"]),
                     "validation": f"{mnist.VALIDATION_SIZE} training images held out (seed {mnist.VALIDATION_SEED})"},
        "data": {"mnist_md5": mnist.checksums(args.data_dir)},
        "test": test,
    }  # fmt: skip
    if cam_difference is not None:
        card["cam"] = gradcam.card_entry(cam_difference, CAM_VERIFY_IMAGES)
        checked = layers.check(onnx_path, test_inputs[:VERIFY_IMAGES], model)
        card["output"]["layers"] = layers.card_entry(onnx_path, checked)
        card["onnx"]["metadata"] = read_metadata(onnx_path)
    if pendigits.resolve_path(args.pendigits):
        card["drawings"] = drawing_figures(sess, pendigits.load(args.pendigits))
    if unipen.resolve_path(args.unipen):
        left_out = torch.load(args.left_out, weights_only=False) if args.left_out else None
        if left_out is not None and not left_out.get("unipen", {}).get("exclude"):
            print(f"error: {args.left_out} was not trained with --unipen-exclude", file=sys.stderr)
            return 2
        card["unipen"] = unipen_figures(sess, unipen.load(args.unipen), left_out)
    card["data"]["credits"] = list(DATA_CREDITS)
    if rejection_card.available(args.pendigits, args.unipen):  # the calibration and the verdict's thresholds
        figures = rejection_card.rejection_figures(onnx_path, test_inputs, test_labels.astype(np.int64),
                                                   args.pendigits, args.unipen)  # fmt: skip
        rejection_card.add_to_card(card, onnx_path, figures)
    if args.notes:
        card.update(json.loads(Path(args.notes).read_text()))
    card_path = out / f"{args.model}.json"
    card_path.write_text(json.dumps(card, indent=1) + "\n")
    try:  # the card page's test digits: confusion examples in the cards, images in test-digits.bin
        gallery.update(out, args.data_dir)
    except gallery.GalleryError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(
        f"{onnx_path} ({len(blob):,} bytes): test accuracy {test['accuracy']:.4f}, "
        f"max |onnx - torch| {difference:.1e}, temperature {temperature:.3f}; card {card_path}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
