"""The page in Firefox and in WebKit (issue 39): it gets ready, reads five held-out writers' digits drawn
with the mouse as Chromium reads them, reads a whole number in Number mode, works offline after the first
visit, and logs no console error. `python3 build.py test -m engines -s` prints each engine's figures."""

from __future__ import annotations

import pytest
from engine_page import all_stored, clear, digits_found, draw_bitmap, error_text, wait_for, wait_ready
from served import Site

from bench.number import written

pytestmark = [pytest.mark.e2e, pytest.mark.engines]

NUMBER = [1, 4, 7, 0]
NUMBER_LEFTS = [80, 240, 420, 600]  # each digit's box's left edge, in the wide pad's bitmap pixels
ONE = [[(140, 50), (140, 140), (140, 230)]]  # a 1 in Digit mode's bitmap pixels
STORE_TIMEOUT_S = 180  # sw.js stores the whole build in the background
# Offline, download-progress.js's fetch of precache.json (the build's list, which sw.js does not store) goes
# to the network through sw.js, whose respondWith() then rejects: the page copes (no list, no progress
# sizes), but Firefox logs the rejection as an error. Known, not this suite's to fix (docs/figures.md).


def row(figures: list[dict], engine) -> dict:
    """The engine's row of the printed table, made on first use."""
    found = next((r for r in figures if r["engine"] == engine.version), None)
    if found is None:
        found = {"engine": engine.version}
        figures.append(found)
    return found


def ready_page(engine, url: str) -> float | None:
    engine.goto(url)
    state, ready_ms = wait_ready(engine)
    assert state == "ready", f"{engine.name}: the page is {state}: {error_text(engine)}"
    return ready_ms


def test_held_out_digits_read_as_in_chromium(engine, site: Site, held_out, chromium_answers, figures):
    ready_ms = ready_page(engine, site.url)
    answers = []
    for strokes in held_out:
        prediction = draw_bitmap(engine, strokes)
        assert prediction["strokes"] == str(len(strokes))
        answers.append(prediction["digit"])
        clear(engine)
    shown = f"{''.join(answers)} ({''.join(chromium_answers)})"
    row(figures, engine).update(ready_ms=round(ready_ms or 0), answers=shown)
    assert answers == chromium_answers, f"{engine.name} read {answers}, Chromium {chromium_answers}"
    assert engine.console_errors() == []


def test_number_mode_reads_a_whole_number(engine, site: Site, figures):
    ready_page(engine, site.url + "?mode=number")
    strokes = [stroke for digit, left in zip(NUMBER, NUMBER_LEFTS, strict=True) for stroke in written(digit, left)]
    prediction = draw_bitmap(engine, strokes)
    row(figures, engine)["number"] = prediction["number"]
    assert prediction["mode"] == "number"
    assert prediction["number"] == "".join(map(str, NUMBER)), digits_found(prediction)
    assert engine.console_errors() == []


def test_offline_after_the_first_visit(engine, dist, figures):
    """A site of its own (the server stops half-way): the first visit stores the site, the reload reads a 1."""
    own = Site(dist)
    try:
        ready_page(engine, own.url)
        wait_for(engine, "navigator.serviceWorker.controller !== null", STORE_TIMEOUT_S, "sw.js controlling the page")
        wait_for(engine, all_stored(dist), STORE_TIMEOUT_S, "sw.js storing the whole site")
    finally:
        own.stop()
    engine.reload()
    state, _ = wait_ready(engine)
    assert state == "ready", f"{engine.name} offline: the page is {state}: {error_text(engine)}"
    digit = draw_bitmap(engine, ONE)["digit"]
    row(figures, engine)["offline"] = f"ready, reads {digit}"
    assert digit == "1"
    assert engine.console_errors() == []
