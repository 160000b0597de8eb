"""The page for everyone: axe-core finds nothing on either page (light and dark, before and
after a prediction, options and the MLP on), the keyboard reaches everything but drawing
in order with a visible focus ring, the live region speaks once per finished stroke, dark
mode changes the visible pad but not the model's input, reduced motion stops the bars
moving, and a 200% zoom (a 640px wide viewport) needs no horizontal scrolling."""

from __future__ import annotations

import re

import pytest

from bench import axe
from evaluate.pagekit import Pad, error_text, open_page, wait_ready

pytestmark = pytest.mark.e2e

SEVEN = [[(0.30, 0.25), (0.50, 0.25), (0.70, 0.25)], [(0.70, 0.25), (0.60, 0.45), (0.50, 0.65), (0.45, 0.80)]]
# A "4" in three strokes: the left stroke, the bar, the stem.
FOUR = [
    [(0.35, 0.20), (0.30, 0.40), (0.25, 0.55)],
    [(0.25, 0.55), (0.45, 0.55), (0.70, 0.55)],
    [(0.60, 0.20), (0.60, 0.45), (0.60, 0.85)],
]
CARD_TIMEOUT_MS = 20_000
SPOKEN = re.compile(r"^(Zero|One|Two|Three|Four|Five|Six|Seven|Eight|Nine), \d{1,3} percent$")


def scaled(strokes, box):
    return [[(x * box["width"], y * box["height"]) for x, y in points] for points in strokes]


def assert_no_violations(page, when: str) -> None:
    found = axe.violations(page)
    assert not found, f"axe-core, {when}:\n{axe.report(found)}"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_nothing_on_the_main_page(browser, base_url, scheme):
    session = open_page(browser, base_url, color_scheme=scheme)
    page = session.page
    try:
        assert wait_ready(page) == "ready", error_text(page)
        assert_no_violations(page, f"{scheme}, ready")
        page.check("#gradcam-all")
        page.check("#compare-mlp")
        page.locator('#prediction-mlp[data-state="ready"]').wait_for(state="attached", timeout=60_000)
        pad = Pad(page)
        pad.draw(scaled(SEVEN, pad.box()))
        pad.wait_companion(2)
        pad.find("#bars li[data-digit='1'] button").click()  # a picked bar
        assert_no_violations(page, f"{scheme}, predicted, options and the MLP on")
    finally:
        session.context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_nothing_on_the_model_card(browser, base_url, scheme):
    session = open_page(browser, base_url + "card.html", color_scheme=scheme)
    page = session.page
    try:
        page.locator('#card[data-state="ready"]').wait_for(state="attached", timeout=CARD_TIMEOUT_MS)
        assert_no_violations(page, f"card, {scheme}")
        page.locator("#confusion button.cell[data-true='4'][data-pred='9']").click()
        for summary in page.locator("details.chart-data summary").all():
            summary.click()
        assert_no_violations(page, f"card, {scheme}, a cell picked and the chart tables open")
    finally:
        session.context.close()


def test_every_chart_of_the_card_has_a_text_equivalent(browser, base_url):
    session = open_page(browser, base_url + "card.html")
    page = session.page
    try:
        page.locator('#card[data-state="ready"]').wait_for(state="attached", timeout=CARD_TIMEOUT_MS)
        charts = page.locator("svg.chart")
        assert charts.count() >= 4
        for chart in charts.all():
            assert chart.get_attribute("role") == "img"
            assert len(chart.get_attribute("aria-label")) > 30
            table = chart.locator("xpath=ancestor::figure[1]//details[contains(@class,'chart-data')]//table")
            assert table.count() == 1
            assert table.locator("tbody tr").count() >= 2
        bins = page.locator("#reliability .bin").count()
        assert page.locator("#reliability details tbody tr").count() == bins  # one row per bin drawn
        for bars in page.locator("svg.prob-bars").all():
            assert re.search(r"answered \d: \d", bars.get_attribute("aria-label"))
    finally:
        session.context.close()


def deep_focus(page) -> str:
    """What has the keyboard focus, through shadow roots: its id, else a short description."""
    return page.evaluate(
        """() => { let e = document.activeElement;
                   while (e && e.shadowRoot && e.shadowRoot.activeElement) e = e.shadowRoot.activeElement;
                   if (!e) return '';
                   if (e.id) return '#' + e.id;
                   const digit = e.closest('[data-digit]');
                   if (digit && e.classList.contains('bar')) return 'bar' + digit.dataset.digit;
                   return e.tagName.toLowerCase() + ':' + (e.textContent || '').trim().slice(0, 20); }"""
    )


def focus_ring(page) -> dict:
    return page.evaluate(
        """() => { let e = document.activeElement;
                   while (e && e.shadowRoot && e.shadowRoot.activeElement) e = e.shadowRoot.activeElement;
                   const s = getComputedStyle(e);
                   return {style: s.outlineStyle, width: parseFloat(s.outlineWidth),
                           visible: e.matches(':focus-visible')}; }"""
    )


