"""Time to ready under a phone's profile (issue 38): cold loads (a fresh browser context each) over
a 10 Mbit/s link with a 40 ms round trip (bench/phone_link.py, at the server, so that it slows the
page, its workers and its service worker alike) with the page's main thread slowed 4x by Chromium
(Emulation.setCPUThrottlingRate), beside bare Pyodide + numpy under the same profile, in the page
and in a worker. Chromium slows only a page's main thread: a worker's or a service worker's
target refuses the command ("Operation is only supported for pages, not workers"), so Python and
onnxruntime-web, in workers in the page as in the second reference, run at this machine's speed."""

from __future__ import annotations

import statistics
import threading
from pathlib import Path

from bench import loads, phone_link

CPU_SLOWDOWN = 4
TIMEOUT_MS = 600_000  # ~35 MB at 10 Mbit/s is half a minute; a slow patch of the machine, more
STAGES = ("python", "numpy", "model")
BEFORE_GOAL = 0.5  # issue 38: time to ready at most half of the page's before it
MARK_AT = "m => performance.getEntriesByName(m)[0]?.startTime ?? null"
# The error a page shows (loads.PAGE_ERROR), or a reference's failed state.
FAILED = f"({loads.PAGE_ERROR}) || (document.body.dataset.state === 'error' ? 'it failed to boot' : '')"


def load_cold(browser, url: str, ready: str, marks: list[str]) -> dict[str, float]:
    """One cold load in a fresh context with the page's main thread slowed: {mark: ms}."""
    context = browser.new_context()
    try:
        page = context.new_page()
        context.new_cdp_session(page).send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
        page.goto(url, timeout=TIMEOUT_MS)
        page.wait_for_function(ready, timeout=TIMEOUT_MS)
        error = page.evaluate(FAILED)
        if error:
            raise RuntimeError(f"{url} failed to load under the phone profile: {error}")
        return {mark: page.evaluate(MARK_AT, mark) for mark in marks}
    finally:
        context.close()


def measure(
    playwright, chromium: str, dist: Path, reference: Path, args: list[str], runs: int, before: Path | None = None
) -> dict:
    """`runs` cold loads of the page and of each reference, in turns; {name: [{mark: ms}]}. With `before` (the
    dist of an older build, e.g. the commit before issue 38), that page is loaded in the same turns ("before")."""
    servers = {"page": phone_link.make_server(dist), "reference": phone_link.make_server(reference)}
    if before is not None:
        servers["before"] = phone_link.make_server(before)
    for server in servers.values():
        threading.Thread(target=server.serve_forever, daemon=True).start()
    url = {name: f"http://127.0.0.1:{server.server_address[1]}/" for name, server in servers.items()}
    page_marks = ["digit-pad:ready", *(f"digit-pad:{s}:done" for s in STAGES)]
    pages = {
        "page": (url["page"], loads.PAGE_READY, page_marks),
        "bare": (url["reference"], loads.REFERENCE_READY, ["reference:ready"]),
        "bare in a worker": (url["reference"] + "reference-worker.html", loads.REFERENCE_READY, ["reference:ready"]),
    }
    if before is not None:
        pages["before"] = (url["before"], loads.PAGE_READY, page_marks)
    browser = playwright.chromium.launch(executable_path=chromium, args=args)
    try:
        results: dict = {name: [] for name in pages}
        for _ in range(runs):
            for name, (page_url, ready, marks) in pages.items():
                results[name].append(load_cold(browser, page_url, ready, marks))
        return results
    finally:
        browser.close()
        for server in servers.values():
            server.shutdown()
            server.server_close()


def summarize(results: dict) -> dict:
    """Medians in s: the page's ready and stages, the references', and the ratios."""

    def at(name: str, mark: str) -> float:
        return statistics.median(run[mark] for run in results[name]) / 1000

    page, bare = at("page", "digit-pad:ready"), at("bare", "reference:ready")
    worker = at("bare in a worker", "reference:ready")
    figures = {"runs": len(results["page"]), "page_s": page, "bare_s": bare, "bare_worker_s": worker,
               "ratio": page / bare, "worker_ratio": page / worker,
               "stages_s": {stage: at("page", f"digit-pad:{stage}:done") for stage in STAGES}}  # fmt: skip
    if "before" in results:
        figures["before_s"] = at("before", "digit-pad:ready")
    return figures


def report(f: dict) -> None:
    print(f"time to ready under a phone's profile (bench/phone.py), cold, median of {f['runs']}: "
          f"{phone_link.DOWNLOAD_MBIT_S} Mbit/s shared, {phone_link.ROUND_TRIP_MS} ms round trip, "
          f"the main thread {CPU_SLOWDOWN}x slower")  # fmt: skip
    stages = ", ".join(f"{name} {s:.2f} s" for name, s in f["stages_s"].items())
    print(f"  this page                {f['page_s']:6.2f} s   (stages done at: {stages})")
    print(f"  bare Pyodide + numpy     {f['bare_s']:6.2f} s   ratio {f['ratio']:.3f} "
          "(its Python on the slowed main thread)")  # fmt: skip
    print(f"  the same in a worker     {f['bare_worker_s']:6.2f} s   ratio {f['worker_ratio']:.3f} "
          "(like for like: the page's Python is in a worker too)")  # fmt: skip
    if "before_s" in f:
        ratio = f["page_s"] / f["before_s"]
        print(f"  the page before (--phone-before) {f['before_s']:6.2f} s   this page's ratio to it {ratio:.3f} "
              f"(goal ≤ {BEFORE_GOAL}: {'ok' if ratio <= BEFORE_GOAL else 'MISSED'})")  # fmt: skip
    print("  (Chromium slows only a page's main thread: workers run at this machine's speed. Goal: at most half of "
          "the page before issue 38: --phone-before, docs/figures.md)")  # fmt: skip
