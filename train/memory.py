"""The handwriting memory (issue 37): drawings a person has corrected, kept on their device, and how they
change the next answers. The page's Python worker imports this module (build.py copies it into the site, as
preprocess.py), and so does the offline evaluation (evaluate/learning.py): one code, no train/serve skew.

Each remembered drawing is the reader's last hidden layer for it (the ONNX file's `features` output, 128
numbers) with the digit the person said it is. A new drawing's features are compared with every remembered
one by cosine similarity; the `neighbours` most similar that reach `min_similarity` vote for their digits,
each with its similarity, and the votes join the calibrated probabilities p:

    blended = (p + weight * votes) / (1 + weight * sum(votes))

so a drawing like nothing remembered keeps p exactly, and one very like a corrected drawing leans to what the
person said. At most `capacity` drawings are kept, the oldest dropped first. The settings are chosen on
validation writers (docs/experiments.md) and live in train/contract.json, which the page reads too.

numpy and the standard library only, and no import of the project (Pyodide runs it as a top-level module).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DIGITS = 10


@dataclass(frozen=True)
class Settings:
    """How the memory votes (train/contract.json's `memory` section, see the module's docstring)."""

    capacity: int
    neighbours: int
    min_similarity: float
    weight: float

    @classmethod
    def from_contract(cls, section: dict) -> Settings:
        return cls(int(section["capacity"]), int(section["neighbours"]), float(section["min_similarity"]),
                   float(section["weight"]))  # fmt: skip


@dataclass(frozen=True)
class Recall:
    """What the memory makes of N drawings: the blended probabilities [N, 10] and the votes [N, 10]."""

    probs: np.ndarray
    votes: np.ndarray

    @property
    def adapted(self) -> np.ndarray:
        """[N] bool: a remembered drawing voted, so the probabilities are not the network's alone."""
        return self.votes.sum(axis=1) > 0


def unit_rows(features: np.ndarray) -> np.ndarray:
    """Each row divided by its length (a row of zeros stays zero: it is like nothing)."""
    rows = np.asarray(features, dtype=np.float32).reshape(len(features), -1)
    length = np.linalg.norm(rows, axis=1, keepdims=True)
    return np.divide(rows, length, out=np.zeros_like(rows), where=length > 0)


class Memory:
    """The remembered drawings of one person, oldest first: their unit feature rows and digits."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.features = np.zeros((0, 0), dtype=np.float32)
        self.digits = np.zeros(0, dtype=np.int64)

    def __len__(self) -> int:
        return len(self.digits)

    def load(self, features: np.ndarray, digits) -> None:
        """Remember exactly these drawings ([N, F] features, N digits 0-9, oldest first), the newest
        `capacity` of them."""
        digits = np.asarray(digits, dtype=np.int64).reshape(-1)
        if len(features) != len(digits):
            raise ValueError(f"{len(features)} feature rows for {len(digits)} digits")
        if ((digits < 0) | (digits >= DIGITS)).any():
            raise ValueError("a remembered drawing's digit must be 0-9")
        keep = slice(max(0, len(digits) - self.settings.capacity), None)
        self.features = unit_rows(features)[keep] if len(digits) else np.zeros((0, 0), dtype=np.float32)
        self.digits = digits[keep].copy()

    def add(self, features: np.ndarray, digit: int) -> None:
        """Remember one more drawing (features [F] or [1, F]); the oldest goes when the memory is full."""
        row = unit_rows(np.asarray(features).reshape(1, -1))
        if len(self) and row.shape[1] != self.features.shape[1]:
            raise ValueError(f"features of {row.shape[1]} numbers, the memory's have {self.features.shape[1]}")
        features = np.concatenate([self.features, row]) if len(self) else row
        self.load(features, np.append(self.digits, digit))

    def forget(self) -> None:
        self.load(np.zeros((0, 0), dtype=np.float32), [])

    def votes(self, features: np.ndarray) -> np.ndarray:
        """[N, 10]: for each drawing, the similarities of its nearest remembered drawings that reach
        `min_similarity`, summed by their digits (ties in similarity: the older drawing first)."""
        queries = unit_rows(features)
        votes = np.zeros((len(queries), DIGITS), dtype=np.float64)
        if not len(self) or not len(queries):
            return votes
        if queries.shape[1] != self.features.shape[1]:
            raise ValueError(f"features of {queries.shape[1]} numbers, the memory's have {self.features.shape[1]}")
        similarity = queries @ self.features.T  # [N, kept]
        nearest = np.argsort(-similarity, axis=1, kind="stable")[:, : self.settings.neighbours]
        for row, columns in enumerate(nearest):
            close = similarity[row, columns] >= self.settings.min_similarity
            np.add.at(votes[row], self.digits[columns[close]], similarity[row, columns[close]])
        return votes

    def recall(self, probs: np.ndarray, features: np.ndarray) -> Recall:
        """The calibrated probabilities [N, 10] of N drawings blended with the votes of the remembered ones."""
        probs = np.asarray(probs, dtype=np.float64).reshape(-1, DIGITS)
        votes = self.votes(features)
        weighted = self.settings.weight * votes
        blended = (probs + weighted) / (1.0 + weighted.sum(axis=1, keepdims=True))
        return Recall(blended, votes)
