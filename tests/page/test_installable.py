"""Installable: the manifest's fields, its icons load in the page, and Chromium itself
reports no installability error (Page.getInstallabilityErrors, the check behind its
install prompt). Lighthouse is not pinned in package-lock.json, so its audits are not run."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pytest
from webapp_kit import Served

from evaluate.pagekit import error_text, wait_ready
from toolchain import CHROMIUM_ARGS, find_chromium

pytestmark = pytest.mark.e2e


def test_the_manifest_has_what_installing_needs(base_url: str):
    with urllib.request.urlopen(base_url + "manifest.webmanifest") as response:
        assert response.headers["Content-Type"] == "application/manifest+json"
        manifest = json.load(response)
    assert manifest["display"] == "standalone" and manifest["start_url"] == "./" and manifest["scope"] == "./"
    assert manifest["name"] and manifest["short_name"] and manifest["description"]
    assert manifest["theme_color"].startswith("#") and manifest["background_color"].startswith("#")
    sizes = {(icon["sizes"], icon["purpose"]) for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes


def test_chromium_finds_the_page_installable_and_its_icons_load(browser, dist: Path, tmp_path: Path):
    served = Served(dist)
    # A profile on disk: Chromium offers no install in a context without one ("in-incognito").
    context = browser.browser_type.launch_persistent_context(
        str(tmp_path / "profile"), executable_path=find_chromium(), args=CHROMIUM_ARGS, headless=True
    )
    try:
        page = context.pages[0] if context.pages else context.new_page()
        page.goto(served.url)
        assert wait_ready(page) == "ready", error_text(page)
        loaded = page.evaluate(
            """async () => {
                 const manifest = await (await fetch(document.querySelector('link[rel=manifest]').href)).json();
                 return Promise.all(manifest.icons.map(icon => new Promise(resolve => {
                   const image = new Image();
                   image.onload = () => resolve([icon.sizes, `${image.naturalWidth}x${image.naturalHeight}`]);
                   image.onerror = () => resolve([icon.sizes, 'failed']);
                   image.src = new URL(icon.src, document.querySelector('link[rel=manifest]').href);
                 })));
               }"""
        )
        assert loaded and all(wanted == got for wanted, got in loaded), loaded
        page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=120_000)
        cdp = context.new_cdp_session(page)
        errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
        assert errors == [], errors
    finally:
        context.close()
        served.stop()
