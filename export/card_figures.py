"""The model card's figures on people's drawings, from an exported file run by onnxruntime as the
page runs it: pendigits and UNIPEN writers drawn on the page's bitmap. `python -m export` writes them
when it exports a checkpoint, `python -m export.unipen_card` adds UNIPEN's to an exported model."""

from __future__ import annotations

import torch

from train import drawings, pendigits, preprocess, render, unipen
from train.engine import predict_logits
from train.models import from_checkpoint
from train.onnx_run import run

DATA_CREDITS = [
    "MNIST: Y. LeCun, C. Cortes, C. J. C. Burges, the MNIST database of handwritten digits",
    pendigits.CREDIT,
    unipen.CREDIT,
]


def drawing_figures(sess, digits: list[pendigits.PenDigit]) -> dict:
    """Scores on pendigits writers' strokes drawn as the page draws them (offline renderer)."""
    figures = {
        "source": "UCI pendigits (30 writers), strokes drawn on the page's bitmap and preprocessed",
        "renderer": {
            "bitmap_size": render.BITMAP_SIZE,
            "ink_width_ratio": render.INK_WIDTH_RATIO,
            "min_ink_width": render.MIN_INK_WIDTH,
        },
    }
    for name, writers in (("validation_writers", pendigits.VALIDATION_WRITERS),
                          ("held_out_writers", pendigits.HELD_OUT_WRITERS)):  # fmt: skip
        subset = pendigits.by_writers(digits, writers)
        predictions = run(sess, drawings.model_inputs(subset)).argmax(1)
        figures[name] = {"writers": sorted(writers), **drawings.score(predictions, drawings.labels_of(subset))}
        # The page's "skip centring" option: the digit's box centred instead of its centre of mass.
        uncentred = run(sess, preprocess.normalize(drawings.to_images(subset, centre=False))).argmax(1)
        figures[name]["accuracy_without_centring"] = float((uncentred == drawings.labels_of(subset)).mean())
    return figures


def unipen_figures(sess, digits: list[unipen.UnipenDigit], left_out: dict | None = None) -> dict:
    """Scores on UNIPEN's validation and held-out writers drawn as the page draws them, the held-out
    ones also per institution; with `left_out` (a checkpoint trained with --unipen-exclude), that
    network's score on every writer of the institutions it never saw."""
    figures = {"source": unipen.CREDIT, "split": {s: unipen.split_counts(digits, s) for s in unipen.SPLITS}}

    def scored(subset: list[unipen.UnipenDigit]) -> dict:
        predictions = run(sess, preprocess.normalize(drawings.drawn_images([d.on_pad() for d in subset])))
        return drawings.score(predictions.argmax(1), drawings.labels_of(subset))

    for name, split in (("validation_writers", "validation"), ("held_out_writers", "held-out")):
        subset = unipen.by_split(digits, split)
        figures[name] = {"writers": len({d.writer for d in subset}), **scored(subset)}
    held_out = unipen.by_split(digits, "held-out")
    figures["held_out_writers"]["per_institution"] = {
        institution: {k: v for k, v in scored([d for d in held_out if d.institution == institution]).items()
                      if k in ("count", "accuracy", "errors")}
        for institution in sorted({d.institution for d in held_out})
    }  # fmt: skip
    if left_out is not None:  # the leave-institutions-out figure: every writer of the institutions it never saw
        excluded = left_out.get("unipen", {}).get("exclude", [])
        chosen = [d for d in digits if d.institution in excluded]
        images = torch.from_numpy(drawings.drawn_images([d.on_pad() for d in chosen]))[:, None]
        predictions = predict_logits(from_checkpoint(left_out), images).argmax(1).numpy()
        figures["left_out_institutions"] = {"institutions": excluded, "network": left_out["command"],
                                            **drawings.score(predictions, drawings.labels_of(chosen))}  # fmt: skip
    return figures
