"""<digit-pad> in someone else's page: two elements under hostile global CSS, the site served
from another path of the same origin, with and without the isolation headers (see
conftest.py: host-page.html, `host_url`, `plain_host_url`). Real mouse strokes, real models.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from evaluate.pagekit import BOOT_TIMEOUT_MS, Pad, Session, open_page, origin_of

pytestmark = pytest.mark.e2e

# Digits in pad fractions (strokes of points), drawn with the mouse.
ONE = [[(0.50, 0.20), (0.50, 0.40), (0.50, 0.60), (0.50, 0.80)]]
ZERO = [[(0.5 + 0.2 * math.sin(2 * math.pi * i / 32), 0.5 - 0.3 * math.cos(2 * math.pi * i / 32)) for i in range(33)]]
SEVEN = [[(0.30, 0.25), (0.50, 0.25), (0.70, 0.25)], [(0.70, 0.25), (0.60, 0.45), (0.50, 0.65), (0.45, 0.80)]]
ELEMENTS = {"left": "cnn", "right": "mlp"}


def scaled(strokes, box):
    return [[(x * box["width"], y * box["height"]) for x, y in points] for points in strokes]


def events(page, kind: str, target: str | None = None) -> list[dict]:
    """The digit-pad:<kind> events the host page heard (of element `target`), oldest first."""
    heard = page.evaluate("window.hostEvents")
    return [e for e in heard if e["type"] == f"digit-pad:{kind}" and (target is None or e["target"] == target)]


def wait_events(page, kind: str, count: int, target: str | None = None) -> list[dict]:
    page.wait_for_function(
        """([type, count, target]) => window.hostEvents.filter(
               (e) => e.type === type && (target === null || e.target === target)).length >= count""",
        arg=[f"digit-pad:{kind}", count, target],
        timeout=BOOT_TIMEOUT_MS,
    )
    return events(page, kind, target)


def open_host(browser, url: str) -> Session:
    """The host page with both its elements ready."""
    session = open_page(browser, url)
    ready = wait_events(session.page, "ready", len(ELEMENTS))
    assert {e["target"]: e["detail"]["model"] for e in ready} == ELEMENTS, ready
    return session


@pytest.fixture(scope="module")
def host(browser, host_url) -> Session:
    session = open_host(browser, host_url)
    yield session
    session.context.close()


def draw_on(session: Session, element: str, strokes) -> dict:
    pad = Pad(session.page, f"#{element}")
    return pad.draw(scaled(strokes, pad.box()))


def test_each_element_predicts_what_is_drawn_on_it(host):
    page = host.page
    left, right = Pad(page, "#left"), Pad(page, "#right")
    left.clear()
    right.clear()
    assert draw_on(host, "left", ONE)["digit"] == "1"  # the CNN
    assert right.prediction()["state"] == "ready"  # nothing drawn there: no answer
    assert draw_on(host, "right", ZERO)["digit"] == "0"  # the MLP
    assert left.prediction()["digit"] == "1" and left.prediction()["strokes"] == 1  # untouched
    for element, model, digit in (("left", "cnn", 1), ("right", "mlp", 0)):
        last = events(page, "prediction", element)[-1]
        assert last["bubbles"] and last["composed"]
        detail = last["detail"]
        assert detail["digit"] == digit and detail["model"] == model
        probs = np.asarray(detail["probs"])
        assert probs.shape == (10,) and probs.sum() == pytest.approx(1, abs=1e-6) and probs.argmax() == digit
        assert detail["verdict"] in ("digit", "unsure") and 0 <= detail["notDigit"] < 0.5  # both are calibrated
        assert detail["number"] is None and detail["others"] == {}
        assert len(detail["strokes"]) == 1 and all(0 <= v <= 280 for point in detail["strokes"][0] for v in point)
        assert page.evaluate(f"document.getElementById('{element}').prediction") == detail
        assert page.evaluate(f"document.getElementById('{element}').state") == "predicted"


def test_undo_and_clear_methods(host):
    page = host.page
    pad = Pad(page, "#left")
    pad.clear()
    assert draw_on(host, "left", SEVEN)["strokes"] == 2
    page.evaluate("document.getElementById('left').undo()")
    assert pad.wait_prediction(1)["strokes"] == 1
    assert len(events(page, "prediction", "left")[-1]["detail"]["strokes"]) == 1
    page.evaluate("document.getElementById('left').clear()")
    pad.wait_empty()
    assert events(page, "prediction", "left")[-1]["detail"] == {
        "digit": None, "probs": [], "verdict": None, "notDigit": None, "number": None, "digits": None, "strokes": [],
        "model": "cnn", "others": {}, "adapted": False,
    }  # fmt: skip
    assert page.evaluate("document.getElementById('left').state") == "ready"
    page.evaluate("document.getElementById('left').undo()")  # nothing left to undo: nothing happens
    assert pad.prediction()["state"] == "ready"


def computed(locator, *properties: str) -> dict:
    return locator.evaluate("(e, names) => Object.fromEntries(names.map((n) => [n, getComputedStyle(e)[n]]))",
                            list(properties))  # fmt: skip


def test_host_styles_do_not_reach_in_and_its_styles_do_not_leak_out(host):
    page = host.page
    for element in ELEMENTS:
        pad = Pad(page, f"#{element}")
        canvas = computed(pad.find("#pad"), "borderTopWidth", "borderTopColor", "boxSizing")
        assert canvas["borderTopWidth"] == "1px" and "255, 0, 0" not in canvas["borderTopColor"], canvas
        assert canvas["boxSizing"] == "border-box"
        for button in ("#clear", "#undo"):
            assert computed(pad.find(button), "display")["display"] != "none"
            assert pad.find(button).is_visible()
        digit = computed(pad.find("#digit"), "fontSize", "fontFamily", "color", "letterSpacing")
        assert digit["fontSize"] == "64px" and "serif" != digit["fontFamily"].split(",")[0].strip(), digit
        assert digit["color"] != "rgb(0, 128, 0)" and digit["letterSpacing"] == "normal", digit
        hint = computed(pad.find("#hint"), "fontSize", "fontFamily")
        assert hint["fontSize"] == "16px" and not hint["fontFamily"].startswith("serif"), hint
        box = pad.box()
        assert box["width"] == pytest.approx(box["height"], abs=1) and box["width"] <= 420
    # The host's own elements keep the host's styles, whatever the elements' sheet says.
    assert computed(page.locator("#host-canvas"), "borderTopWidth")["borderTopWidth"] == "20px"
    assert computed(page.locator("#host-button"), "display")["display"] == "none"
    host_digit = computed(page.locator("#host-digit"), "fontSize", "color", "letterSpacing")
    assert host_digit == {"fontSize": "40px", "color": "rgb(0, 128, 0)", "letterSpacing": "3px"}
    assert computed(page.locator("#host-bars"), "listStyleType")["listStyleType"] == "decimal"


def test_attributes_are_properties_and_change_while_it_runs(host):
    page = host.page
    pad = Pad(page, "#left")
    pad.clear()
    got = page.evaluate(
        "(e => ({model: e.model, mode: e.mode, bars: e.bars, input: e.input, gradcam: e.gradcam, "
        "centring: e.centring}))(document.getElementById('left'))"
    )
    assert got == {"model": "cnn", "mode": "digit", "bars": True, "input": False, "gradcam": False, "centring": "mass"}
    assert pad.find("#bars").is_visible() and pad.find("#input28").is_hidden()
    page.evaluate("(e => { e.bars = false; e.setAttribute('input', ''); e.gradcam = true; e.mode = 'number'; })"
                  "(document.getElementById('left'))")  # fmt: skip
    attributes = page.evaluate("[...document.getElementById('left').attributes].map((a) => [a.name, a.value])")
    assert {"bars": "false", "input": "", "gradcam": "true", "mode": "number"}.items() <= dict(attributes).items()
    assert page.evaluate("document.getElementById('left').mode") == "number"  # reflected
    assert (
        pad.find('#prediction[data-mode="number"]').count() == 1
        and pad.find("#pad").get_attribute("data-bitmap-width") == "840"
    )
    page.evaluate("document.getElementById('left').mode = 'digit'")  # back to one digit for the drawing below
    assert pad.find("#pad").get_attribute("data-bitmap-width") == "280"
    assert pad.find("#bars").is_hidden() and pad.find("#input28").is_visible()
    prediction = draw_on(host, "left", SEVEN)
    assert prediction["digit"] == "7"
    assert pad.find("#gradcam").is_visible()
    assert pad.find("#gradcam").get_attribute("data-class") == "7"
    heatmap = events(page, "heatmap", "left")[-1]["detail"]
    assert heatmap == {"class": 7, "source": "top"}
    assert len(pad.model_input().ravel()) == 784 and pad.model_input().max() > 0.5
    page.evaluate("(e => { e.removeAttribute('bars'); e.input = false; e.gradcam = false; })"
                  "(document.getElementById('left'))")  # fmt: skip
    assert pad.find("#bars").is_visible() and pad.find("#input28").is_hidden() and pad.find("#gradcam").is_hidden()
    pad.clear()


def test_the_model_can_change_while_it_runs(host):
    page = host.page
    pad = Pad(page, "#right")
    pad.clear()
    assert draw_on(host, "right", SEVEN)["digit"] == "7"
    readies = len(events(page, "ready", "right"))
    try:
        page.evaluate("document.getElementById('right').model = 'cnn'")
        assert wait_events(page, "ready", readies + 1, "right")[-1]["detail"] == {"model": "cnn", "gradcam": True}
        pad.wait_prediction(2)  # the drawing is read again, by the new model
        last = events(page, "prediction", "right")[-1]["detail"]
        assert (last["model"], last["digit"]) == ("cnn", 7)
    finally:
        page.evaluate("document.getElementById('right').model = 'mlp'")
        wait_events(page, "ready", readies + 2, "right")
    pad.clear()


def test_elements_share_one_python_worker_and_one_inference_worker_per_model(host):
    page = host.page
    assert workers(host) == {"python": 1, "inference": 2}  # the CNN's and the MLP's
    readies = len(events(page, "ready"))
    page.evaluate("""() => { const third = document.createElement('digit-pad');
                             third.id = 'third'; document.body.append(third); }""")  # the CNN again
    assert wait_events(page, "ready", 1, "third")[0]["detail"]["model"] == "cnn"
    assert len(events(page, "ready")) == readies + 1
    assert draw_on(host, "third", ONE)["digit"] == "1"
    assert workers(host) == {"python": 1, "inference": 2}  # no new worker
    page.evaluate("document.getElementById('third').remove()")


def workers(session: Session) -> dict[str, int]:
    """How many workers the page runs: PyScript's (from a blob: URL) and onnxruntime's."""
    urls = [worker.url for worker in session.page.workers]
    inference = sum(url.endswith("/apps/digit-pad/js/element/inference-worker.js") for url in urls)
    python = sum(url.startswith("blob:") for url in urls)
    assert python + inference == len(urls), urls
    return {"python": python, "inference": inference}


def test_a_missing_model_is_said_in_the_element_and_the_others_go_on(host):
    page = host.page
    page.evaluate("""() => { const broken = document.createElement('digit-pad');
                             broken.id = 'broken'; broken.model = 'nonexistent'; document.body.append(broken); }""")
    logged = len(host.console_errors)
    error = wait_events(page, "error", 1, "broken")[0]
    assert "models/nonexistent.onnx" in error["detail"]["message"] and error["bubbles"] and error["composed"]
    broken = Pad(page, "#broken")
    assert broken.find("#error").is_visible() and error["detail"]["message"] in broken.find("#error").inner_text()
    assert broken.prediction()["state"] == "error"
    assert all("404" in e for e in host.console_errors[logged:]), host.console_errors[logged:]
    del host.console_errors[logged:]  # the browser's own line for the 404: expected here
    page.evaluate("document.getElementById('broken').remove()")
    assert draw_on(host, "left", ONE)["digit"] == "1"
    Pad(page, "#left").clear()


def test_nothing_leaves_the_sites_origin_and_nothing_is_logged_as_an_error(host):
    assert host.console_errors == []
    assert host.foreign_requests() == []
    origin = origin_of(host.page.url)
    site = [url for url in host.requests if url.startswith(origin + "/apps/digit-pad/")]
    assert site and all(url.startswith((origin + "/apps/digit-pad/", origin + "/blog/")) for url in host.requests
                        if url.startswith("http"))  # fmt: skip
    assert host.page.evaluate("crossOriginIsolated") is True


def test_the_host_page_without_isolation_headers_works(browser, plain_host_url):
    session = open_host(browser, plain_host_url)
    try:
        assert session.page.evaluate("crossOriginIsolated") is False
        assert draw_on(session, "left", ONE)["digit"] == "1"
        assert draw_on(session, "right", ZERO)["digit"] == "0"
        assert Pad(session.page, "#left").prediction()["digit"] == "1"
        assert session.console_errors == [] and session.foreign_requests() == []
        assert session.page.evaluate("navigator.serviceWorker.controller") is None  # not the site's either
    finally:
        session.context.close()


def test_the_sites_embed_page_runs_its_two_examples(browser, base_url):
    session = open_page(browser, base_url + "embed.html")
    try:
        for element, model in (("demo-cnn", "cnn"), ("demo-mlp", "mlp")):
            pad = Pad(session.page, f"#{element}")
            pad.find('#prediction:not([data-state="loading"])').wait_for(state="attached", timeout=BOOT_TIMEOUT_MS)
            assert pad.prediction()["state"] == "ready"
            assert session.page.evaluate(f"document.getElementById('{element}').model") == model
        assert draw_on(session, "demo-mlp", ONE)["digit"] == "1"
        assert "digit-pad:prediction" in session.page.inner_text("#event-log")
        assert "js/element/digit-pad.js" in session.page.inner_text("#snippet-here")
        assert session.console_errors == [] and session.foreign_requests() == []
    finally:
        session.context.close()
