"""Metrics for the model card, in numpy, from logits and labels."""

from __future__ import annotations

import numpy as np

CLASSES = 10


def softmax(logits: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    z = logits / temperature
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def confusion_matrix(labels: np.ndarray, predictions: np.ndarray) -> np.ndarray:
    """[true, predicted] counts."""
    matrix = np.zeros((CLASSES, CLASSES), dtype=np.int64)
    np.add.at(matrix, (labels, predictions), 1)
    return matrix


def per_class(confusion: np.ndarray) -> list[dict]:
    rows = []
    for k in range(CLASSES):
        tp = confusion[k, k]
        predicted, actual = confusion[:, k].sum(), confusion[k].sum()
        precision = tp / predicted if predicted else 0.0
        recall = tp / actual if actual else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        rows.append({"class": k, "precision": float(precision), "recall": float(recall), "f1": float(f1),
                     "support": int(actual)})  # fmt: skip
    return rows


def reliability(probs: np.ndarray, labels: np.ndarray, bins: int = 15) -> tuple[float, list[dict]]:
    """Expected calibration error of the top class and the reliability diagram's bins."""
    confidence = probs.max(axis=1)
    correct = probs.argmax(axis=1) == labels
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.digitize(confidence, edges[1:-1], right=True), 0, bins - 1)
    table, ece = [], 0.0
    for b in range(bins):
        inside = which == b
        count = int(inside.sum())
        conf = float(confidence[inside].mean()) if count else 0.0
        acc = float(correct[inside].mean()) if count else 0.0
        ece += count / len(labels) * abs(acc - conf)
        table.append({"low": float(edges[b]), "high": float(edges[b + 1]), "count": count,
                      "confidence": conf, "accuracy": acc})  # fmt: skip
    return float(ece), table


def nll(logits: np.ndarray, labels: np.ndarray, temperature: float) -> float:
    probs = softmax(logits.astype(np.float64), temperature)
    return float(-np.log(probs[np.arange(len(labels)), labels] + 1e-12).mean())


def fit_temperature(logits: np.ndarray, labels: np.ndarray) -> float:
    """Softmax temperature minimizing the negative log-likelihood (convex in 1/T)."""
    lo, hi = np.log(0.05), np.log(20.0)
    for _ in range(60):  # golden-section search on log T
        a, b = lo + 0.382 * (hi - lo), lo + 0.618 * (hi - lo)
        if nll(logits, labels, np.exp(a)) < nll(logits, labels, np.exp(b)):
            hi = b
        else:
            lo = a
    return float(np.exp((lo + hi) / 2))


def hardest(probs: np.ndarray, labels: np.ndarray, count: int = 32) -> list[dict]:
    """The misclassified images the model was surest about."""
    predictions = probs.argmax(axis=1)
    wrong = np.flatnonzero(predictions != labels)
    wrong = wrong[np.argsort(-probs[wrong, predictions[wrong]], kind="stable")][:count]
    return [
        {"index": int(i), "label": int(labels[i]), "prediction": int(predictions[i]),
         "probabilities": [round(float(p), 6) for p in probs[i]]}
        for i in wrong
    ]  # fmt: skip


def evaluate(logits: np.ndarray, labels: np.ndarray, temperature: float = 1.0) -> dict:
    """The test-set part of the model card."""
    probs = softmax(logits)
    predictions = probs.argmax(axis=1)
    confusion = confusion_matrix(labels, predictions)
    ece, bins = reliability(probs, labels)
    ece_scaled, bins_scaled = reliability(softmax(logits, temperature), labels)
    return {
        "count": int(len(labels)),
        "accuracy": float((predictions == labels).mean()),
        "errors": int((predictions != labels).sum()),
        "per_class": per_class(confusion),
        "confusion": confusion.tolist(),
        "hardest": hardest(probs, labels),
        "calibration": {
            "bins": bins,
            "ece": ece,
            "temperature": temperature,
            "ece_after_temperature": ece_scaled,
            "bins_after_temperature": bins_scaled,
            "nll": nll(logits, labels, 1.0),
            "nll_after_temperature": nll(logits, labels, temperature),
        },
    }
