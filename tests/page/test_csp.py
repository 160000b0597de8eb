"""The Content Security Policy: the header equals each page's meta, and nothing the site
does while loading, drawing, picking bars, switching the MLP on and opening the model card
breaks it; 'unsafe-eval' is there because PyScript fails without it (measured)."""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from webapp_kit import ONE, WATCH_VIOLATIONS, Served, deploy_copy, replace, scaled, violations

from evaluate.pagekit import Pad, error_text, wait_ready
from webapp import csp
from webapp.server import DistHandler

pytestmark = pytest.mark.e2e
REQUIRED = {
    "default-src": ["'self'"],
    "connect-src": ["'self'"],
    "img-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'none'"],
}


@pytest.mark.parametrize("name", ["index.html", "embed.html", "card.html"])
def test_each_page_states_a_strict_policy(dist: Path, name: str):
    policy = csp.policy_of((dist / name).read_text())
    assert policy, f"{name} has no CSP meta"
    found = csp.directives(policy)
    for directive, sources in REQUIRED.items():
        assert found.get(directive) == sources, directive
    scripts = set(found["script-src"])
    assert "'unsafe-inline'" not in scripts and "'self'" in scripts
    expected = {"'self'"} if name == "card.html" else {"'self'", "'wasm-unsafe-eval'", "'unsafe-eval'"}
    assert scripts == expected


def test_the_server_sends_each_pages_policy_as_a_header(dist: Path):
    served = Served(dist)
    try:
        for path, page in (
            ("", "index.html"),
            ("card.html", "card.html"),
            ("js/element/inference-worker.js", "index.html"),
        ):
            with urllib.request.urlopen(served.url + path) as response:
                assert response.headers["Content-Security-Policy"] == csp.policy_of((dist / page).read_text()), path
    finally:
        served.stop()


class Reporting(DistHandler):
    """build.py's handler, also reporting (never enforcing) the same policy: violations in the
    workers, which fire no event in the page, come back as reports."""

    quiet = True
    reports: list[dict] = []
    lock = threading.Lock()

    def end_headers(self) -> None:
        policy = self.policy()
        if policy:
            self.send_header("Content-Security-Policy-Report-Only", policy + "; report-uri /csp-report")
        super().end_headers()

    def do_POST(self) -> None:  # noqa: N802 (the base class's naming)
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with self.lock:
            self.reports.append(json.loads(body or b"{}"))
        self.send_response(204)
        self.end_headers()


def test_no_violation_while_using_the_site(browser, dist: Path):
    Reporting.reports = []
    served = Served(dist, Reporting)
    context = browser.new_context()
    try:
        context.add_init_script(WATCH_VIOLATIONS)
        page = context.new_page()
        page.goto(served.url)
        assert wait_ready(page) == "ready", error_text(page)
        pad = Pad(page)
        prediction = pad.draw(scaled(ONE, pad.box()))
        other = "7" if prediction["digit"] != "7" else "1"
        page.click(f'#bars li[data-digit="{other}"] button')
        page.check("#compare-mlp")
        pad.wait_companion(1)
        page.uncheck("#compare-mlp")
        assert violations(page) == []
        page.click('a[href="card.html"]')
        page.locator('#card[data-state="ready"]').wait_for(state="attached", timeout=30_000)
        page.locator("#confusion .cell[data-count]:not([data-count='0'])").first.click()
        assert violations(page) == []
        page.goto(served.url + "embed.html")
        page.locator("#demo-cnn").evaluate(
            "e => new Promise(r => e.state === 'ready' ? r() : e.addEventListener('digit-pad:ready', r))"
        )
        assert violations(page) == []
        assert Reporting.reports == []
    finally:
        context.close()
        served.stop()


def test_pyscript_needs_unsafe_eval(browser, dist: Path, tmp_path: Path):
    """Measured, not assumed: without 'unsafe-eval' PyScript's core is refused an eval. When this
    fails, PyScript no longer needs it: take it out of the pages' policy."""
    site = deploy_copy(dist, tmp_path / "site")
    html = (site / "index.html").read_text()
    replace(site / "index.html", html.replace(" 'unsafe-eval'", ""))
    served = Served(site)
    context = browser.new_context()
    try:
        context.add_init_script(WATCH_VIOLATIONS)
        page = context.new_page()
        page.goto(served.url)
        deadline = time.monotonic() + 90
        while not (seen := violations(page)) and time.monotonic() < deadline:
            page.wait_for_timeout(250)  # (wait_for_function evaluates a string: the policy refuses that)
        assert any(v.startswith("script-src eval") and "/vendor/pyscript/" in v for v in seen), seen
    finally:
        context.close()
        served.stop()