def test_tab_reaches_everything_in_order_with_a_focus_ring(browser, base_url):
    session = open_page(browser, base_url)
    page = session.page
    try:
        assert wait_ready(page) == "ready", error_text(page)
        page.locator("body").focus()
        order = []
        for _ in range(40):
            page.keyboard.press("Tab")
            order.append(deep_focus(page))
            if order[-1].startswith("body"):  # past the last control
                break
            ring = focus_ring(page)
            assert ring["visible"] and ring["style"] != "none" and ring["width"] >= 2, (order[-1], ring)
        expected = ["#pad", "#undo", "#clear", "#gradcam-show", "#gradcam-all", *[f"bar{d}" for d in range(10)],
                    "#compare-mlp", "#skip-centring"]  # fmt: skip
        positions = [order.index(name) for name in expected]
        assert positions == sorted(positions), order
        # usable too: a bar picked with the keyboard shows that digit's heatmap
        pad = Pad(page)
        pad.draw(scaled(SEVEN, pad.box()))
        pad.find("#bars li[data-digit='3'] button").focus()
        page.keyboard.press("Enter")
        pad.find('#gradcam[data-class="3"][data-source="picked"]').wait_for(state="attached")
        assert "3" in pad.find("#gradcam").get_attribute("aria-label")
    finally:
        session.context.close()


def test_the_cards_confusion_cells_take_the_keyboard(browser, base_url):
    session = open_page(browser, base_url + "card.html")
    page = session.page
    try:
        page.locator('#card[data-state="ready"]').wait_for(state="attached", timeout=CARD_TIMEOUT_MS)
        seen = []
        for _ in range(200):
            page.keyboard.press("Tab")
            seen.append(page.evaluate("document.activeElement.matches('#confusion button.cell')"))
            if seen[-1]:
                break
        assert seen[-1], "Tab never reached a confusion cell"
        ring = focus_ring(page)
        assert ring["visible"] and ring["style"] != "none" and ring["width"] >= 2, ring
        page.keyboard.press("Enter")
        assert page.locator("#cell-digits[data-true]").count() == 1
    finally:
        session.context.close()


def test_the_prediction_is_announced_once_per_finished_stroke(app, pad):
    page = app.page
    assert pad.find("#prediction").get_attribute("aria-live") is None  # it changes every frame: not live
    region = pad.find("#announcer")
    assert region.get_attribute("role") == "status"
    region.evaluate(
        """r => { window.heard = [];
                  window.listening = new MutationObserver(() => window.heard.push(r.textContent));
                  window.listening.observe(r, {childList: true, characterData: true, subtree: true}); }"""
    )
    box = pad.box()
    for count, stroke in enumerate(scaled(FOUR, box), 1):
        pad.stroke(stroke)
        pad.wait_prediction(count)
        page.wait_for_timeout(400)  # any late announcement would come now
    heard = page.evaluate("window.listening.disconnect(), window.heard")
    assert len(heard) == len(FOUR), heard
    assert all(SPOKEN.match(text) or text.startswith(("Not a digit", "Zero or")) or "?" in text for text in heard), (
        heard
    )
    digit = int(pad.prediction()["digit"])
    percent = round(pad.prediction()["probs"][digit] * 100)
    assert heard[-1].endswith(f"{percent} percent"), heard


def test_dark_mode_changes_the_pad_not_the_models_input(browser, base_url):
    results = {}
    for scheme in ("light", "dark"):
        session = open_page(browser, base_url, color_scheme=scheme, viewport={"width": 1000, "height": 900})
        page = session.page
        try:
            assert wait_ready(page) == "ready", error_text(page)
            pad = Pad(page)
            box = pad.box()
            pad.draw(scaled(SEVEN, box))
            paper = page.locator("#pad").evaluate(
                "c => Array.from(c.getContext('2d').getImageData(4, 4, 1, 1).data.slice(0, 3))"
            )
            results[scheme] = (page.locator("#prediction").get_attribute("data-probs"), paper, pad.bitmap())
        finally:
            session.context.close()
    (light_probs, light_paper, light_ink), (dark_probs, dark_paper, dark_ink) = results["light"], results["dark"]
    assert light_probs == dark_probs
    assert (light_ink == dark_ink).all()
    assert sum(light_paper) > 600 and sum(dark_paper) < 200, (light_paper, dark_paper)


def test_reduced_motion_stops_the_bars_moving(browser, base_url):
    durations = {}
    for motion in ("no-preference", "reduce"):
        context = browser.new_context(reduced_motion=motion)
        page = context.new_page()
        try:
            page.goto(base_url)
            fill = page.locator("#bars li[data-digit='0'] .fill")
            durations[motion] = fill.evaluate("e => getComputedStyle(e).transitionDuration")
        finally:
            context.close()
    assert durations["no-preference"] != "0s" and durations["reduce"] == "0s", durations


@pytest.mark.parametrize("path", ["", "card.html"], ids=["index", "card"])
def test_a_200_percent_zoom_needs_no_horizontal_scrolling(browser, base_url, path):
    """A 1280px window at 200% is a 640px wide viewport (and a phone at 200%, 320px... not asked)."""
    context = browser.new_context(viewport={"width": 640, "height": 400})
    page = context.new_page()
    try:
        page.goto(base_url + path)
        if path:
            page.locator('#card[data-state="ready"]').wait_for(state="attached", timeout=CARD_TIMEOUT_MS)
        else:
            wait_ready(page)
        assert page.evaluate("document.documentElement.scrollWidth") <= 640
    finally:
        context.close()
