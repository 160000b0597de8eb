"""The soak (issue 39): one page drawn on without pause for `predictions` predictions, in blocks (1,000 by
default), and what it holds and how fast it answers at each block's end. Memory is sampled at 0 and after each
block with both measures of bench/memory.py (the renderer's RSS; measureUserAgentSpecificMemory per realm);
the prediction p95 (the page's own `total` per prediction, predictor.js) is that of each block.

The blocks (`plan`): the first two and the last in Digit mode with Grad-CAM on (the main page's default), the
same settings, so that the last is compared with the second (the first warms up); those between switch what
a long afternoon would: the MLP ticked and the layers view on (Digit mode), then Number mode (the MLP ticked
for its first half). Growth is read between the end of the first block and the end of the last one.

The page keeps only its last 500 timings: they are taken (and removed) after every stroke.

With `--soak-plain`, every block is the first's (Digit mode, Grad-CAM on, nothing switched): what use alone
adds, apart from what switching features on brings in and keeps. With `--soak-mixed`, every block uses every
feature in turn, a quarter each (Digit mode; with the MLP and the layers view; Number mode with the MLP; Number
mode alone): the first block pays each feature's first use, and growth after it is what using them again adds
(the MLP's worker is started and let go in every block).

`python3 build.py bench --soak [--soak-predictions N] [--soak-block N] [--soak-plain | --soak-mixed]`."""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass

from bench import memory
from bench.drawing import scribble
from bench.loads import TIMEOUT_MS
from bench.number import PITCH, densified, stroke_at_pace, written
from evaluate.pagekit import Pad, error_text, open_page, wait_ready
from train import contract

GOALS = {"growth_mb": 20, "p95_ratio": 1.10}
VIEWPORT = {"width": 1280, "height": 900}  # Number mode's pad is 840 CSS pixels wide
DIGITS_PER_NUMBER = 4  # Number mode: digits written before the pad is cleared
# The timings the page recorded since the last call (their totals, ms), removed from it.
TAKE_TOTALS = "window.digitPad.live.timings.splice(0).map((t) => t.total)"
BITMAP_WIDTH = {"digit": contract.BITMAP_SIZE, "number": contract.NUMBER_BITMAP_WIDTH}  # the ink bitmap's


@dataclass(frozen=True)
class Settings:
    """What the page is asked to do while drawing: the mode, the MLP alongside, the layers view."""

    mode: str = "digit"
    mlp: bool = False
    layers: bool = False

    def label(self) -> str:
        extras = [name for name, on in (("MLP", self.mlp), ("layers", self.layers)) if on]
        return " + ".join([self.mode.capitalize(), *extras])


PLAIN = Settings()


MIXED = (PLAIN, Settings(mlp=True, layers=True), Settings(mode="number", mlp=True), Settings(mode="number"))


def plan(blocks: int, plain: bool = False, mixed: bool = False) -> list[tuple[Settings, ...]]:
    """Each block's settings, for its equal parts in turn (`plain`: Digit mode with Grad-CAM throughout; `mixed`:
    every block is MIXED)."""
    middle = [
        (Settings(mlp=True), Settings(mlp=True, layers=True)),
        (Settings(mode="number", mlp=True), Settings(mode="number")),
    ]
    out = []
    for block in range(blocks):
        if mixed:
            out.append(MIXED)
        elif plain or block < 2 or block == blocks - 1:
            out.append((PLAIN, PLAIN))
        else:
            out.append(middle[(block - 2) % len(middle)])
    return out


def apply(page, pad: Pad, old: Settings, new: Settings) -> None:
    """Switches the page's controls from `old` to `new` and waits until they took effect."""
    if new.mode != old.mode:
        page.select_option("#mode", new.mode)
        pad.find(f'#pad[data-bitmap-width="{BITMAP_WIDTH[new.mode]}"]').wait_for(state="attached")
    if new.mlp != old.mlp:
        page.set_checked("#compare-mlp", new.mlp)
        state = "ready" if new.mlp else "off"
        page.wait_for_function(
            f"document.querySelector('#prediction-mlp').dataset.state === '{state}'", timeout=TIMEOUT_MS
        )
    if new.layers != old.layers:
        page.set_checked("#layers-show", new.layers)
    page.keyboard.press("Escape")
    pad.box()  # the pad scrolled back into view (the controls are below it)


