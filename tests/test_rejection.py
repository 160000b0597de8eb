"""Calibration and verdicts (train/rejection.py): the scores, the thresholds chosen on
validation digits, and the verdict's order of precedence."""

from __future__ import annotations

import numpy as np
import pytest

from train import rejection
from train.evaluate import reliability, softmax


def logits_of(rows: int, seed: int = 0, classes: int = 11) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return rng.normal(0.0, 3.0, (rows, classes))


def test_each_score_is_in_0_1_and_means_what_it_says():
    logits = logits_of(500)
    outlier = rejection.not_digit_score(logits, 1.5, "outlier")
    assert np.allclose(outlier, softmax(logits / 1.5)[:, 10])
    max_prob = rejection.not_digit_score(logits, 1.5, "max-prob")
    assert np.allclose(max_prob, 1 - softmax(logits[:, :10] / 1.5).max(1))
    detector = rejection.not_digit_score(logits, 1.5, "detector")
    assert np.allclose(detector, 1 / (1 + np.exp(-logits[:, 10])))  # a second network's log-odds: no temperature
    energy = rejection.not_digit_score(logits, 1.5, "energy")
    free_energy = -1.5 * np.log(np.exp(logits[:, :10] / 1.5).sum(1))
    assert np.array_equal(np.argsort(energy), np.argsort(free_energy))  # the energy's order exactly
    for score in (outlier, detector, max_prob, energy):
        assert np.all((score >= 0) & (score <= 1))
    with pytest.raises(ValueError, match="unknown method"):
        rejection.not_digit_score(logits, 1.0, "vibes")


def test_a_model_with_a_not_digit_output_has_the_methods_that_read_it_too():
    assert rejection.methods_of(logits_of(3)) == ("outlier", "detector", "max-prob", "energy")
    assert rejection.methods_of(logits_of(3, classes=10)) == ("max-prob", "energy")


def confident_digits(rows: int = 4000, wrong: int = 40, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Logits of digits mostly right and sure, with `wrong` unsure mistakes, and a low 11th logit."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 10, rows)
    logits = rng.normal(0.0, 1.0, (rows, 11))
    logits[np.arange(rows), labels] += rng.uniform(4.0, 12.0, rows)
    logits[:, 10] -= 4.0
    mistaken = rng.choice(rows, wrong, replace=False)
    logits[mistaken, (labels[mistaken] + 1) % 10] = logits[mistaken, labels[mistaken]] + 0.3  # narrowly wrong
    return logits, labels


@pytest.mark.parametrize("method", ["outlier", "detector", "max-prob", "energy"])
def test_thresholds_reject_the_share_of_digits_they_were_chosen_for(method):
    logits, labels = confident_digits()
    calibration = rejection.calibrate(logits, labels, method)
    found = rejection.verdict(logits, calibration)
    assert (found == "not-digit").mean() <= rejection.DIGITS_REJECTED + 1e-9
    assert (found == "unsure").mean() <= rejection.MAX_UNSURE + 1e-9
    kept = found == "digit"
    right = logits[:, :10].argmax(1) == labels
    assert right[kept].mean() >= rejection.ACCEPTED_ACCURACY  # reachable here: the mistakes are the unsure ones
    assert right.mean() < rejection.ACCEPTED_ACCURACY  # ... and it takes withholding some to reach it


def test_the_temperature_makes_the_digits_calibrated():
    logits, labels = confident_digits()
    sharp = logits * 3.0  # overconfident: the fitted temperature grows by as much and undoes it
    plain = rejection.calibrate(logits, labels, "max-prob").temperature
    calibration = rejection.calibrate(sharp, labels, "max-prob")
    assert calibration.temperature == pytest.approx(3 * plain, rel=1e-3)
    probs = rejection.digit_probabilities(sharp, calibration.temperature)
    assert np.allclose(probs.sum(1), 1.0)
    before, _ = reliability(softmax(sharp[:, :10]), labels)
    after, _ = reliability(probs, labels)
    assert after < before


def test_not_a_digit_comes_before_unsure():
    calibration = rejection.Calibration(1.0, "outlier", not_digit_threshold=0.5, unsure_threshold=0.9)
    logits = np.array([
        [9.0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -5.0],  # a sure 0
        [3.0, 3.0, 0, 0, 0, 0, 0, 0, 0, 0, -5.0],  # 0 or 1?
        [3.0, 3.0, 0, 0, 0, 0, 0, 0, 0, 0, 9.0],  # unsure and not a digit: not a digit
    ])  # fmt: skip
    assert rejection.verdict(logits, calibration).tolist() == ["digit", "unsure", "not-digit"]


def test_calibration_round_trips_through_metadata():
    calibration = rejection.Calibration(1.2345678901234, "energy", 0.123456789, 0.987654321)
    metadata = calibration.metadata()
    assert all(isinstance(v, str) for v in metadata.values())
    assert rejection.Calibration.from_metadata(metadata) == calibration
    assert rejection.Calibration.from_metadata({"model_name": "cnn"}) is None


def test_coverage_accuracy_rises_as_the_least_confident_are_withheld():
    rng = np.random.default_rng(3)
    confidence = rng.uniform(0, 1, 2000)
    correct = rng.uniform(0, 1, 2000) < confidence  # surer answers are right more often
    curve = rejection.coverage_accuracy(confidence, correct)
    assert curve[0]["coverage"] == 1.0 and curve[0]["accuracy"] == pytest.approx(correct.mean())
    accuracies = [p["accuracy"] for p in curve]
    assert accuracies[-1] > accuracies[0]
