"""Fixtures for the end-to-end tests: dist/ served locally, driven in the real Chromium.

The page's contract for tests (keep it stable, other tests rely on it). The page is built
from the <digit-pad> element (site/js/element/): #pad, #clear, #undo, #prediction, #error,
#hint, #stages, #bars, #input28, #gradcam and #gradcam28 live in the open shadow root of
`digit-pad#digit-pad`, where Playwright's locators reach them and `document.querySelector`
does not; the rest (the Grad-CAM controls and grid, the MLP side by side) is the page's
own, in the element's slots.

- `#pad`: the drawing canvas; `data-bitmap-size` (280) is the side of the offscreen ink
  bitmap the model input is computed from (white paper, black ink, round caps and joins;
  the pad's CSS box maps linearly onto 280x280); `data-line-width` (18) is the visible
  pen, in bitmap pixels; the ink bitmap's pen is `data-ink-width-ratio` times the
  drawing's extent (its points' bounding box's longer side), at least
  `data-ink-min-width` (train/render.py ink_width).
- `#clear`, `#undo`: buttons; Escape clears, Ctrl/Cmd+Z undoes the last stroke.
- `#prediction`: `data-state` = loading | ready (model loaded, pad empty) | predicted |
  error; `data-digit` (empty when none); `data-probs` (JSON array of the ten
  probabilities, `[]` when none); `data-strokes` (finished strokes the shown prediction
  took into account; 0 after clear).
- `#error`: the visible plain-words message when `data-state` is error.
- `#input28`: the 28x28 model input ("what the model sees"); `data-pixels` is a JSON
  array of its 784 values in [0, 1], row by row, before normalization.
- `#bars li[data-digit=d] button`: the probability bar of digit d; picking it (click,
  Enter, Space) shows d's heatmap, picking it again the top class's (`aria-pressed`).
- `#gradcam`: the Grad-CAM heatmap over the pad, a canvas whose 280x280 backing store
  is the ink bitmap's space (its opacity is the normalized map); `data-class` = the
  class it shows ("" when none: empty pad, or a model without maps such as the MLP),
  `data-source` = top | picked ("" when none); hidden when there is none or when
  `#gradcam-show` (checkbox, on by default) is off. `#gradcam28`: the same over #input28.
  A clear pad forgets the pick.
- `#gradcam-all` (checkbox): shows `#gradcam-grid`, ten `.cam-cell[data-class=d]`
  buttons, each with a `canvas[data-class=d]` (the input with d's map; `.shown` on the
  class #gradcam shows); picking a cell picks its class. `window.digitPad.gradcam()`:
  {class, source, h, w, maps: ten normalized maps of h*w values} or null.
- `#compare-mlp` (checkbox, off by default): shows the MLP's answer side by side; the
  MLP loads the first time it is ticked, and computes nothing while it is off.
- `#prediction-mlp`: the MLP's answer to the same drawing, side by side with the CNN's
  (#prediction): `data-state` = loading | ready | predicted | error | off (no second
  model: ?model=mlp, or #compare-mlp is off), `data-digit`, `data-probs`, `data-strokes`
  as for #prediction; it answers after the CNN, so wait for it (Pad.wait_companion).
  Tests that tick #compare-mlp untick it again.
- `#skip-centring` (checkbox, off by default): both models get the digit with its box
  centred instead of its centre of mass (preprocess.to_mnist(rgba, centre=False));
  #input28 shows that input. Tests that turn it on turn it off again.
- `window.digitPad.bitmap()`: base64 of the 280x280 RGBA ink bitmap behind the shown
  prediction ("" when none); `window.digitPad.pad.strokes`: the finished strokes as
  [x, y] points in that bitmap's pixels; `window.digitPad.timings()`: per-prediction
  timings (ms: read, preprocess, inference, companions (the MLP, run at the same time),
  roundTrip, dom, gradcam (drawing the heatmaps, part of dom), total).
- Workers (issue 39, test_recovery.py): `window.digitPad.workers()` is {python: Worker | null, models:
  {name: Worker}}, the workers in service (a test may terminate() one: the page finds it dead, says so in
  `#hint`, and restarts it); `window.digitPad.restarts()` lists [{status: lost | back | gave-up, model (null
  for Python), message}] since the page loaded.
- The layers view (issue 40, test_layers.py): `#layers-show` (checkbox, off by default) sets the element's
  `layers`; inside the element `#layers` (`data-state` = empty | reading | shown | none) holds a
  `canvas.tile[data-layer][data-channel]` per feature map and `#layers-focus` (`data-pick-layer`,
  `data-pick-channel`: the tile picked); `window.digitPad.layers()` is the last `digit-pad:layers` detail's
  stages, [{name, channels, height, width, data (an array)}] ([] when none).
- Number mode (issue 20): `#mode` (a select: digit | number; `?mode=number` chooses it at
  load; a switch clears the pad) sets the element's `mode`. In Number mode `#pad` has
  `data-bitmap-width` 840 (`data-bitmap-height` 280; both are 280 in Digit mode), and
  `#prediction` has `data-mode` = number, `data-number` (the digits read left to right,
  "?" for one the model cannot read; "" when none), `data-digits` (JSON: per digit found,
  {digit, probs, verdict, box: [x, y, w, h] in bitmap pixels, adapted (the handwriting memory)}), `data-digit` only when
  exactly one digit was found, and `data-probs`/`data-verdict` of the digit the bars show
  (the newest, or the one picked in `#digits li button`). `data-mode` = digit otherwise.
- The handwriting memory (issue 37; the main page sets `learn`): `#teach` holds ten
  `button[data-digit=d]` ("Not right? It's a d": enabled when an answer is shown, it
  remembers the drawing, in Number mode the digit the bars show, as d), `#remembered` (what
  is kept, or why nothing can be) and `#forget`. `#prediction` has `data-remembered` (the
  drawings kept) and `data-adapted` (`true` when remembered drawings changed the answer or its
  probabilities). The records live in IndexedDB `digit-pad`, store `handwriting`.
- Performance marks `digit-pad:pad` (the pad takes strokes), `digit-pad:<stage>:done`
  (python, numpy, model) and `digit-pad:ready`.

The model card page (card.html, tests in test_card.py): `#card` has `data-state` =
loading | ready | error and `data-model` = the card shown (cnn | mlp; `?model=` picks
one, the `#model-switch [data-model]` buttons switch). `#card-error` is the visible
plain-words message (state error) when a card or models/test-digits.bin is missing or
damaged. `#card-accuracy` `data-value` = the card's test.accuracy. `#confusion` is the
test confusion matrix: `.cell` elements with `data-true`, `data-pred`, `data-count`
(buttons when the count is not 0); picking one fills `#cell-digits` (`data-true`,
`data-pred`, `data-count`, `data-shown`) with `.digit-tile` figures (`data-index`: the
MNIST test index, `data-label`), one per index in the card's
test.confusion_examples[true][pred]: every error up to 64, the first 12 right answers.
`#hardest .digit-tile`: the card's hardest errors, in its order.

The element in other pages (test_embed.py): host-page.html, served at /blog/post.html with
the built site at /apps/digit-pad/ of the same origin (`host_url`; `plain_host_url`: the
same without the isolation headers), holds `digit-pad#left` (the CNN) and
`digit-pad#right` (model="mlp") under hostile global CSS; `window.hostEvents` lists every
digit-pad:* event the document heard ({type, target (id), bubbles, composed, detail}).
Inside each element the ids and data-* above hold as on the main page; `Pad(page, "#left")`
reads them.

One browser serves the whole session; tests that need no fresh page load share one
ready page (`app`), and wait on data-* attributes rather than sleeping.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

import build
from bench import loads
from evaluate.pagekit import Pad, Session, error_text, open_page, wait_ready
from webapp.server import make_server


@pytest.fixture(scope="session")
def dist() -> Path:
    """dist/, built by `build.py test` (which sets $DIGIT_PAD_DIST), else built here."""
    given = os.environ.get("DIGIT_PAD_DIST")
    if given:
        return Path(given).resolve()
    return build.build_if_needed()


def serve_in_thread(directory: Path, isolation: bool = True) -> Iterator[str]:
    server = make_server(directory, 0, quiet=True, isolation=isolation)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def base_url(dist: Path) -> Iterator[str]:
    """dist/ served by build.py's own server (with the isolation headers)."""
    yield from serve_in_thread(dist)