def draw_stroke(page, pad: Pad, mode: str, turn: int) -> None:
    """One stroke, at a hand's pace: a loop in Digit mode; in Number mode the next digit of a number
    written left to right, the pad cleared every DIGITS_PER_NUMBER digits."""
    if mode == "digit":
        scribble(page, turn)
        if turn % 3 == 2:
            page.keyboard.press("Escape")
        return
    place = turn % DIGITS_PER_NUMBER
    for points in pad.on_screen(written(turn % 10, 20.0 + place * PITCH)):
        stroke_at_pace(page, pad, densified(points))
    if place == DIGITS_PER_NUMBER - 1:
        page.keyboard.press("Escape")


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def measure(
    playwright,
    chromium: str,
    url: str,
    args: list[str],
    predictions: int,
    block: int = 1000,
    plain: bool = False,
    mixed: bool = False,
) -> dict:
    """{"samples": [{predictions, seconds, rss, anon, js}], "blocks": [{settings, predictions, p95, median}],
    "restarts", "errors"}. `plain`, `mixed`: which plan (see `plan`)."""
    blocks = max(1, predictions // block)
    browser = playwright.chromium.launch(executable_path=chromium, args=[*args, *memory.MEMORY_ARGS])
    try:
        session = open_page(browser, url, viewport=VIEWPORT)
        page = session.page
        if wait_ready(page) != "ready":
            raise SystemExit(f"the page did not become ready: {error_text(page)}")
        if page.is_hidden("#gradcam-show"):
            raise SystemExit("the page offers no Grad-CAM: the soak wants it on")
        page.set_checked("#gradcam-show", True)  # on by default; made sure of
        pad = Pad(page)
        pid = memory.renderer_pid(browser, page)
        started = time.monotonic()
        page.evaluate("window.digitPad.live.timings.length = 0")
        samples = [{"predictions": 0, "seconds": 0.0, **memory.sample(page, pid)}]
        result: dict = {"pid": pid, "samples": samples, "blocks": []}
        current, turn, count = PLAIN, 0, 0
        for index, parts in enumerate(plan(blocks, plain, mixed)):
            totals: list[float] = []
            for part, settings in enumerate(parts):
                apply(page, pad, current, settings)
                current = settings
                goal = block * (part + 1) // len(parts)
                while len(totals) < goal:
                    draw_stroke(page, pad, current.mode, turn)
                    turn += 1
                    totals += page.evaluate(TAKE_TOTALS)
            time.sleep(0.5)  # the last answer in
            totals += page.evaluate(TAKE_TOTALS)
            count += len(totals)
            label = " / ".join(dict.fromkeys(s.label() for s in parts))
            result["blocks"].append({"settings": label, "predictions": len(totals), "p95": p95(totals),
                                     "median": statistics.median(totals)})  # fmt: skip
            samples.append({"predictions": count, "seconds": time.monotonic() - started,
                            **memory.sample(page, pid)})  # fmt: skip
            print(f"  block {index + 1}/{blocks} ({label}): {len(totals)} predictions, p95 {p95(totals):.2f} ms, "
                  f"renderer {samples[-1]['rss']:.0f} MB, {samples[-1]['seconds']:.0f} s in", flush=True)  # fmt: skip
        result["restarts"] = page.evaluate("window.digitPad.restarts()")
        result["errors"] = session.console_errors
        return result
    finally:
        browser.close()


def growth(first: dict, last: dict) -> dict[str, float | None]:
    """MB gained by each process from sample `first` to `last`; the inference workers' (summed) only when both
    samples have as many, else None."""
    js_first, js_last = first["js"], last["js"]
    same = len(js_first["inference"]) == len(js_last["inference"])
    return {
        "renderer RSS": last["rss"] - first["rss"],
        "page": js_last["page"] - js_first["page"],
        "Python worker": js_last["python"] - js_first["python"],
        "inference worker(s)": sum(js_last["inference"]) - sum(js_first["inference"]) if same else None,
    }


def growth_line(first: dict, last: dict) -> str:
    cells = []
    for name, mb in growth(first, last).items():
        if mb is None:
            cells.append(f"{name} n/a (a worker more or less)")
        else:
            cells.append(f"{name} {mb:+.1f} MB ({'ok' if mb <= GOALS['growth_mb'] else 'MISSED'})")
    return f"from {first['predictions']:,} to {last['predictions']:,} predictions: " + ", ".join(cells)


def last_worker_started(samples: list[dict]) -> int:
    """The index of the first sample with the inference workers the last one has (none started since)."""
    at = len(samples) - 1
    while at > 0 and len(samples[at - 1]["js"]["inference"]) == len(samples[-1]["js"]["inference"]):
        at -= 1
    return at


def report(f: dict) -> None:
    samples, blocks = f["samples"], f["blocks"]
    size = blocks[0]["predictions"] if blocks else 0
    print(f"soak (bench/soak.py): {samples[-1]['predictions']:,} predictions in one page, drawing without pause, "
          f"blocks of about {size:,}, Grad-CAM on; memory at each block's end, MB (renderer: its RSS and private "
          "part; page, Python, inference: measureUserAgentSpecificMemory)")  # fmt: skip
    print("  predictions   time  block's settings                      p95  median    renderer  private    page  Python"
          "  inference")  # fmt: skip
    for at, s in enumerate(samples):
        js = s["js"]
        if at == 0:
            row = f"{'(ready)':<34} {'':>7} {'':>7}"
        else:
            b = blocks[at - 1]
            row = f"{b['settings']:<34} {b['p95']:7.2f} {b['median']:7.2f}"
        each = " + ".join(f"{mb:.1f}" for mb in js["inference"]) or "-"
        print(f"  {s['predictions']:11,} {s['seconds']:5.0f} s  {row}  {s['rss']:9.1f} {s['anon']:8.1f}"
              f" {js['page']:7.1f} {js['python']:7.1f}  {each}")  # fmt: skip
    first_at = 1 if len(samples) > 2 else 0
    first = samples[first_at]
    print(f"  growth (goal ≤ {GOALS['growth_mb']} MB per process) {growth_line(first, samples[-1])}")
    steady = last_worker_started(samples)
    if first_at < steady < len(samples) - 1:
        print(f"  growth since the last worker started (the MLP's: it stays once ticked) "
              f"{growth_line(samples[steady], samples[-1])}")  # fmt: skip
    if len(blocks) >= 3:
        ratio = blocks[-1]["p95"] / blocks[1]["p95"]
        verdict = "ok" if ratio <= GOALS["p95_ratio"] else "MISSED"
        print(f"  p95: the last block {blocks[-1]['p95']:.2f} ms against the second's {blocks[1]['p95']:.2f} ms: "
              f"×{ratio:.3f} (goal ≤ ×{GOALS['p95_ratio']:.2f}: {verdict})")  # fmt: skip
    else:
        print("  p95: fewer than three blocks, the last is not compared with the second")
    print(f"  workers restarted: {len(f['restarts'])}; console errors: {len(f['errors'])}")
    for error in f["errors"][:5]:
        print(f"    error: {error}")
