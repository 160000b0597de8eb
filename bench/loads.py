"""Page loads: time to ready, cold and warm, against bare Pyodide; bytes per asset group."""

from __future__ import annotations

import shutil
import tempfile
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

from toolchain import CHROMIUM_ARGS

# The page's <digit-pad> has left `loading` (its `state` is undefined until it is defined).
PAGE_READY = "(document.querySelector('digit-pad')?.state ?? 'loading') !== 'loading'"
# The error a page shows: the element's #error (in its shadow root), else one of the page's own.
PAGE_ERROR = """(document.querySelector('digit-pad')?.shadowRoot?.querySelector('#error')
                 ?? document.querySelector('#error'))?.textContent || ''"""
REFERENCE_READY = "document.body.dataset.state !== 'loading'"
TIMEOUT_MS = 120_000

# Asset groups for the byte count: first matching path prefix wins.
GROUPS = [
    ("numpy wheel", "/vendor/pyodide/numpy-"),
    ("Pyodide", "/vendor/pyodide/"),
    ("onnxruntime-web", "/vendor/ort/"),
    ("PyScript", "/vendor/pyscript/"),
    ("model", "/models/"),
    ("page (html, css, js, py)", "/"),
]


def group_of(url: str) -> str:
    path = urlsplit(url).path
    return next(name for name, prefix in GROUPS if path.startswith(prefix))


def reference_site(dist: Path) -> Path:
    """A folder with the bare reference pages beside dist's Pyodide, onnxruntime-web and models (same
    files, same server): index.html boots Pyodide in the page, reference-worker.html in a worker, and
    reference-ort.html runs the CNN in a bare onnxruntime-web worker."""
    folder = Path(tempfile.mkdtemp(prefix="digit-pad-reference-"))
    (folder / "vendor").mkdir()
    for shared in ("vendor/pyodide", "vendor/ort", "models"):
        (folder / shared).symlink_to(dist / shared)
    here = Path(__file__).parent
    shutil.copy2(here / "reference.html", folder / "index.html")
    for name in ("reference-worker.html", "reference-worker.mjs", "reference-ort.html", "reference-ort.mjs"):
        shutil.copy2(here / name, folder / name)
    return folder


def load_once(
    playwright, chromium: str, profile: Path, url: str, ready: str, marks: list[str], stay_s: float = 0.0
) -> dict:
    """One load in a persistent profile: the performance marks (ms) and the bytes per group. The page is left open
    `stay_s` seconds after ready, as a visitor who draws a little would (sw.js stores the rest meanwhile)."""
    context = playwright.chromium.launch_persistent_context(
        str(profile), executable_path=chromium, args=CHROMIUM_ARGS, headless=True
    )
    try:
        page = context.pages[0] if context.pages else context.new_page()
        finished = []
        context.on("requestfinished", lambda request: finished.append(request))
        page.goto(url)
        page.wait_for_function(ready, timeout=TIMEOUT_MS)
        error = page.evaluate(PAGE_ERROR)
        if error:
            raise RuntimeError(f"the page failed to load: {error}")
        times = {
            mark: page.evaluate("m => performance.getEntriesByName(m)[0]?.startTime ?? null", mark) for mark in marks
        }
        transferred: Counter = Counter()
        for request in finished:
            if not request.url.startswith("http"):
                continue  # the worker's blob: script, made in the page
            sizes = request.sizes()
            transferred[group_of(request.url)] += sizes["responseBodySize"] + sizes["responseHeadersSize"]
        page.wait_for_timeout(stay_s * 1000)
        return {"times": times, "bytes": dict(transferred)}
    finally:
        context.close()


def cold_and_warm(
    playwright,
    chromium: str,
    pages: dict[str, tuple[str, str, list[str]]],
    runs: int,
    visits=("cold", "warm"),
    stay_s: float = 0.0,
) -> dict:
    """For each page (name: (url, ready condition, performance marks)), `runs` cold loads,
    each in a fresh profile and followed by a warm load in that profile (and a third, "third", when `visits`
    names it: the browser keeps the code it compiles from sw.js's cache for the visit after the one that compiled
    it). Each visit stays `stay_s` seconds after ready (load_once). The pages take turns, so that a slow patch of
    the machine does not fall on one page only."""
    results: dict = {name: {kind: [] for kind in visits} for name in pages}
    for _ in range(runs):
        for name, (url, ready, marks) in pages.items():
            profile = Path(tempfile.mkdtemp(prefix="digit-pad-profile-"))
            try:
                for kind in visits:
                    results[name][kind].append(load_once(playwright, chromium, profile, url, ready, marks, stay_s))
            finally:
                shutil.rmtree(profile, ignore_errors=True)
    return results
