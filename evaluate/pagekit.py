"""Drive the built page in Chromium: open it, draw on #pad, read its contract.

Shared by the evaluations here (evaluate/), the benchmarks (bench/) and the end-to-end tests
(tests/page/). The page's contract for tests is described in tests/page/conftest.py. Its pad, prediction,
bars, input and heatmap live in the open shadow root of a <digit-pad> element: they are
read through Playwright's locators, whose CSS selectors pierce open shadow roots
(`document.querySelector` in page.evaluate does not). `Pad(page, host)` reads the
element matched by the selector `host`, for pages with several.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import numpy as np

BOOT_TIMEOUT_MS = 90_000  # Python + numpy + model on a slow 2-core machine, with room to spare
PREDICTION_TIMEOUT_MS = 15_000


@dataclass
class Session:
    """A page with everything it logged and requested."""

    context: object
    page: object
    origin: str
    console_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)  # every request of the context, its service worker's too
    page_requests: list[str] = field(default_factory=list)  # the page's own (and its dedicated workers')

    def foreign_requests(self) -> list[str]:
        return [
            url for url in self.requests if origin_of(url) != self.origin and not url.startswith(("blob:", "data:"))
        ]


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def open_page(browser, url: str, **context_options) -> Session:
    """A fresh context (nothing cached) with a page logging errors and requests."""
    context = browser.new_context(**context_options)
    page = context.new_page()
    session = Session(context, page, origin_of(url))
    page.on("console", lambda m: m.type == "error" and session.console_errors.append(m.text))
    page.on("pageerror", lambda e: session.console_errors.append(f"uncaught: {e}"))
    context.on("request", lambda r: session.requests.append(r.url))
    page.on("request", lambda r: session.page_requests.append(r.url))
    page.goto(url)
    return session


def wait_ready(page, timeout: int = BOOT_TIMEOUT_MS) -> str:
    """Waits until the page has left `loading`; returns the state."""
    page.locator('#prediction:not([data-state="loading"])').wait_for(state="attached", timeout=timeout)
    return state(page)


def state(page) -> str:
    return page.get_attribute("#prediction", "data-state")


def error_text(page) -> str:
    return page.inner_text("#error")


def contract_data(locator) -> dict:
    """The data-* of a prediction element (#prediction, #prediction-mlp), probs and strokes parsed."""
    data = locator.evaluate("e => ({...e.dataset})")
    data["probs"] = json.loads(data["probs"])
    data["strokes"] = int(data["strokes"])
    return data


class Pad:
    """Draws on #pad with the mouse and reads the page's contract attributes (of the
    <digit-pad> that `host` selects, when given)."""

    def __init__(self, page, host: str | None = None) -> None:
        self.page = page
        self.scope = page.locator(host) if host else page

    def find(self, selector: str):
        """A locator for `selector` inside this pad's element (shadow roots pierced)."""
        return self.scope.locator(selector)

    def box(self) -> dict:
        """The pad's box in the viewport, scrolled wholly into view first when it is not: a
        mouse press outside the viewport reaches no element, and an earlier test on the same
        page may have scrolled it (e.g. by clicking a control below the pad)."""
        pad = self.find("#pad")
        box = pad.bounding_box()
        view = self.page.viewport_size
        inside = box["x"] >= 0 and box["y"] >= 0
        if not (inside and box["x"] + box["width"] <= view["width"] and box["y"] + box["height"] <= view["height"]):
            pad.evaluate("e => e.scrollIntoView({block: 'center', inline: 'center'})")
            box = pad.bounding_box()
        return box

    def stroke(self, points: list[tuple[float, float]]) -> None:
        """One stroke through `points` given in pad CSS pixels (from the pad's top left)."""
        box = self.box()
        mouse = self.page.mouse
        x0, y0 = points[0]
        mouse.move(box["x"] + x0, box["y"] + y0)
        mouse.down()
        for x, y in points[1:]:
            mouse.move(box["x"] + x, box["y"] + y)
        mouse.up()

    def on_screen(self, strokes) -> list[list[tuple[float, float]]]:
        """Strokes given in ink-bitmap pixels (as the page keeps them) in pad CSS pixels."""
        box = self.box()
        width = float(self.find("#pad").get_attribute("data-bitmap-width"))
        height = float(self.find("#pad").get_attribute("data-bitmap-height"))
        sx, sy = box["width"] / width, box["height"] / height
        return [[(float(x) * sx, float(y) * sy) for x, y in points] for points in strokes]

    def draw_bitmap(self, strokes) -> dict:
        """Draws strokes given in ink-bitmap pixels; returns the prediction made from all of them."""
        return self.draw(self.on_screen(strokes))

    def draw(self, strokes: list[list[tuple[float, float]]]) -> dict:
        """Draws the strokes and returns the prediction made from all of them."""
        for points in strokes:
            self.stroke(points)
        return self.wait_prediction(len(strokes))

    def wait_prediction(self, strokes: int) -> dict:
        self.find(f'#prediction[data-state="predicted"][data-strokes="{strokes}"]').wait_for(
            state="attached", timeout=PREDICTION_TIMEOUT_MS
        )
        return self.prediction()

    def prediction(self) -> dict:
        return contract_data(self.find("#prediction"))

    def clear(self) -> None:
        self.find("#clear").click()
        self.wait_empty()

    def wait_empty(self) -> None:
        self.find('#prediction[data-state="ready"][data-strokes="0"][data-digit=""]').wait_for(
            state="attached", timeout=PREDICTION_TIMEOUT_MS
        )

    def bitmap(self) -> np.ndarray:
        """The RGBA ink bitmap behind the shown prediction, [280, 280, 4] uint8 in Digit mode (the main page's
        window.digitPad)."""
        encoded = self.page.evaluate("window.digitPad.bitmap()")
        height, width = (int(self.find("#pad").get_attribute(f"data-bitmap-{side}")) for side in ("height", "width"))
        return np.frombuffer(base64.b64decode(encoded), dtype=np.uint8).reshape(height, width, 4)

    def model_input(self) -> np.ndarray:
        """The 28x28 input shown in the page (before normalization)."""
        pixels = json.loads(self.find("#input28").get_attribute("data-pixels"))
        return np.asarray(pixels, dtype=np.float64).reshape(28, 28)

    def wait_companion(self, strokes: int, selector: str = "#prediction-mlp") -> dict:
        """The second model's prediction (same data-* as #prediction) for `strokes` strokes."""
        self.page.locator(f'{selector}[data-state="predicted"][data-strokes="{strokes}"]').wait_for(
            state="attached", timeout=PREDICTION_TIMEOUT_MS
        )
        return contract_data(self.page.locator(selector))

    def heatmap(self) -> np.ndarray:
        """The Grad-CAM heatmap over the pad (#gradcam), as its opacity in the ink bitmap's
        space: [280, 280] float in [0, 1]."""
        encoded = self.find("#gradcam").evaluate(
            """c => { const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                      let binary = '';
                      for (let i = 0; i < data.length; i += 0x8000)
                        binary += String.fromCharCode.apply(null, data.subarray(i, i + 0x8000));
                      return btoa(binary); }"""
        )
        size = int(self.find("#pad").get_attribute("data-bitmap-size"))
        rgba = np.frombuffer(base64.b64decode(encoded), dtype=np.uint8).reshape(size, size, 4)
        return rgba[:, :, 3] / 255.0


@contextmanager
def served_page(dist, chromium: str, query: str = "", args: tuple[str, ...] = ()) -> Iterator[Session]:
    """The built site `dist` served on a free port and opened (with `query`, e.g. "?mode=number")
    in a fresh Chromium, once ready: for the commands that replay drawings in the page."""
    import threading

    from playwright.sync_api import sync_playwright

    from toolchain import CHROMIUM_ARGS
    from webapp.server import make_server

    server = make_server(dist, 0, quiet=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=list(args or CHROMIUM_ARGS))
            app = open_page(browser, f"http://127.0.0.1:{server.server_address[1]}/{query}")
            if wait_ready(app.page) != "ready":
                raise SystemExit(f"the page did not become ready: {error_text(app.page)}")
            yield app
            browser.close()
    finally:
        server.shutdown()
