"""Offline after the first visit, under a sub-path; and a new deploy noticed, run after a reload."""

from __future__ import annotations

from pathlib import Path

import pytest
from webapp_kit import (
    ONE,
    WATCH_VIOLATIONS,
    Served,
    deploy_copy,
    redeploy,
    scaled,
    violations,
    visit_until_stored,
    wait_stored,
    wait_true,
)

from evaluate.pagekit import Pad, error_text, wait_ready

pytestmark = pytest.mark.e2e
PREFIX = "digit-pad/"
VERSION_CACHES = "caches.keys().then(k => k.filter(n => n.startsWith('digit-pad-')))"  # one per version


def test_offline_after_the_first_visit_under_a_sub_path(browser, dist: Path, tmp_path: Path):
    (tmp_path / "digit-pad").symlink_to(dist, target_is_directory=True)
    served = Served(tmp_path)
    context = browser.new_context()
    try:
        context.add_init_script(WATCH_VIOLATIONS)
        requests: list[str] = []
        context.on("request", lambda r: requests.append(r.url))
        page = context.new_page()
        page.goto(served.url + PREFIX)
        assert wait_ready(page) == "ready", error_text(page)
        wait_stored(page, dist)
        outside = [u for u in requests if not u.startswith(served.url + PREFIX) and not u.startswith("blob:")]
        assert outside == [], "requests outside the site's sub-path (or to another origin)"

        served.stop()
        context.set_offline(True)
        requests.clear()
        page.reload()
        assert wait_ready(page) == "ready", error_text(page)
        pad = Pad(page)
        assert pad.draw(scaled(ONE, pad.box()))["digit"] == "1"
        page.click('a[href="card.html"]')
        page.locator('#card[data-state="ready"]').wait_for(state="attached", timeout=30_000)
        assert all(u.startswith(served.url + PREFIX) or u.startswith(("blob:", "data:")) for u in requests)
        assert violations(page) == []
    finally:
        context.set_offline(False)
        context.close()
        served.server.server_close()


def test_a_new_deploy_is_noticed_and_runs_after_reload(browser, dist: Path, tmp_path: Path):
    site = deploy_copy(dist, tmp_path / "site")
    served = Served(site)
    context = browser.new_context()
    try:
        page = visit_until_stored(context, served.url, dist)
        old = page.evaluate(VERSION_CACHES)

        version = redeploy(site, dist, "2")
        page.reload()
        assert wait_ready(page) == "ready", error_text(page)
        assert page.locator('meta[name="deploy"]').count() == 0, "the new files were swapped under a running page"
        notice = page.locator("#update-notice")
        notice.wait_for(state="visible", timeout=120_000)
        assert notice.inner_text().startswith("A new version is ready: reload")

        with page.expect_navigation():
            notice.locator("button").click()
        assert page.locator('meta[name="deploy"]').get_attribute("content") == "2"
        assert wait_ready(page) == "ready", error_text(page)
        assert page.locator("#update-notice").count() == 0
        # The old version's cache goes once no page runs it (the page asks sw.js to store the rest when ready).
        wait_true(page, f"() => {VERSION_CACHES}.then(k => k.length === 1 && k[0] === 'digit-pad-{version}')")
        assert old != [f"digit-pad-{version}"]
    finally:
        context.close()
        served.stop()
