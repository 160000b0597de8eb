"""Storms of input on the main page's <digit-pad> (issue 39), shared by tests/page/test_storms.py
(short storms, behaviour) and bench/storms.py (full-size storms, figures).

Two ways to make input, each where it fits:
- Page-side pointer streams (`stream`, or `load` then `play`): PointerEvents dispatched on #pad by a
  timer in the page, paced by its clock, each event its own dispatch (no coalescing). The DevTools
  protocol cannot make them that fast: `Input.dispatchMouseEvent` waits for the page's next frame,
  about 60 events a second. The stream is harsher than a 1,000 Hz mouse, whose moves Chromium
  coalesces to one event per frame.
- Real input over the DevTools protocol (`Touch`, Playwright's page.mouse): several fingers with
  their own pointer ids, a browser's `pointercancel`, a mouse held while the viewport changes. Its
  pace is the page's frame rate.

`watch` records, in the page, the storm's last pointer event, its last stroke's end and each
prediction shown, so that the catch-up time (`catch_up_ms`) is measured by the page's own clock.
"""

from __future__ import annotations

import math
import time

# In the page: every prediction shown ([time, strokes]), the last stroke's end and the last pointer event
# on #pad (a second finger may lift after the stroke ended), by performance.now().
WATCH = """() => {
  const element = document.querySelector("digit-pad");
  const prediction = element.shadowRoot.getElementById("prediction");
  const pad = element.shadowRoot.getElementById("pad");
  const storm = (window.storm = { shown: [], strokeEnd: null, lastEvent: null });
  new MutationObserver(() => {
    const { state, strokes } = prediction.dataset;
    if (state === "predicted") storm.shown.push([performance.now(), Number(strokes)]);
  }).observe(prediction, { attributes: true, attributeFilter: ["data-state", "data-strokes"] });
  element.drawingPad.addEventListener("strokeend", () => (storm.strokeEnd = performance.now()));
  for (const type of ["pointerdown", "pointermove", "pointerup", "pointercancel"]) {
    pad.addEventListener(type, () => (storm.lastEvent = performance.now()), true);
  }
}"""

RESET = "() => Object.assign(window.storm, { shown: [], strokeEnd: null, lastEvent: null })"

# In the page: keeps `strokes` (arrays of [x, y] in pad fractions) as one mouse pointer's down, moves and up.
LOAD = """(strokes) => {
  const events = (window.storm.events = []);
  for (const points of strokes) {
    points.forEach(([x, y], i) => events.push([i === 0 ? "pointerdown" : "pointermove", x, y]));
    const [x, y] = points.at(-1);
    events.push(["pointerup", x, y]);
  }
}"""

# In the page: dispatches the loaded events on #pad, `rate` a second by the page's clock, from a task of
# their own (not the harness's); resolves with what it sent.
PLAY = """async (rate) => {
  const pad = document.querySelector("digit-pad").shadowRoot.getElementById("pad");
  const events = window.storm.events;
  let start = null;
  let sent = 0;
  await new Promise((done) => {
    const tick = () => {
      start ??= performance.now();
      const box = pad.getBoundingClientRect();
      const due = Math.min(events.length, Math.floor(((performance.now() - start) * rate) / 1000) + 1);
      for (; sent < due; sent++) {
        const [type, x, y] = events[sent];
        pad.dispatchEvent(new PointerEvent(type, {
          pointerId: 1, pointerType: "mouse", isPrimary: true, button: type === "pointermove" ? -1 : 0,
          buttons: type === "pointerup" ? 0 : 1, bubbles: true, cancelable: true, composed: true,
          clientX: box.left + x * box.width, clientY: box.top + y * box.height,
        }));
      }
      if (sent < events.length) setTimeout(tick, 0);
      else done();
    };
    setTimeout(tick, 0);
  });
  window.storm.events = [];
  return { events: events.length, ms: performance.now() - start };
}"""


def loop(turn: int, points: int) -> list[tuple[float, float]]:
    """A figure-of-eight around the pad's centre (a different one each turn), in pad fractions."""
    radius = 0.15 + 0.05 * (turn % 4)
    return [
        (
            0.5 + radius * math.cos(2 * math.pi * i / points + turn),
            0.5 + 0.7 * radius * math.sin(4 * math.pi * i / points),
        )
        for i in range(points)
    ]


