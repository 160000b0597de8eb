"""Storms of input at full size (issue 39), on the main page with a Chromium trace: per storm the
longest main-thread task, the tasks over 100 ms, and the time from the storm's last pointer event to
the first answer that covers its last stroke. The storms are made as in tests/page/test_storms.py
(bench/storm_drivers.py says how); the tests check what the pad keeps, this prints how fast.

`python3 build.py bench --storms`."""

from __future__ import annotations

import time
from collections.abc import Callable

from bench import storm_drivers as storms
from bench.drawing import traced
from evaluate.pagekit import Pad, error_text, open_page, wait_ready

GOALS = {"task_ms": 100, "catch_up_ms": 1000}
RATE = 1000  # pointer events a second
CATCH_UP_TIMEOUT_MS = 30_000


# Each storm prepares what the page needs untraced, and returns the strokes it will leave and the traced part.
Storm = Callable[[object], tuple[int, Callable[[], None]]]


def streamed(strokes: list[list[tuple[float, float]]]) -> Storm:
    """A page-side stream of `strokes` at 1,000 events a second."""

    def storm(page) -> tuple[int, Callable[[], None]]:
        storms.load(page, strokes)
        return len(strokes), lambda: storms.play(page, RATE)

    return storm


def two_fingers(page) -> tuple[int, Callable[[], None]]:
    """A second finger, landed after the first, rests on the pad and moves while the first draws 10 strokes
    (about 5 s): only the first finger's strokes are kept."""

    def run() -> None:
        touch = storms.Touch(page)
        try:
            for stroke in range(10):
                touch.start(0, (0.2, 0.3))
                if stroke == 0:
                    touch.start(1, (0.85, 0.85))  # lands once the first draws, and stays down
                for i in range(30):
                    touch.move(f0=(0.2 + i / 50, 0.3 + 0.04 * stroke), f1=(0.85, 0.85 - i / 100))
                touch.end(0)
            touch.end(1)
        finally:
            touch.detach()

    return 10, run


def cancelled_strokes(page) -> tuple[int, Callable[[], None]]:
    """20 touch strokes, each taken over by the browser (pointercancel) half-way: each is kept as drawn."""

    def run() -> None:
        touch = storms.Touch(page)
        try:
            for turn in range(20):
                points = storms.loop(turn, 40)
                touch.start(0, points[0])
                for at in points[1:20]:
                    touch.move(f0=at)
                touch.cancel()
        finally:
            touch.detach()

    return 20, run


def turning(page) -> tuple[int, Callable[[], None]]:
    """One mouse stroke while the screen turns 10 times (landscape, portrait), 20 moves between turns."""

    def run() -> None:
        pad, sizes = Pad(page), [(390, 844), (844, 390)]
        try:
            for turn in range(10):
                page.set_viewport_size(dict(zip(("width", "height"), sizes[turn % 2], strict=True)))
                box = pad.box()
                for i, (x, y) in enumerate(storms.loop(turn, 20)):
                    page.mouse.move(box["x"] + x * box["width"], box["y"] + y * box["height"])
                    if turn == 0 and i == 0:
                        page.mouse.down()
            page.mouse.up()
        finally:
            page.set_viewport_size({"width": 1280, "height": 720})

    return 1, run


def hidden(page) -> tuple[int, Callable[[], None]]:
    """A touch stroke during which the page is hidden and frozen for 10 s (storm_drivers.hide_and_freeze)."""

    def run() -> None:
        touch = storms.Touch(page)
        points = storms.loop(0, 40)
        try:
            touch.start(0, points[0])
            for at in points[1:20]:
                touch.move(f0=at)
            storms.hide_and_freeze(page, touch.cdp, seconds=10)
            for at in points[20:]:
                touch.move(f0=at)
            touch.end(0)
        finally:
            touch.detach()

    return 1, run


STORMS: dict[str, Storm] = {
    "1,000 events/s for 30 s": streamed(storms.scribbling(seconds=30, rate=RATE, points_per_stroke=250)),
    "two fingers, 10 strokes": two_fingers,
    "pointercancel mid-stroke, 20x": cancelled_strokes,
    "a stroke of 20,000 points": streamed([storms.zigzag(20_000)]),  # 20 s at 1,000 events a second
    "300 strokes in one drawing": streamed([storms.loop(turn, 8) for turn in range(300)]),
    "screen turned 10x mid-stroke": turning,
    "hidden + frozen 10 s mid-stroke": hidden,
}


def run_storm(browser, page, storm: Storm) -> dict:
    """Runs `storm` on a cleared pad, traced until the answer covers its last stroke."""
    pad = Pad(page)
    pad.clear()
    storms.watch(page)
    result: dict = {}
    result["strokes"], run = storm(page)

    def action() -> None:
        started = time.monotonic()
        run()
        result["seconds"] = time.monotonic() - started
        pad.find(f'#prediction[data-state="predicted"][data-strokes="{result["strokes"]}"]').wait_for(
            state="attached", timeout=CATCH_UP_TIMEOUT_MS
        )

    tasks = traced(browser, page, action)
    if not tasks:
        raise RuntimeError("the trace holds no task of the page's main thread")
    result["kept"] = page.evaluate("window.digitPad.pad.strokes.length")
    result["catch_up_ms"] = storms.catch_up_ms(page, result["strokes"])
    result["longest_ms"] = tasks[0] if tasks else 0.0
    result["over_100ms"] = sum(t > GOALS["task_ms"] for t in tasks)
    return result


def measure(playwright, chromium: str, url: str, args: list[str]) -> dict:
    """{storm: {strokes, kept, seconds, longest_ms, over_100ms, catch_up_ms, errors}}, one page for all."""
    browser = playwright.chromium.launch(executable_path=chromium, args=args)
    try:
        session = open_page(browser, url, viewport={"width": 1280, "height": 720})
        if wait_ready(session.page) != "ready":
            raise SystemExit(f"the page did not become ready: {error_text(session.page)}")
        figures = {}
        for name, storm in STORMS.items():
            print(f"  {name}…", flush=True)
            errors = len(session.console_errors)
            figures[name] = run_storm(browser, session.page, storm)
            figures[name]["errors"] = session.console_errors[errors:]
        figures["restarts"] = session.page.evaluate("window.digitPad.restarts()")
        return figures
    finally:
        browser.close()


def report(f: dict) -> None:
    def verdict(ok: bool) -> str:
        return "ok" if ok else "MISSED"

    task_goal, catch_goal = GOALS["task_ms"], GOALS["catch_up_ms"]
    print(f"storms of input (bench/storms.py; goals: no main-thread task over {task_goal} ms, the answer covering "
          f"the last stroke within {catch_goal} ms of the storm's last event)")  # fmt: skip
    print("                                    took   strokes   longest task   tasks over   catch-up")
    print(f"                                           kept      (ms)           {task_goal} ms       (ms)")
    for name, s in f.items():
        if name == "restarts":
            continue
        catch = s["catch_up_ms"]
        catch_text = "   none" if catch is None else f"{catch:7.0f}"
        ok = s["over_100ms"] == 0 and catch is not None and catch <= catch_goal and not s["errors"]
        print(f"  {name:<32} {s['seconds']:5.1f} s  {s['kept']:4d}/{s['strokes']:<4d} {s['longest_ms']:9.1f}"
              f"      {s['over_100ms']:5d}      {catch_text}   {verdict(ok)}")  # fmt: skip
        for error in s["errors"]:
            print(f"    error: {error}")
    print(f"  workers restarted during the storms: {len(f['restarts'])}")
