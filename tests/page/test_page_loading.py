"""Loading the page: only its own origin, no console errors, errors said in plain words,
and dist/ working from a plain static server (through the service worker)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import onnx
import pytest

from bench import loads
from evaluate.pagekit import Pad, open_page, origin_of, state, wait_ready

pytestmark = pytest.mark.e2e

ONE = [[(0.5, 0.2), (0.5, 0.5), (0.5, 0.8)]]


def draw_one(session, wait: bool = True) -> dict | int:
    """Draws a "1"; returns the prediction (or, without waiting, the number of strokes)."""
    pad = Pad(session.page)
    box = pad.box()
    strokes = [[(x * box["width"], y * box["height"]) for x, y in points] for points in ONE]
    if not wait:
        for points in strokes:
            pad.stroke(points)
        return len(strokes)
    return pad.draw(strokes)


def test_ready_with_no_console_error_and_only_own_origin(app):
    assert state(app.page) == "ready"
    assert app.console_errors == []
    assert app.requests, "no request recorded"
    assert app.foreign_requests() == []
    assert app.page.evaluate("crossOriginIsolated") is True  # build.py's server sends the headers


def test_pad_takes_strokes_while_loading_with_other_origins_blocked_on_a_high_dpi_screen(browser, base_url):
    blocked = []

    def only_own_origin(route):
        if origin_of(route.request.url) == origin_of(base_url) or route.request.url.startswith(("blob:", "data:")):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    session = open_page(browser, "about:blank", device_scale_factor=2)
    try:
        session.context.route("**/*", only_own_origin)
        session.page.goto(base_url)
        session.page.wait_for_function("window.digitPad !== undefined")
        assert state(session.page) == "loading"
        drawn = draw_one(session, wait=False)  # while Python is still loading
        assert wait_ready(session.page) == "predicted"  # the first prediction comes as soon as it can
        assert Pad(session.page).prediction()["strokes"] == drawn
        size = session.page.locator("#pad").evaluate("c => [c.width, c.getBoundingClientRect().width]")
        assert size[0] == round(2 * size[1])  # backing store at device resolution: crisp lines
        assert Pad(session.page).bitmap().shape == (280, 280, 4)  # the model input does not depend on the screen
        assert blocked == [] and session.console_errors == []
    finally:
        session.context.close()


def test_file_url_says_how_to_serve(browser, dist: Path):
    session = open_page(browser, (dist / "index.html").as_uri())
    try:
        session.page.wait_for_function("document.querySelector('#prediction').dataset.state === 'error'")
        message = session.page.inner_text("#error")
        assert "python build.py serve" in message and "python -m http.server" in message
    finally:
        session.context.close()


def test_no_webassembly_is_said_in_plain_words(browser, base_url):
    session = open_page(browser, "about:blank")
    try:
        session.page.add_init_script("delete globalThis.WebAssembly")
        session.page.goto(base_url)
        assert wait_ready(session.page) == "error"
        assert "WebAssembly" in session.page.inner_text("#error")
    finally:
        session.context.close()


def test_missing_model_is_said_in_plain_words(browser, base_url):
    session = open_page(browser, base_url + "?model=nonexistent")
    try:
        assert wait_ready(session.page) == "error"
        message = session.page.inner_text("#error")
        assert "models/nonexistent.onnx" in message and "404" in message
        assert session.page.is_visible("#error")
        assert session.page.get_attribute('[data-stage="python"]', "data-status") == "active"  # said at once
    finally:
        session.context.close()


def test_model_with_other_normalization_is_refused(browser, base_url, dist: Path, tmp_path: Path):
    model = onnx.load(str(dist / "models" / "cnn.onnx"))
    for prop in model.metadata_props:
        if prop.key == "norm_mean":
            prop.value = "0.5"
    wrong = tmp_path / "wrong.onnx"
    onnx.save(model, str(wrong))
    session = open_page(browser, "about:blank", service_workers="block")  # (its requests pass no route)
    try:
        session.page.route("**/models/cnn.onnx", lambda route: route.fulfill(path=str(wrong)))
        session.page.goto(base_url)
        assert wait_ready(session.page) == "error"
        message = session.page.inner_text("#error")
        assert "not what this page expects" in message and "mean 0.5" in message
    finally:
        session.context.close()


def open_with_changed_file(browser, base_url: str, dist: Path, name: str, old: str, new: str):
    """The page, with its file `name` (under dist/) served with `old` replaced by `new`."""
    text = (dist / name).read_text()
    assert old in text, f"{name} no longer contains {old!r}: update this test"
    session = open_page(browser, "about:blank", service_workers="block")  # (its requests pass no route)
    body = text.replace(old, new)
    session.page.route(f"**/{name}", lambda route: route.fulfill(body=body, content_type="text/x-python"))
    session.page.goto(base_url)
    return session


def test_python_that_does_not_take_drawings_is_said(browser, base_url, dist: Path):
    session = open_with_changed_file(browser, base_url, dist, "py/worker.py", "xworker.onmessage = ", "_unused = ")
    try:
        assert wait_ready(session.page) == "error"
        assert "Python started but does not take drawings" in session.page.inner_text("#error")
    finally:
        session.context.close()


def test_a_failing_preprocessing_is_said_not_swallowed(browser, base_url, dist: Path):
    broken = 'def to_mnist_framed(rgba, centre=True):\n    raise ValueError("broken on purpose")\n\n\ndef _unused('
    session = open_with_changed_file(browser, base_url, dist, "py/preprocess.py", "def to_mnist_framed(", broken)
    try:
        assert wait_ready(session.page) == "error"  # the sample prediction at start-up already fails
        message = session.page.inner_text("#error")
        assert "ValueError: broken on purpose" in message
    finally:
        session.context.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def plain_static_server(dist: Path):
    """dist/ served by `python -m http.server`: no isolation headers."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "-d", str(dist)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/"
    process.terminate()
    process.wait(timeout=10)


def test_plain_static_server_works_through_the_service_worker(browser, plain_static_server):
    session = open_page(browser, plain_static_server)
    try:
        assert wait_ready(session.page) == "ready", session.page.inner_text("#error")
        assert session.page.evaluate("crossOriginIsolated") is True  # added by sw.js after one reload
        assert draw_one(session)["strokes"] == 1
        assert session.console_errors == [] and session.foreign_requests() == []
    finally:
        session.context.close()


@pytest.mark.parametrize("page", ["index.html", "reference-worker.html"])
def test_the_benchmarks_yardsticks_boot_pyodide_and_numpy(browser, reference_url: str, page: str):
    """`python build.py bench` divides the page's time to ready by these pages' (bench/loads.py)."""
    context = browser.new_context()
    try:
        reference = context.new_page()
        reference.goto(reference_url + page)
        reference.wait_for_function(loads.REFERENCE_READY, timeout=loads.TIMEOUT_MS)
        assert reference.evaluate("document.body.dataset.state") == "ready"
        assert reference.evaluate("performance.getEntriesByName('reference:ready').length") == 1
    finally:
        context.close()