def zigzag(points: int, rows: int = 40) -> list[tuple[float, float]]:
    """One long stroke back and forth across the pad, `points` points in pad fractions."""
    per_row = max(1, points // rows)
    out = []
    for i in range(points):
        row, along = divmod(i, per_row)
        x = 0.1 + 0.8 * (along / per_row if row % 2 == 0 else 1 - along / per_row)
        out.append((x, 0.1 + 0.8 * (row % rows) / rows))
    return out


def load(page, strokes: list[list[tuple[float, float]]]) -> None:
    """Gives the page `strokes` to dispatch (before a trace: the harness's own work is not the page's)."""
    page.evaluate(LOAD, strokes)


def play(page, rate: float) -> dict:
    """Dispatches the loaded strokes in the page at `rate` pointer events a second: {events, ms}."""
    return page.evaluate(PLAY, rate)


def stream(page, strokes: list[list[tuple[float, float]]], rate: float) -> dict:
    """Dispatches `strokes` in the page at `rate` pointer events a second: {events, ms}."""
    load(page, strokes)
    return play(page, rate)


def scribbling(seconds: float, rate: float, points_per_stroke: int = 250) -> list[list[tuple[float, float]]]:
    """Strokes that keep a pointer stream of `rate` events a second busy for `seconds`."""
    count = max(1, round(seconds * rate / (points_per_stroke + 1)))
    return [loop(turn, points_per_stroke) for turn in range(count)]


def watch(page) -> None:
    """Starts recording predictions and strokes' ends in the page (once per page)."""
    if not page.evaluate("window.storm !== undefined"):
        page.evaluate(WATCH)
    page.evaluate(RESET)


def catch_up_ms(page, strokes: int) -> float | None:
    """Ms from the storm's last pointer event to the first prediction shown that covers `strokes` strokes
    (0 when it was shown before that event; None: none shown since the last stroke ended)."""
    storm = page.evaluate("window.storm")
    end = storm["strokeEnd"]
    shown = [at for at, count in storm["shown"] if count == strokes and end is not None and at >= end]
    return max(0.0, min(shown) - storm["lastEvent"]) if shown else None


# Makes document.visibilityState (and document.hidden) say `state` and dispatches visibilitychange;
# null gives the browser's own back.
SET_VISIBILITY = """(state) => {
  if (state === null) {
    delete document.visibilityState;
    delete document.hidden;
    return;
  }
  Object.defineProperty(document, "visibilityState", { configurable: true, get: () => state });
  Object.defineProperty(document, "hidden", { configurable: true, get: () => state === "hidden" });
  document.dispatchEvent(new Event("visibilitychange"));
}"""


def hide_and_freeze(page, cdp, seconds: float) -> None:
    """The page told it is hidden, then frozen for `seconds` as Chromium freezes a tab in the background
    (CDP Page.setWebLifecycleState: no task, timer or frame runs), then made active and visible again.
    Headless Chromium has no hidden tabs: a minimized window or another tab in front leaves
    document.visibilityState "visible", so the state is patched and visibilitychange dispatched."""
    page.evaluate(SET_VISIBILITY, "hidden")
    cdp.send("Page.setWebLifecycleState", {"state": "frozen"})
    try:
        time.sleep(seconds)
    finally:
        cdp.send("Page.setWebLifecycleState", {"state": "active"})
        page.evaluate(SET_VISIBILITY, "visible")
        page.evaluate(SET_VISIBILITY, None)


def pad_box(page) -> dict:
    """#pad's box in the viewport (scrolled into view first when it is not wholly in it)."""
    from evaluate.pagekit import Pad

    return Pad(page).box()


class Touch:
    """Fingers on the pad over the DevTools protocol (`Input.dispatchTouchEvent`): real touch input,
    each finger its own pointer id. Positions are pad fractions."""

    def __init__(self, page) -> None:
        self.page = page
        self.cdp = page.context.new_cdp_session(page)
        self.down: dict[int, tuple[float, float]] = {}

    def _send(self, kind: str) -> None:
        box = pad_box(self.page)
        points = [
            {"x": box["x"] + x * box["width"], "y": box["y"] + y * box["height"], "id": finger}
            for finger, (x, y) in sorted(self.down.items())
        ]
        self.cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})

    def start(self, finger: int, at: tuple[float, float]) -> None:
        self.down[finger] = at
        self._send("touchStart")

    def move(self, **fingers: tuple[float, float]) -> None:
        """Moves fingers given as f0=(x, y), f1=(x, y)…"""
        for name, at in fingers.items():
            self.down[int(name[1:])] = at
        self._send("touchMove")

    def end(self, finger: int) -> None:
        """Lifts `finger` (Chromium ends the touch points a touchEnd lists; the others stay down)."""
        box = pad_box(self.page)
        x, y = self.down.pop(finger)
        point = {"x": box["x"] + x * box["width"], "y": box["y"] + y * box["height"], "id": finger}
        self.cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": [point]})

    def cancel(self) -> None:
        """The browser takes the touches over (a gesture): every finger gets `pointercancel`."""
        self.down.clear()
        self.cdp.send("Input.dispatchTouchEvent", {"type": "touchCancel", "touchPoints": []})

    def detach(self) -> None:
        self.cdp.detach()
