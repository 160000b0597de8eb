"""While it downloads, the page says how far it is (issue 38): a bar with the megabytes done and left for
the runtime and the model, counted in the workers byte by byte as the bodies arrive, a few steps said to
screen readers, the pad drawn on meanwhile and never moved, and the bar gone once the model is ready.

The contract (inside the element's shadow root): `#progress` (::part(progress), hidden unless downloading) has
`data-done` and `data-total` (bytes), `#progress-bar` is its <progress>, `#progress-text` the figures in words.

The network is slowed by the server itself: every response body trickles out at RATE bytes a second,
whichever of the page's targets (the page, PyScript's worker, onnxruntime's worker, the service worker)
asked for it."""

from __future__ import annotations

import functools
import json
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from evaluate.pagekit import Pad, error_text, open_page, wait_ready
from webapp.server import DistHandler, DistServer

pytestmark = pytest.mark.e2e

RATE = 1_500_000  # bytes a second per response, on the wire (bodies are sent compressed where they shrink)
CHUNK = 32_768
PHONE = {"width": 390, "height": 844}  # the phone layout: the bar sits under the pad
SHOWN = re.compile(r"^(\d+\.\d) of (\d+\.\d) MB, (\d+\.\d) MB left$")
SAID = re.compile(r"^Downloading: (25|50|75) percent, \d+\.\d of \d+\.\d MB\.$|^Downloaded: \d+\.\d MB\.$")
ONE = [(0.5, 0.2), (0.5, 0.5), (0.5, 0.8)]
BAR_NAME = "Downloading Python, numpy, onnxruntime and the model"

# Installed once the element exists: every change of the bar and of the live region, in order, with
# where the pad is at that moment.
RECORDER = """host => {
  const root = document.querySelector(host).shadowRoot;
  const [box, bar, text] = ["progress", "progress-bar", "progress-text"].map(id => root.getElementById(id));
  const announcer = root.getElementById("announcer"), pad = root.getElementById("pad");
  const log = window.progressLog = { shown: [], said: [] };
  const record = () => log.shown.push({
    hidden: box.hidden, done: Number(box.dataset.done), total: Number(box.dataset.total), text: text.textContent,
    value: bar.value, max: bar.max, valuetext: bar.getAttribute("aria-valuetext"),
    padTop: pad.getBoundingClientRect().top,
  });
  new MutationObserver(record).observe(box, { attributes: true, childList: true, subtree: true, characterData: true });
  const said = () => log.said.push(announcer.textContent);
  new MutationObserver(said).observe(announcer, { childList: true, subtree: true });
  record();
}"""


class SlowHandler(DistHandler):
    """build.py's own server, on a slow network."""

    quiet = True

    def copyfile(self, source, outputfile) -> None:
        while chunk := source.read(CHUNK):
            outputfile.write(chunk)
            time.sleep(len(chunk) / RATE)


@pytest.fixture(scope="module")
def slow_url(dist: Path) -> Iterator[str]:
    server = DistServer(("127.0.0.1", 0), functools.partial(SlowHandler, directory=str(dist)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def needed_bytes(dist: Path, model: str) -> int:
    """What the page needs before it reads: the runtime's folders and the model, from the build's list."""
    files = json.loads((dist / "precache.json").read_text())["files"]
    wanted = ("vendor/pyodide/", "vendor/ort/")
    return sum(f["size"] for f in files if f["path"].startswith(wanted) or f["path"] == f"models/{model}.onnx")


def test_a_bar_counts_the_megabytes_as_they_arrive_and_goes_once_ready(browser, slow_url, dist):
    session = open_page(browser, "about:blank", viewport=PHONE)
    page = session.page
    try:
        page.goto(slow_url)
        page.wait_for_function("document.querySelector('#digit-pad')?.shadowRoot?.getElementById('progress')")
        page.evaluate(RECORDER, "#digit-pad")
        pad = Pad(page)
        pad.find("#progress:not([hidden])").wait_for(timeout=30_000)
        assert page.get_by_role("progressbar", name=BAR_NAME).count() == 1  # what a screen reader finds
        box = pad.box()
        pad.stroke([(x * box["width"], y * box["height"]) for x, y in ONE])  # the pad takes strokes meanwhile
        assert wait_ready(page) == "predicted", error_text(page)
        assert pad.prediction()["strokes"] == 1
        assert pad.find("#progress").is_hidden()
        log = page.evaluate("window.progressLog")
    finally:
        session.context.close()

    shown = [entry for entry in log["shown"] if not entry["hidden"]]
    total = needed_bytes(dist, "cnn")
    assert shown and all(entry["total"] == total and entry["max"] == total for entry in shown)
    done = [entry["done"] for entry in shown]
    assert done == sorted(done), "the megabytes done never go back"
    assert done[-1] == total
    between = {d for d in done if 0 < d < total}
    assert len(between) > 10, f"more steps than the 10 files it counts: bytes within files ({len(between)})"
    for entry in shown:
        assert entry["value"] == entry["done"]
        figures = SHOWN.match(entry["text"])
        if entry["done"] == total:
            assert entry["text"] == f"{total / 1e6:.1f} of {total / 1e6:.1f} MB: downloaded"
            continue
        assert figures, entry["text"]
        mb_done, mb_total, mb_left = map(float, figures.groups())
        assert (mb_done, mb_total) == (round(entry["done"] / 1e6, 1), round(total / 1e6, 1))
        assert mb_left == round((total - entry["done"]) / 1e6, 1)
        assert entry["valuetext"] == f"{mb_done:.1f} of {mb_total:.1f} MB"
    assert len({entry["padTop"] for entry in log["shown"]}) == 1, "the pad moved while the bar showed or went"

    said = [text for text in log["said"] if text.startswith("Download")]
    assert 2 <= len(said) <= 4, said  # a few steps, not every chunk
    assert all(SAID.match(text) for text in said), said
    steps = [int(re.search(r"(\d+) percent", text)[1]) if "percent" in text else 100 for text in said]
    assert steps == sorted(set(steps)) and steps[-1] == 100, said
    assert log["said"][-1] != said[-1], "the network's being ready is said after the downloads"
