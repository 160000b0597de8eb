"""Drawing on the pad: the main thread's longest tasks (from a Chromium trace) during
boot and during live prediction, and the per-prediction latency the page records."""

from __future__ import annotations

import bisect
import json
import math
import statistics
import tempfile
import time
from pathlib import Path

from bench.loads import PAGE_READY, TIMEOUT_MS
from train import contract

TRACE_CATEGORIES = ["devtools.timeline", "disabled-by-default-devtools.timeline", "blink.user_timing"]
TASK_EVENTS = {"RunTask", "ThreadControllerImpl::RunTask"}
PAD_MARK = "digit-pad:pad"  # performance mark: from here on the pad takes strokes
MOVE_INTERVAL_S = 1 / 60  # a person's pointer: about one move per display frame
# The handwriting memory filled to its capacity (issue 37): the drawing on the pad taught again and again.
FILL_MEMORY = """async (capacity) => {
  const element = document.querySelector("digit-pad");
  let count = 0;
  for (let i = 0; i < capacity; i++) count = await element.teach(i % 10);
  return count;
}"""


def scribble(page, turn: int, points: int = 40, pad=None) -> None:
    """One stroke: a loop around the pad's centre (a different one each turn), one
    pointer move per display frame as a hand gives them. (Moves as fast as the
    DevTools protocol takes them would be several per frame, and would keep one of
    this machine's two cores busy with the test harness rather than the page.)
    `pad`: a locator of the pad to draw on (default: the page's one #pad)."""
    box = (pad or page.locator("#pad")).bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    radius = box["width"] * (0.15 + 0.05 * (turn % 4))
    mouse = page.mouse
    due = time.perf_counter()
    for i in range(points + 1):
        angle = 2 * math.pi * i / points + turn
        x, y = cx + radius * math.cos(angle), cy + 1.4 * radius * math.sin(2 * angle) / 2
        time.sleep(max(0.0, due - time.perf_counter()))
        due += MOVE_INTERVAL_S
        mouse.move(x, y)
        if i == 0:
            mouse.down()
    mouse.up()


def longest_main_thread_tasks(trace_path: Path) -> list[float]:
    """Durations (ms) of the tasks the page's main thread ran once the pad took strokes,
    longest first. Tasks that ran a script injected by the test harness itself (Playwright
    evaluates its helpers through the DevTools protocol: script events without a URL)
    are left out: a person's browser does not run them."""
    events = json.loads(trace_path.read_text())
    events = events["traceEvents"] if isinstance(events, dict) else events
    main_threads = {
        (e["pid"], e["tid"])
        for e in events
        if e.get("ph") == "M" and e.get("name") == "thread_name" and e.get("args", {}).get("name") == "CrRendererMain"
    }
    pad_ready = min((e["ts"] for e in events if e.get("name") == PAD_MARK), default=0)
    harness = sorted(
        (e["pid"], e["tid"], e["ts"])
        for e in events
        if e.get("name") == "EvaluateScript" and not e.get("args", {}).get("data", {}).get("url")
    )
    durations = []
    for e in events:
        thread = (e.get("pid"), e.get("tid"))
        if e.get("ph") != "X" or e.get("name") not in TASK_EVENTS or thread not in main_threads:
            continue
        if e["ts"] < pad_ready:
            continue
        first = bisect.bisect_left(harness, (*thread, e["ts"]))
        if first < len(harness) and harness[first][:2] == thread and harness[first][2] <= e["ts"] + e["dur"]:
            continue
        durations.append(e["dur"] / 1000)
    return sorted(durations, reverse=True)


def traced(browser, page, action) -> list[float]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "trace.json"
        browser.start_tracing(page=page, path=str(path), categories=TRACE_CATEGORIES)
        try:
            action()
        finally:
            browser.stop_tracing()
        return longest_main_thread_tasks(path)


def measure(playwright, chromium_path: str, url: str, args: list[str], predictions: int) -> dict:
    """Draws during boot, then until `predictions` predictions were made."""
    browser = playwright.chromium.launch(executable_path=chromium_path, args=args)
    try:
        page = browser.new_page()
        result: dict = {}

        def draw_while_booting():
            page.goto(url, wait_until="commit")
            page.wait_for_function("window.digitPad !== undefined", timeout=TIMEOUT_MS)
            turn = 0
            while page.evaluate(PAGE_READY.replace("!==", "===")):
                scribble(page, turn)
                turn += 1
                if turn % 3 == 0:
                    page.keyboard.press("Escape")
            result["boot_strokes"] = turn

        result["boot_tasks"] = traced(browser, page, draw_while_booting)
        page.wait_for_function(PAGE_READY, timeout=TIMEOUT_MS)
        page.keyboard.press("Escape")
        page.evaluate("window.digitPad.live.timings.length = 0")

        def draw_predicting():
            turn = 0
            while page.evaluate("window.digitPad.live.timings.length") < predictions:
                scribble(page, turn)
                turn += 1
                if turn % 3 == 0:
                    page.keyboard.press("Escape")

        result["drawing_tasks"] = traced(browser, page, draw_predicting)
        result["timings"] = page.evaluate("window.digitPad.timings()")[:predictions]
        # The same again with the handwriting memory full, then forgotten (the page's storage is this run's).
        scribble(page, 0)
        result["remembered"] = page.evaluate(FILL_MEMORY, contract.MEMORY["capacity"])
        page.keyboard.press("Escape")
        page.evaluate("window.digitPad.live.timings.length = 0")
        draw_predicting()
        result["timings_remembering"] = page.evaluate("window.digitPad.timings()")[:predictions]
        page.evaluate("document.querySelector('digit-pad').forget()")
        return result
    finally:
        browser.close()


def remembering_cost(drawn: dict) -> dict:
    """Median total per prediction without and with the memory full, and the difference (goal: ≤ 1 ms)."""
    without = statistics.median(t["total"] for t in drawn["timings"])
    with_memory = statistics.median(t["total"] for t in drawn["timings_remembering"])
    return {"remembered": drawn["remembered"], "without_ms": without, "with_ms": with_memory,
            "more_ms": with_memory - without}  # fmt: skip
