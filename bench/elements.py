"""<digit-pad> in a host page: start-up and per-prediction cost of one and of three
elements on one page, served with and without the cross-origin isolation headers.

A temporary web root holds the built site at /site/ and the host pages at /host/, the
way another page of the same origin embeds the element (embed.html's two lines). The
three-element page holds the CNN, the MLP and the CNN again: two models, so the third
element shares the first one's worker, and all three share one Python worker.

- Start-up: cold and warm loads (loads.cold_and_warm), to the pad taking strokes and
  to the first and the last element's digit-pad:ready (marks host:first-ready and
  host:all-ready, set by the host page).
- Per prediction: scribbles drawn on each element in turn, one element at a time as a
  person draws; each element's own timings, and the longest main-thread task meanwhile.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from bench import loads
from bench.drawing import scribble, traced

COUNTS = {"one element": ["cnn"], "three elements": ["cnn", "mlp", "cnn"]}
MARKS = ["digit-pad:pad", "host:first-ready", "host:all-ready"]
ELEMENT_WIDTH_PX = 300  # three side by side in the default 1280 px viewport

HOST_PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Benchmark host: {count} digit pad(s)</title>
  <link rel="icon" href="data:,">
  <script type="module" src="../site/js/element/digit-pad.js"></script>
  <script>
    let ready = 0;
    document.addEventListener("digit-pad:ready", () => {{
      ready += 1;
      if (ready === 1) performance.mark("host:first-ready");
      if (ready === {count}) {{
        performance.mark("host:all-ready");
        document.body.dataset.state = "ready";
      }}
    }});
    document.addEventListener("digit-pad:error", (event) => {{
      document.body.dataset.state = "error";
      document.body.dataset.error = event.detail.message;
    }});
  </script>
  <style>body {{ display: flex; gap: 16px; margin: 8px; }} digit-pad {{ width: {width}px; }}</style>
</head>
<body data-state="loading">
{elements}
</body>
</html>
"""


def host_site(dist: Path) -> Path:
    """A temporary web root: dist/ at /site/, one host page per element count at /host/."""
    root = Path(tempfile.mkdtemp(prefix="digit-pad-hosts-"))
    (root / "site").symlink_to(dist, target_is_directory=True)
    (root / "host").mkdir()
    for name, models in COUNTS.items():
        elements = "\n".join(f'  <digit-pad model="{model}"></digit-pad>' for model in models)
        page = HOST_PAGE.format(count=len(models), width=ELEMENT_WIDTH_PX, elements=elements)
        (root / "host" / page_name(name)).write_text(page)
    return root


def page_name(count: str) -> str:
    return count.replace(" ", "-") + ".html"


def start_up(playwright, chromium: str, urls: dict[str, str], runs: int) -> dict:
    """{variant: {"cold": [...], "warm": [...]}} of load_once results, for each variant
    "<count>, <isolation>" of the element counts and of `urls` ({isolation: site root URL})."""
    pages = {
        f"{count}, {isolation}": (url + "host/" + page_name(count), loads.REFERENCE_READY, MARKS)
        for isolation, url in urls.items()
        for count in COUNTS
    }
    loaded = loads.cold_and_warm(playwright, chromium, pages, runs)
    for variant, kinds in loaded.items():
        for run in kinds["cold"] + kinds["warm"]:
            if run["times"]["host:all-ready"] is None:
                raise RuntimeError(f"{variant}: not every element became ready")
    return loaded


def per_prediction(playwright, chromium: str, args: list[str], urls: dict[str, str], predictions: int) -> dict:
    """{variant: {"timings": [per element: [timing...]], "tasks": [ms, longest first]}}:
    `predictions` predictions drawn on each element of each variant, in turn."""
    results = {}
    browser = playwright.chromium.launch(executable_path=chromium, args=args)
    try:
        for isolation, url in urls.items():
            for count, models in COUNTS.items():
                page = browser.new_page()
                page.goto(url + "host/" + page_name(count))
                page.wait_for_function(loads.REFERENCE_READY, timeout=loads.TIMEOUT_MS)
                if page.evaluate("document.body.dataset.state") != "ready":
                    raise RuntimeError(f"{count}, {isolation}: {page.evaluate('document.body.dataset.error')}")
                timings: list[list[dict]] = []

                def draw_on_each(page=page, models=models, timings=timings):
                    for index in range(len(models)):
                        timings.append(draw_until(page, index, predictions))

                tasks = traced(browser, page, draw_on_each)
                results[f"{count}, {isolation}"] = {"models": models, "timings": timings, "tasks": tasks}
                page.close()
    finally:
        browser.close()
    return results


def draw_until(page, index: int, predictions: int) -> list[dict]:
    """Scribbles on element `index` until it made `predictions` predictions; their timings."""
    element = page.locator("digit-pad").nth(index)
    pad = element.locator("#pad")
    count = "e => e.predictor.timings.length"
    element.evaluate("e => { e.predictor.timings.length = 0; }")
    turn = 0
    while element.evaluate(count) < predictions:
        scribble(page, turn, pad=pad)
        turn += 1
        if turn % 3 == 0:
            pad.press("Escape")  # the pad has the focus after drawing on it: Escape clears it
    return element.evaluate("e => e.timings")[:predictions]


def measure(playwright, chromium: str, urls: dict[str, str], args: list[str], runs: int, predictions: int) -> dict:
    """Start-up ("loads") and per-prediction ("drawn") figures of every variant; `urls`:
    {"isolated": ..., "no isolation": ...}, the root of a host_site served each way."""
    return {
        "loads": start_up(playwright, chromium, urls, runs),
        "drawn": per_prediction(playwright, chromium, args, urls, predictions),
    }
