"""The page's test contract (tests/page/conftest.py) read through any engine of tests/engines/: an object
with `goto`, `reload`, `evaluate(expression)` (a JSON value) and `stroke(viewport points)`. The element's
parts live in its open shadow root, reached here from `document.querySelector('digit-pad')`."""

from __future__ import annotations

import json
import time
from pathlib import Path

from webapp import precache

BOOT_TIMEOUT_S = 120  # Python + numpy + model in a slower engine, on a busy 2-core machine
PREDICTION_TIMEOUT_S = 20
POLL_S = 0.1

PART = "document.querySelector('digit-pad')?.shadowRoot?.querySelector('{}')"
STATE = "document.querySelector('digit-pad')?.state ?? 'loading'"
READY_MARK = "performance.getEntriesByName('digit-pad:ready')[0]?.startTime ?? null"
# Where a part is in the viewport (scrolled wholly into view first), and the pad's ink bitmap's size.
GEOMETRY = """(() => {{
  const part = {part};
  part.scrollIntoView({{block: 'center', inline: 'center'}});
  const box = part.getBoundingClientRect();
  return {{x: box.x, y: box.y, width: box.width, height: box.height,
           bitmapWidth: Number(part.dataset.bitmapWidth), bitmapHeight: Number(part.dataset.bitmapHeight)}};
}})()"""


def wait_for(engine, expression: str, timeout: float, what: str):
    """Polls `expression` until it is truthy; its value. TimeoutError saying `what` was awaited."""
    deadline = time.monotonic() + timeout
    while True:
        value = engine.evaluate(expression)
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"{engine.name}: {what} not within {timeout} s")
        time.sleep(POLL_S)


def wait_ready(engine) -> tuple[str, float | None]:
    """Until the element has left `loading`: its state, and the ms from navigation to the page's ready mark."""
    wait_for(engine, f"({STATE}) !== 'loading'", BOOT_TIMEOUT_S, "the page leaving `loading`")
    return engine.evaluate(STATE), engine.evaluate(READY_MARK)


def error_text(engine) -> str:
    return engine.evaluate(f"{PART.format('#error')}?.textContent ?? ''")


def prediction(engine) -> dict:
    return engine.evaluate(f"({{...{PART.format('#prediction')}.dataset}})")


def geometry(engine, selector: str) -> dict:
    return engine.evaluate(GEOMETRY.format(part=PART.format(selector)))


def draw_bitmap(engine, strokes: list[list[tuple[float, float]]]) -> dict:
    """Draws strokes given in ink-bitmap pixels, as a person would with a mouse; the prediction (the
    #prediction element's data-*) made from all of them."""
    pad = geometry(engine, "#pad")
    sx, sy = pad["width"] / pad["bitmapWidth"], pad["height"] / pad["bitmapHeight"]
    for points in strokes:
        engine.stroke([(round(pad["x"] + x * sx), round(pad["y"] + y * sy)) for x, y in points])
    done = f'#prediction[data-state="predicted"][data-strokes="{len(strokes)}"]'
    wait_for(engine, f"{PART.format(done)} != null", PREDICTION_TIMEOUT_S, f"a prediction of {len(strokes)} strokes")
    return prediction(engine)


def clear(engine) -> None:
    """Clicks the pad's clear button; until the pad is empty again."""
    button = geometry(engine, "#clear")
    engine.stroke([(round(button["x"] + button["width"] / 2), round(button["y"] + button["height"] / 2))])
    empty = '#prediction[data-state="ready"][data-strokes="0"]'
    wait_for(engine, f"{PART.format(empty)} != null", PREDICTION_TIMEOUT_S, "an empty pad")


def digits_found(found: dict) -> list[int]:
    """Number mode: the digits of a prediction's data-digits, left to right."""
    return [d["digit"] for d in json.loads(found["digits"])]


def all_stored(dist: Path) -> str:
    """An expression that is true once sw.js has stored every file of the build in `dist` (in its cache for
    the build's version, "digit-pad-<version>"): it stores the files the page did not need at once later."""
    cache, count = precache.stored_site(dist)
    return f"caches.open('{cache}').then((cache) => cache.keys()).then((keys) => keys.length >= {count})"
