"""The model card page (card.html): it loads from its own origin with no error, shows the
figures of the committed cards, opens the test digits of a confusion cell, and says in
plain words when a card or the digits file is missing or damaged."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from evaluate.pagekit import Session, open_page
from export import gallery
from export.gallery import DIAGONAL_EXAMPLES, OFF_DIAGONAL_EXAMPLES
from train import mnist

pytestmark = pytest.mark.e2e

CARD_TIMEOUT_MS = 20_000
MODELS = ("cnn", "mlp")


def read_card(dist: Path, model: str) -> dict:
    return json.loads((dist / "models" / f"{model}.json").read_text())


def wait_card(page, model: str | None = None) -> str:
    """Waits until the page has drawn a card (of `model`, when given) or failed; returns the state."""
    page.wait_for_function(
        """model => { const d = document.querySelector('#card').dataset;
                      return d.state !== 'loading' && (model === null || d.model === model); }""",
        arg=model,
        timeout=CARD_TIMEOUT_MS,
    )
    return page.get_attribute("#card", "data-state")


def show(page, model: str) -> None:
    if page.get_attribute("#card", "data-model") != model:
        page.click(f"#model-switch [data-model='{model}']")
    assert wait_card(page, model) == "ready", page.inner_text("#card-error")


@pytest.fixture(scope="module")
def card_page(browser, base_url) -> Iterator[Session]:
    """One card page, loaded once, shared by the tests that only look and click."""
    session = open_page(browser, base_url + "card.html")
    assert wait_card(session.page) == "ready", session.page.inner_text("#card-error")
    yield session
    session.context.close()


@pytest.fixture(scope="module")
def test_images() -> np.ndarray:
    return mnist.load("test")[0]


def tile_pixels(tile) -> np.ndarray:
    """The ink (0..255) a .digit-tile canvas shows, [28, 28]."""
    red = tile.evaluate(
        """t => { const c = t.querySelector('canvas');
                  return Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data)
                              .filter((_, i) => i % 4 === 0); }"""
    )
    return 255 - np.array(red, dtype=np.int64).reshape(28, 28)


def test_loads_with_no_console_error_only_its_own_origin_and_no_runtime(card_page):
    assert card_page.console_errors == []
    assert card_page.foreign_requests() == []
    paths = [re.sub(r"^\w+://[^/]+/", "", url) for url in card_page.page_requests]
    assert "models/cnn.json" in paths and "models/test-digits.bin" in paths
    # No Python, no onnxruntime: it loads fast. (The service worker may fetch them in the
    # background, to keep the whole site for offline use: its requests are not the page's.)
    assert not any(path.startswith("vendor/") for path in paths)


@pytest.mark.parametrize("model", MODELS)
def test_shows_the_accuracy_that_is_in_the_card(card_page, dist: Path, model: str):
    page = card_page.page
    show(page, model)
    accuracy = read_card(dist, model)["test"]["accuracy"]
    assert float(page.get_attribute("#card-accuracy", "data-value")) == accuracy
    assert page.inner_text("#card-accuracy") == f"{accuracy * 100:.2f}%"
    assert page.locator("#curves svg.chart").count() == 2
    assert page.locator("#calibration svg.reliability").count() == 2
    assert page.locator("#drawings .drawing-part").count() == 2
    assert card_page.console_errors == []


def expected_tiles(card: dict, t: int, p: int) -> list[int]:
    examples = card["test"]["confusion_examples"][t][p]
    cap = DIAGONAL_EXAMPLES if t == p else OFF_DIAGONAL_EXAMPLES
    assert len(examples) == min(card["test"]["confusion"][t][p], cap)
    return examples


@pytest.mark.parametrize("model", MODELS)
def test_a_confusion_cell_opens_its_test_digits(card_page, dist: Path, test_images: np.ndarray, model: str):
    page = card_page.page
    show(page, model)
    card = read_card(dist, model)
    confusion = np.array(card["test"]["confusion"])
    errors = confusion - np.diag(np.diag(confusion))
    worst = divmod(int(errors.argmax()), 10)
    for t, p in (worst, (3, 3)):
        page.click(f"#confusion .cell[data-true='{t}'][data-pred='{p}']")
        page.wait_for_function(
            "([t, p]) => { const d = document.querySelector('#cell-digits').dataset; "
            "return d.true === String(t) && d.pred === String(p); }",
            arg=[t, p],
        )
        panel = page.locator("#cell-digits")
        tiles = panel.locator(".digit-tile")
        expected = expected_tiles(card, t, p)
        assert int(panel.get_attribute("data-count")) == confusion[t, p]
        assert int(panel.get_attribute("data-shown")) == tiles.count() == len(expected)
        assert [int(tiles.nth(i).get_attribute("data-index")) for i in range(tiles.count())] == expected
        assert {tiles.nth(i).get_attribute("data-label") for i in range(tiles.count())} == {str(t)}
        assert np.array_equal(tile_pixels(tiles.first), test_images[expected[0]])  # the real test image
    assert len(expected_tiles(card, 3, 3)) == DIAGONAL_EXAMPLES < confusion[3, 3]  # right answers: a few
    assert card_page.console_errors == []


def test_hardest_mistakes_are_drawn_with_their_probabilities(card_page, dist: Path, test_images: np.ndarray):
    page = card_page.page
    show(page, "cnn")
    hardest = read_card(dist, "cnn")["test"]["hardest"]
    tiles = page.locator("#hardest .digit-tile")
    assert tiles.count() == len(hardest) == 32
    assert [int(tiles.nth(i).get_attribute("data-index")) for i in range(tiles.count())] == [
        row["index"] for row in hardest
    ]
    assert tiles.nth(0).locator("svg.prob-bars rect").count() == 10
    assert np.array_equal(tile_pixels(tiles.nth(5)), test_images[hardest[5]["index"]])


def test_a_model_can_be_asked_for_in_the_address(browser, base_url, dist: Path):
    session = open_page(browser, base_url + "card.html?model=mlp")
    try:
        assert wait_card(session.page, "mlp") == "ready"
        accuracy = float(session.page.get_attribute("#card-accuracy", "data-value"))
        assert accuracy == read_card(dist, "mlp")["test"]["accuracy"]
        assert session.page.get_attribute("#model-switch [data-model='mlp']", "aria-pressed") == "true"
    finally:
        session.context.close()


def test_the_main_page_links_to_the_card(app, browser):
    link = app.page.locator("a[href='card.html']")
    assert link.is_visible()
    session = open_page(browser, link.evaluate("a => a.href"))  # a page of its own; the shared page stays
    try:
        assert wait_card(session.page) == "ready"
        assert session.console_errors == []
    finally:
        session.context.close()


def open_with(browser, base_url: str, path: str, **fulfil) -> Session:
    """The card page with the file `path` answered as given (status, body). (No service worker: its requests
    would not pass through the page's routes.)"""
    session = open_page(browser, "about:blank", service_workers="block")
    session.page.route(f"**/{path}", lambda route: route.fulfill(**fulfil))
    session.page.goto(base_url + "card.html")
    return session


@pytest.mark.parametrize(
    ("fulfil", "words"),
    [
        ({"status": 404, "body": "not here"}, ["models/cnn.json", "404", "python -m export --model cnn"]),
        ({"status": 200, "body": '{"name": "cnn", "test": {'}, ["models/cnn.json", "not valid JSON"]),
        ({"status": 200, "body": '{"name": "cnn", "test": {"accuracy": 0.9}}'}, ["models/cnn.json", "incomplete"]),
    ],
    ids=["missing", "not-json", "incomplete"],
)
def test_a_missing_or_damaged_card_is_said_in_plain_words(browser, base_url, fulfil, words):
    session = open_with(browser, base_url, "models/cnn.json", **fulfil)
    try:
        assert wait_card(session.page) == "error"
        message = session.page.inner_text("#card-error")
        assert session.page.is_visible("#card-error")
        assert all(word in message for word in words), message
        assert not session.page.is_visible("#summary")  # no half-drawn card
    finally:
        session.context.close()


@pytest.mark.parametrize(
    ("fulfil", "words"),
    [
        ({"status": 404, "body": "not here"}, ["models/test-digits.bin", "404"]),
        ({"status": 200, "body": b"TDIG\x01\x00\x1c\x00\x05\x00\x00\x00short"}, ["test-digits.bin", "damaged"]),
    ],
    ids=["missing", "truncated"],
)
def test_a_missing_or_damaged_digits_file_is_said_and_the_rest_is_shown(browser, base_url, dist, fulfil, words):
    session = open_with(browser, base_url, "models/test-digits.bin", **fulfil)
    try:
        assert wait_card(session.page) == "error"
        message = session.page.inner_text("#card-error")
        assert all(word in message for word in words), message
        assert "python -m export.gallery" in message
        accuracy = float(session.page.get_attribute("#card-accuracy", "data-value"))
        assert accuracy == read_card(dist, "cnn")["test"]["accuracy"]  # the figures are still there
        session.page.click("#confusion .cell[data-true='9'][data-pred='9']")
        assert session.page.get_attribute("#cell-digits", "data-shown") == "0"
        assert "could not be loaded" in session.page.inner_text("#cell-digits")
    finally:
        session.context.close()


def test_a_digits_file_of_other_cards_is_refused(browser, base_url, dist: Path):
    stored = gallery.decode((dist / "models" / gallery.FILE_NAME).read_bytes())
    fewer = gallery.Gallery(stored.indices[::2].copy(), stored.labels[::2].copy(), stored.images[::2].copy())
    session = open_with(browser, base_url, "models/test-digits.bin", status=200, body=gallery.encode(fewer))
    try:
        assert wait_card(session.page) == "error"
        message = session.page.inner_text("#card-error")
        assert "does not match models/cnn.json" in message and "python -m export.gallery" in message
    finally:
        session.context.close()


def test_the_drawing_figures_without_centring_are_shown_when_the_card_has_them(browser, base_url, dist: Path):
    card = read_card(dist, "cnn")
    card["drawings"]["validation_writers"].pop("accuracy_without_centring", None)
    card["drawings"]["held_out_writers"]["accuracy_without_centring"] = 0.8125
    session = open_with(browser, base_url, "models/cnn.json", status=200, body=json.dumps(card))
    try:
        assert wait_card(session.page) == "ready"
        validation, held_out = (session.page.locator("#drawings .drawing-part").nth(i).inner_text() for i in (0, 1))
        assert "Without the centring step" in held_out and "81.25%" in held_out
        assert "Without the centring step" not in validation
    finally:
        session.context.close()


def unipen_part(count: int, errors: int) -> dict:
    confusion = [[count // 10 if t == p else 0 for p in range(10)] for t in range(10)]
    confusion[0][0] -= errors
    confusion[0][8] += errors
    per_class = [{"class": c, "precision": 1.0, "recall": 1.0, "f1": 1.0, "support": count // 10} for c in range(10)]
    return {"count": count, "errors": errors, "accuracy": 1 - errors / count, "confusion": confusion,
            "per_class": per_class}  # fmt: skip


def test_the_unipen_figures_and_the_data_credits_are_shown(browser, base_url, dist: Path):
    card = read_card(dist, "cnn")
    held_out = {**unipen_part(300, 6), "writers": 5,
                "per_institution": {"abc": {"count": 200, "errors": 2, "accuracy": 0.99},
                                    "xyz": {"count": 100, "errors": 4, "accuracy": 0.96}}}  # fmt: skip
    card["unipen"] = {
        "source": "UNIPEN test figures",
        "split": {"train": {"writers": 9, "institutions": 2, "digits": 900}},
        "validation_writers": {**unipen_part(200, 3), "writers": 2},
        "held_out_writers": held_out,
        "left_out_institutions": {**unipen_part(100, 2), "institutions": ["abc"], "network": "python -m train ..."},
    }
    card.setdefault("data", {})["credits"] = ["MNIST: one", "pendigits: two", "UNIPEN: three"]
    session = open_with(browser, base_url, "models/cnn.json", status=200, body=json.dumps(card))
    try:
        page = session.page
        assert wait_card(page) == "ready", page.inner_text("#card-error")
        parts = page.locator("#unipen .unipen-part")
        assert parts.count() == 3
        assert float(parts.nth(1).locator(".drawing-accuracy").get_attribute("data-value")) == 0.98
        assert "98.00% of 300 drawings right (6 wrong)" in parts.nth(1).inner_text()
        assert "0 read as 8 (6×)" in parts.nth(1).inner_text()
        rows = parts.nth(1).locator("table.institutions tbody tr")
        assert [rows.nth(i).get_attribute("data-institution") for i in range(rows.count())] == ["abc", "xyz"]
        assert "96.00%" in rows.nth(1).inner_text()
        assert "Institutions never trained on: abc" in parts.nth(2).inner_text()
        assert [page.locator("#credits li").nth(i).inner_text() for i in range(3)] == card["data"]["credits"]
        assert session.console_errors == []
    finally:
        session.context.close()


def test_a_card_without_unipen_figures_says_so(browser, base_url, dist: Path):
    card = read_card(dist, "mlp")
    card.pop("unipen", None)
    session = open_with(browser, base_url, "models/cnn.json", status=200, body=json.dumps(card | {"name": "cnn"}))
    try:
        assert wait_card(session.page) == "ready", session.page.inner_text("#card-error")
        assert "no UNIPEN figures" in session.page.inner_text("#unipen")
    finally:
        session.context.close()


def test_a_file_url_says_how_to_serve(browser, dist: Path):
    session = open_page(browser, (dist / "card.html").as_uri())
    try:
        assert session.page.get_attribute("#card", "data-state") == "error"
        assert "python build.py serve" in session.page.inner_text("#card-error")
    finally:
        session.context.close()


def test_card_page_names_only_files_in_dist_by_relative_urls(dist: Path):
    html = (dist / "card.html").read_text()
    named = re.findall(r'(?:src|href)="([^"#:]+)"', html)
    assert "js/card/card.js" in named and "css/card.css" in named
    assert [name for name in named if not (dist / name).is_file()] == []
    absolute = re.compile(r"""(https?:)?//[\w.-]+\.\w|(src|href)=["']/""")  # js/ and css/: test_build.py
    for number, line in enumerate(html.splitlines(), 1):
        assert not absolute.search(line), f"card.html:{number}: {line.strip()}"


@pytest.mark.parametrize("model", MODELS)
def test_the_rejection_figures_are_shown_for_each_model(card_page, dist: Path, model: str):
    page = card_page.page
    show(page, model)
    figures = read_card(dist, model)["rejection"]
    caught = page.locator("#rejection-caught")
    assert float(caught.get_attribute("data-value")) == figures["held_out"]["non_digits"]["not-digit"]
    text = page.inner_text("#rejection")
    assert f"{figures['held_out']['digits']['accepted_accuracy']:.2%}" in text
    assert "counting the" in text and "as errors" in text
    curve = page.locator("#coverage-accuracy svg.coverage circle")
    assert curve.count() == len(figures["held_out"]["coverage_accuracy"])
    bins = [b for b in figures["held_out"]["calibration"]["bins"] if b["count"]]
    assert page.locator("#reliability-drawings svg .bin").count() == len(bins)


def test_a_card_without_rejection_figures_says_the_page_shows_plain_probabilities(browser, base_url, dist: Path):
    card = read_card(dist, "cnn")
    card.pop("rejection", None)
    session = open_with(browser, base_url, "models/cnn.json", status=200, body=json.dumps(card))
    try:
        assert wait_card(session.page) == "ready", session.page.inner_text("#card-error")
        assert "plain probabilities" in session.page.inner_text("#rejection")
    finally:
        session.context.close()


def test_the_cnn_card_draws_its_first_layers_kernels_and_says_how_to_read_the_layers(card_page, dist: Path):
    page = card_page.page
    show(page, "cnn")
    kernels = read_card(dist, "cnn")["output"]["layers"]["kernels_conv1"]
    assert page.locator("#conv1-kernels figure.kernel-tile").count() == kernels["dims"][0] == 24
    assert "feature map" in page.locator("#layers").inner_text()
