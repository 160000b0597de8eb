"""Visits that go wrong (issue 39), handled by sw.js: a first visit cut off half-way is finished by the next
one (then the site works offline), and two deploys are never mixed: a tab that runs the old version keeps
being answered from the old version's cache after another tab took the new one, until it is reloaded."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from webapp_kit import ONE, Served, deploy_copy, redeploy, replace, scaled, visit_until_stored, wait_stored, wait_true

from evaluate.pagekit import Pad, error_text, wait_ready
from webapp import precache

pytestmark = pytest.mark.e2e

# Files the page does not need to start: sw.js stores them after the page is ready.
CUT_OFF = ["models/mlp.onnx", "models/test-digits.bin", "card.html"]
VERSION_CACHES = "caches.keys().then((k) => k.filter((n) => n.startsWith('digit-pad-')))"
KEPT = "(name) => caches.open(name).then((c) => c.keys()).then((keys) => keys.map((r) => new URL(r.url).pathname))"
MLP_DEPLOY = "fetch('models/mlp.json').then((r) => r.json()).then((j) => j.deploy ?? null)"


def version_of(site: Path) -> str:
    return json.loads((site / precache.LIST).read_text())["version"]


def test_a_first_visit_cut_off_is_finished_by_the_next(browser, dist: Path):
    served = Served(dist)
    context = browser.new_context()
    cache = precache.CACHE_PREFIX + version_of(dist)
    total = len(json.loads((dist / precache.LIST).read_text())["files"])
    try:
        for path in CUT_OFF:  # the network drops for these while sw.js stores the rest
            context.route(f"**/{path}", lambda route: route.abort("internetdisconnected"))
        page = context.new_page()
        page.goto(served.url)
        assert wait_ready(page) == "ready", error_text(page)
        rest = total - len(CUT_OFF)
        wait_true(page, f"(name) => ({KEPT})(name).then((kept) => kept.length >= {rest})", cache)
        kept = page.evaluate(KEPT, cache)
        assert not any(p.endswith(path) for p in kept for path in CUT_OFF), "a file cut off was kept"

        context.unroute_all()
        page.reload()  # the next visit
        assert wait_ready(page) == "ready", error_text(page)
        wait_stored(page, dist)

        served.stop()
        context.set_offline(True)
        page.reload()
        assert wait_ready(page) == "ready", error_text(page)
        pad = Pad(page)
        assert pad.draw(scaled(ONE, pad.box()))["digit"] == "1"
        page.check("#compare-mlp")  # the MLP: one of the files cut off on the first visit
        assert pad.wait_companion(len(ONE))["digit"] == "1"
        page.uncheck("#compare-mlp")
        page.goto(served.url + "card.html")
        page.locator('#card[data-state="ready"]').wait_for(state="attached", timeout=30_000)
    finally:
        context.set_offline(False)
        context.close()
        served.server.server_close()


def test_two_tabs_on_two_deploys_both_keep_working(browser, dist: Path, tmp_path: Path):
    site = deploy_copy(dist, tmp_path / "site")
    served = Served(site)
    context = browser.new_context()
    try:
        old_tab = visit_until_stored(context, served.url, site)
        old_version = version_of(site)

        # A new deploy: index.html and the MLP's data changed (a marker in each).
        mlp = site / "models" / "mlp.json"
        replace(mlp, json.dumps({**json.loads(mlp.read_text()), "deploy": "2"}))
        new_version = redeploy(site, dist, "2")
        new_tab = context.new_page()
        new_tab.goto(served.url)
        assert wait_ready(new_tab) == "ready", error_text(new_tab)
        notice = new_tab.locator("#update-notice")
        notice.wait_for(state="visible", timeout=120_000)
        with new_tab.expect_navigation():
            notice.locator("button").click()
        assert new_tab.locator('meta[name="deploy"]').get_attribute("content") == "2"
        assert wait_ready(new_tab) == "ready", error_text(new_tab)
        assert new_tab.evaluate(MLP_DEPLOY) == "2"

        # The old tab still runs the old version, answered from its cache: no file of the new one.
        assert sorted(old_tab.evaluate(VERSION_CACHES)) == sorted(f"digit-pad-{v}" for v in (old_version, new_version))
        assert old_tab.evaluate(MLP_DEPLOY) is None
        assert old_tab.locator('meta[name="deploy"]').count() == 0
        pad = Pad(old_tab)
        assert pad.draw(scaled(ONE, pad.box()))["digit"] == "1"
        old_tab.check("#compare-mlp")  # the MLP loads now, in the old tab: the old version's
        assert pad.wait_companion(len(ONE))["digit"] == "1"
        new_pad = Pad(new_tab)
        assert new_pad.draw(scaled(ONE, new_pad.box()))["digit"] == "1"

        # Once the old tab is reloaded it runs the new version, and the old version's cache goes.
        old_tab.reload()
        assert wait_ready(old_tab) == "ready", error_text(old_tab)
        assert old_tab.locator('meta[name="deploy"]').get_attribute("content") == "2"
        wait_true(old_tab, f"() => {VERSION_CACHES}.then((k) => k.length === 1 && k[0] === 'digit-pad-{new_version}')")
    finally:
        context.close()
        served.stop()