HOST_PAGE = Path(__file__).with_name("host-page.html")
HOST_PAGE_PATH = "blog/post.html"  # where the host page is served; the site is at apps/digit-pad/


@pytest.fixture(scope="session")
def host_site(dist: Path, tmp_path_factory) -> Path:
    """A web root holding the built site under /apps/digit-pad/ and host-page.html elsewhere."""
    root = tmp_path_factory.mktemp("host-site")
    (root / "apps").mkdir()
    (root / "apps" / "digit-pad").symlink_to(dist, target_is_directory=True)
    (root / "blog").mkdir()
    shutil.copy2(HOST_PAGE, root / HOST_PAGE_PATH)
    return root


@pytest.fixture(scope="session")
def host_url(host_site: Path) -> Iterator[str]:
    """The host page, served with the isolation headers."""
    for base in serve_in_thread(host_site):
        yield base + HOST_PAGE_PATH


@pytest.fixture(scope="session")
def plain_host_url(host_site: Path) -> Iterator[str]:
    """The host page, served without the isolation headers (and without the site's service worker)."""
    for base in serve_in_thread(host_site, isolation=False):
        yield base + HOST_PAGE_PATH


@pytest.fixture(scope="session")
def reference_url(dist: Path) -> Iterator[str]:
    """The benchmark's yardsticks, bare Pyodide + numpy (bench/loads.py), served like dist/."""
    folder = loads.reference_site(dist)
    try:
        yield from serve_in_thread(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def app(browser, base_url) -> Iterator[Session]:
    """One page, loaded once and ready, shared by the tests that only draw."""
    session = open_page(browser, base_url)
    got = wait_ready(session.page)
    assert got == "ready", f"page did not become ready: {got}: {error_text(session.page)}"
    yield session
    session.context.close()


@pytest.fixture
def pad(app: Session) -> Iterator[Pad]:
    """The shared page's pad, cleared before and after each test."""
    pad = Pad(app.page)
    pad.clear()
    yield pad
    pad.clear()
