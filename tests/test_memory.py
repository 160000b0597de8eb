"""The handwriting memory (train/memory.py): what it keeps, how it votes, and how the votes join the
probabilities; and the offline stream that evaluates it (evaluate/learning.py)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluate import learning
from train import contract, memory

SETTINGS = memory.Settings(capacity=5, neighbours=3, min_similarity=0.8, weight=1.0)


def uniform(rows: int = 1) -> np.ndarray:
    return np.full((rows, 10), 0.1)


def direction(index: int, size: int = 8) -> np.ndarray:
    row = np.zeros(size, dtype=np.float32)
    row[index] = 1.0
    return row


def test_the_contract_gives_the_settings():
    found = memory.Settings.from_contract(contract.MEMORY)
    assert found.capacity >= 100 and found.neighbours >= 1 and 0 < found.min_similarity <= 1 and found.weight > 0


def test_an_empty_memory_keeps_the_probabilities_exactly():
    probs = np.random.default_rng(0).dirichlet(np.ones(10), 4)
    recall = memory.Memory(SETTINGS).recall(probs, np.ones((4, 8)))
    assert np.array_equal(recall.probs, probs)
    assert not recall.adapted.any()


def test_a_taught_drawing_is_read_as_the_digit_it_was_taught():
    kept = memory.Memory(SETTINGS)
    probs = np.eye(10)[[8]] * 0.9 + 0.01  # the network says 8
    kept.add(direction(0) * 3.0, 0)  # the person said: this is a 0 (length does not matter, direction does)
    recall = kept.recall(probs, direction(0)[None])
    assert recall.adapted.tolist() == [True]
    assert recall.probs[0].argmax() == 0
    assert recall.probs.sum() == pytest.approx(1.0)
    assert recall.votes[0, 0] == pytest.approx(1.0)


def test_an_unrelated_drawing_is_unchanged():
    kept = memory.Memory(SETTINGS)
    kept.add(direction(0), 0)
    probs = np.eye(10)[[3]] * 0.9 + 0.01
    recall = kept.recall(probs, direction(1)[None])  # cosine 0: no vote
    assert np.array_equal(recall.probs, probs)
    assert recall.adapted.tolist() == [False]


def test_a_vote_needs_the_similarity():
    kept = memory.Memory(SETTINGS)
    kept.add(np.array([1.0, 0.0]), 4)
    at = {similarity: kept.recall(uniform(), np.array([[similarity, np.sqrt(1 - similarity**2)]])).adapted[0]
          for similarity in (0.79, 0.81)}  # fmt: skip
    assert at == {0.79: False, 0.81: True}


def test_only_the_nearest_vote():
    kept = memory.Memory(memory.Settings(capacity=10, neighbours=1, min_similarity=0.5, weight=1.0))
    kept.add(np.array([1.0, 0.1]), 1)
    kept.add(np.array([1.0, 0.0]), 7)
    votes = kept.votes(np.array([[1.0, 0.0]]))
    assert votes[0, 7] == pytest.approx(1.0) and votes[0, 1] == 0


def test_the_oldest_go_first_when_full():
    kept = memory.Memory(SETTINGS)
    for digit in range(7):
        kept.add(direction(digit), digit)
    assert len(kept) == SETTINGS.capacity
    assert kept.digits.tolist() == [2, 3, 4, 5, 6]
    assert not kept.recall(uniform(), direction(0)[None]).adapted[0]  # the first was dropped
    assert kept.recall(uniform(), direction(6)[None]).adapted[0]


def test_load_replaces_what_was_kept_as_after_a_new_model():
    kept = memory.Memory(SETTINGS)
    kept.add(direction(0), 0)
    kept.load(np.stack([direction(1, 4), direction(2, 4)]), [1, 2])  # features of another size: a new model
    assert kept.digits.tolist() == [1, 2] and kept.features.shape == (2, 4)
    kept.forget()
    assert len(kept) == 0
    assert np.array_equal(kept.recall(uniform(), np.ones((1, 4))).probs, uniform())


def test_bad_records_are_refused():
    kept = memory.Memory(SETTINGS)
    with pytest.raises(ValueError, match="0-9"):
        kept.load(np.ones((1, 8)), [10])
    with pytest.raises(ValueError, match="feature rows"):
        kept.load(np.ones((2, 8)), [1])
    kept.add(np.ones(8), 1)
    with pytest.raises(ValueError, match="numbers"):
        kept.add(np.ones(4), 1)


def test_a_drawing_of_no_features_is_like_nothing():
    kept = memory.Memory(SETTINGS)
    kept.add(np.zeros(8), 3)
    assert not kept.recall(uniform(), np.zeros((1, 8))).adapted[0]


vectors = st.lists(st.floats(-1, 1, allow_nan=False, width=32), min_size=6, max_size=6)


@settings(max_examples=60, deadline=None)
@given(
    taught=st.lists(st.tuples(vectors, st.integers(0, 9)), min_size=1, max_size=8),
    query=vectors,
    seed=st.integers(0, 1000),
)
def test_the_blend_is_a_distribution_and_the_order_of_teaching_only_breaks_ties(taught, query, seed):
    features = np.array([row for row, _ in taught], dtype=np.float32)
    digits = [digit for _, digit in taught]
    rules = memory.Settings(capacity=20, neighbours=3, min_similarity=0.5, weight=2.0)
    probs = np.random.default_rng(seed).dirichlet(np.ones(10), 1)
    first, second = memory.Memory(rules), memory.Memory(rules)
    first.load(features, digits)
    order = np.random.default_rng(seed).permutation(len(digits))
    second.load(features[order], [digits[i] for i in order])
    recall = first.recall(probs, np.array([query]))
    assert recall.probs.sum() == pytest.approx(1.0) and (recall.probs >= 0).all()
    similarity = np.sort(memory.unit_rows(features) @ memory.unit_rows(np.array([query]))[0])[::-1]
    if len(similarity) <= rules.neighbours or similarity[rules.neighbours - 1] > similarity[rules.neighbours] + 1e-6:
        assert np.allclose(recall.probs, second.recall(probs, np.array([query])).probs)


def test_the_stream_corrects_each_wrong_answer_and_counts():
    # One writer's 0 that the network reads as 8, three times: corrected once, then read right.
    probs = np.tile(np.eye(10)[8] * 0.9 + 0.01, (3, 1))
    features = np.tile(direction(0), (3, 1))
    counts = learning.stream(probs, features, np.array([0, 0, 0]), SETTINGS)
    assert counts == {"digits": 3, "errors_without": 3, "errors_with": 1, "corrections": 1, "after_correction": 2,
                      "after_correction_errors_without": 2, "after_correction_errors_with": 0}  # fmt: skip


def test_writers_write_in_a_seeded_order_of_their_own():
    first = learning.writer_order(20, "pendigits 26", 1)
    assert np.array_equal(first, learning.writer_order(20, "pendigits 26", 1))
    assert not np.array_equal(first, learning.writer_order(20, "pendigits 27", 1))
    assert sorted(first) == list(range(20))


def test_pooled_figures_name_the_writers_made_worse():
    writers = {"unipen a/1": {"digits": 2, "errors_without": 1, "errors_with": 2},
               "unipen a/2": {"digits": 2, "errors_without": 2, "errors_with": 0}}  # fmt: skip
    total = learning.pooled(writers, "unipen ")
    assert total["writers_worse"] == ["unipen a/1"] and total["writers_better"] == 1
    assert total["fewer_errors"] == pytest.approx(1 / 3)
