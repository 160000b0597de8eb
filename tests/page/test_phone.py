"""Phones and tablets: at each size the pad fills the width and the answer is in sight
while drawing; strokes drawn with real touch events (CDP Input.dispatchTouchEvent) give the
right answer without scrolling the page. Screenshots at each size are kept in
$DIGIT_PAD_ARTEFACTS (else pytest's temporary folder; the path is printed)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bench.pagekit import contract_data, error_text, open_page, wait_ready

pytestmark = pytest.mark.e2e

PHONES = {"390x844": (390, 844), "360x640": (360, 640), "844x390": (844, 390)}
WIDE = {"768x1024": (768, 1024), "1280x800": (1280, 800)}
SEVEN = [[(0.30, 0.25), (0.50, 0.25), (0.70, 0.25)], [(0.70, 0.25), (0.60, 0.45), (0.50, 0.65), (0.45, 0.80)]]


@pytest.fixture(scope="module")
def artefacts(tmp_path_factory) -> Path:
    given = os.environ.get("DIGIT_PAD_ARTEFACTS")
    folder = Path(given) if given else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    print(f"\nscreenshots in {folder}")
    return folder


def boxes(page) -> dict:
    """Viewport boxes of the pad and of the digit with its confidence, the viewport, the scroll."""
    return {
        "pad": page.locator("#pad").bounding_box(),
        "digit": page.locator("#digit").bounding_box(),
        "confidence": page.locator("#confidence").bounding_box(),
        "view": page.viewport_size,
        "scroll": page.evaluate("[scrollX, scrollY]"),
    }


def inside(box: dict, view: dict) -> bool:
    return (
        box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= view["width"] + 0.5
        and (box["y"] + box["height"] <= view["height"] + 0.5)
    )


def touch_stroke(cdp, box: dict, points: list[tuple[float, float]]) -> None:
    """One stroke with one finger: touchStart, a touchMove per point, touchEnd (points in pad fractions)."""
    at = [{"x": box["x"] + x * box["width"], "y": box["y"] + y * box["height"]} for x, y in points]
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [at[0]]})
    for point in at[1:]:
        for _ in range(2):  # a finger moves in small steps
            cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [point]})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


@pytest.mark.parametrize("size", list(PHONES), ids=list(PHONES))
def test_on_a_phone_the_answer_stays_in_sight_and_touch_draws_without_scrolling(browser, base_url, artefacts, size):
    width, height = PHONES[size]
    session = open_page(browser, base_url, viewport={"width": width, "height": height}, has_touch=True,
                        is_mobile=True, device_scale_factor=3)  # fmt: skip
    page = session.page
    try:
        assert wait_ready(page) == "ready", error_text(page)
        pad = page.locator("#pad")
        pad.evaluate("e => e.scrollIntoView({block: 'end'})")  # where a thumb draws: the whole pad in view
        before = boxes(page)
        assert inside(before["pad"], before["view"]), before
        if width < height:  # portrait: the pad takes the width
            assert before["pad"]["width"] >= width - 40, before
        else:  # landscape: as tall as the screen allows, the answer beside
            assert before["pad"]["height"] >= height - 60, before
        touch_stroke(page.context.new_cdp_session(page), before["pad"], SEVEN[0])
        cdp = page.context.new_cdp_session(page)
        touch_stroke(cdp, before["pad"], SEVEN[1])
        page.locator('#prediction[data-state="predicted"][data-strokes="2"]').wait_for(state="attached", timeout=15_000)
        data = contract_data(page.locator("#prediction"))
        assert data["digit"] == "7", data
        after = boxes(page)
        assert after["scroll"] == before["scroll"], "drawing scrolled the page"
        for part in ("digit", "confidence"):  # the answer is in sight with the pad
            assert inside(after[part], after["view"]), (part, after)
        assert page.locator("#confidence").inner_text().endswith("%")
        page.screenshot(path=str(artefacts / f"phone-{size}.png"))
        assert not session.console_errors, session.console_errors
    finally:
        session.context.close()


@pytest.mark.parametrize("size", list(WIDE), ids=list(WIDE))
def test_tablets_and_desktops_use_the_width(browser, base_url, artefacts, size):
    width, height = WIDE[size]
    session = open_page(browser, base_url, viewport={"width": width, "height": height})
    page = session.page
    try:
        assert wait_ready(page) == "ready", error_text(page)
        got = boxes(page)
        answer = page.locator(".answer-column").bounding_box()
        assert got["pad"]["width"] >= 320, got  # not squeezed
        assert abs(answer["y"] - got["pad"]["y"]) < 40, "the answer sits beside the pad"
        assert inside(got["digit"], got["view"]) and inside(got["pad"], got["view"]), got
        assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
        page.screenshot(path=str(artefacts / f"wide-{size}.png"))
    finally:
        session.context.close()


def test_touch_action_is_off_on_the_pad_only(app):
    page = app.page
    assert page.locator("#pad").evaluate("e => getComputedStyle(e).touchAction") == "none"
    assert page.evaluate("getComputedStyle(document.body).touchAction") == "auto"
    assert page.locator(".answer-column").evaluate("e => getComputedStyle(e).touchAction") == "auto"


def test_number_mode_on_a_phone_the_pad_stays_put_while_writing(browser, base_url, artefacts):
    """Eight digits written with a finger on a 390x844 phone: the answer above the pad grows a
    chip per digit, yet the pad never moves under the finger, and every digit is read."""
    from bench.number import EIGHT_DIGITS, number

    session = open_page(browser, base_url + "?mode=number", viewport={"width": 390, "height": 844}, has_touch=True,
                        is_mobile=True, device_scale_factor=3)  # fmt: skip
    page = session.page
    try:
        assert wait_ready(page) == "ready", error_text(page)
        pad = page.locator("#pad")
        pad.evaluate("e => e.scrollIntoView({block: 'end'})")
        start = pad.bounding_box()
        width, height = (float(pad.get_attribute(f"data-bitmap-{side}")) for side in ("width", "height"))
        cdp = page.context.new_cdp_session(page)
        strokes = [s for digit in number(EIGHT_DIGITS) for s in digit]
        for count, points in enumerate(strokes, start=1):
            touch_stroke(cdp, start, [(x / width, y / height) for x, y in points])
            page.locator(f'#prediction[data-strokes="{count}"]').wait_for(state="attached", timeout=15_000)
            assert pad.bounding_box() == start, f"the pad moved after stroke {count}"
        data = contract_data(page.locator("#prediction"))
        assert data["number"] == "".join(map(str, EIGHT_DIGITS)), data
        page.screenshot(path=str(artefacts / "phone-number-390x844.png"))
        assert not session.console_errors, session.console_errors
    finally:
        session.context.close()
