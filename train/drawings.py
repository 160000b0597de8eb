"""Turn pen trajectories into model inputs exactly as the page would, and score a model on them."""

from __future__ import annotations

import numpy as np

from train.evaluate import confusion_matrix, per_class
from train.pendigits import PenDigit
from train.preprocess import SIZE, normalize, to_mnist
from train.render import BITMAP_SIZE, INK_WIDTH_RATIO, ink_width, render_rgba
from train.strokes import Strokes, resized


def to_images(digits: list[PenDigit], centre: bool = True, size: float = 1.0, pen: float | None = None) -> np.ndarray:
    """[N, 28, 28] images in [0, 1]: each digit drawn on the page's bitmap, then preprocessed.
    With `size`, each is drawn that many times as large, in the pad's middle (strokes.resized);
    with `pen`, with a fixed pen that wide instead of the page's (render.ink_width)."""
    on_pad = [digit.on_pad(BITMAP_SIZE, BITMAP_SIZE) for digit in digits]
    return drawn_images(on_pad if size == 1.0 else [resized(s, size) for s in on_pad], centre, pen)


def drawn_images(
    drawings: list[Strokes], centre: bool = True, pen: float | None = None, ink_ratio: float = INK_WIDTH_RATIO
) -> np.ndarray:
    """[N, 28, 28] images in [0, 1] of strokes in pad coordinates, drawn and preprocessed as the page does
    (with `ink_ratio`, with an ink pen of another width ratio than the page's, for experiments)."""
    images = np.zeros((len(drawings), SIZE, SIZE), dtype=np.float32)
    for i, strokes in enumerate(drawings):
        width = ink_width(strokes, ink_ratio) if pen is None else pen
        image = to_mnist(render_rgba(strokes, width=width), centre=centre)
        if image is not None:
            images[i] = image
    return images


def labels_of(digits: list[PenDigit]) -> np.ndarray:
    return np.array([d.label for d in digits], dtype=np.int64)


def score(predictions: np.ndarray, labels: np.ndarray) -> dict:
    """Accuracy, per-class figures and confusion matrix of predicted labels."""
    confusion = confusion_matrix(labels, predictions)
    return {
        "count": int(len(labels)),
        "accuracy": float((predictions == labels).mean()),
        "errors": int((predictions != labels).sum()),
        "per_class": per_class(confusion),
        "confusion": confusion.tolist(),
    }


def model_inputs(digits: list[PenDigit], size: float = 1.0, pen: float | None = None) -> np.ndarray:
    return normalize(to_images(digits, size=size, pen=pen))


def top_confusions(confusion: list[list[int]], count: int = 6) -> list[tuple[int, int, int]]:
    """(true, predicted, how many) of the most frequent errors."""
    matrix = np.array(confusion)
    np.fill_diagonal(matrix, 0)
    order = np.argsort(-matrix.ravel(), kind="stable")[:count]
    return [(int(i // 10), int(i % 10), int(matrix.ravel()[i])) for i in order if matrix.ravel()[i]]


def report(name: str, result: dict) -> str:
    per_class = " ".join(f"{row['class']}:{row['recall']:.3f}" for row in result["per_class"])
    errors = ", ".join(f"{t}->{p} x{n}" for t, p, n in top_confusions(result["confusion"]))
    matrix = "\n".join(f"  {t:>5} " + " ".join(f"{n:>4}" for n in row) for t, row in enumerate(result["confusion"]))
    return (
        f"{name}: {result['accuracy']:.2%} of {result['count']} ({result['errors']} errors)\n"
        f"  recall per class {per_class}\n  most frequent errors: {errors or 'none'}\n"
        f"  confusion (rows: true digit, columns: predicted)\n  {'':>5} "
        + " ".join(f"{c:>4}" for c in range(10))
        + f"\n{matrix}"
    )
