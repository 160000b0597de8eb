"""What the end-to-end suites share: one Chromium for the whole session (tests/page, and tests/engines for
Chromium's own answers). One, because Playwright's sync API cannot start a second time while one runs."""

from __future__ import annotations

import pytest

from toolchain import CHROMIUM_ARGS, find_chromium


@pytest.fixture(scope="session")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    chromium = find_chromium()
    if chromium is None:
        pytest.skip("Chromium is not installed: `python3 build.py test` installs it (or set $CHROMIUM)")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
