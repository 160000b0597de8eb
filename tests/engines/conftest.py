"""Fixtures for the smoke suite in the other browser engines (issue 39): Firefox (firefox.py) and WebKit
(webkit.py), each started once for its tests; dist/ served by build.py's own server; five held-out
pendigits digits and the answers Chromium gives for them. Engines or data that are missing skip, saying why."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from served import Site

import build
from toolchain import find_firefox, find_webkit
from train import contract, pendigits

DIGITS = 5
SEED = 0
INSTALL = "`python3 build.py test` installs it as root on Debian"


@pytest.fixture(scope="session")
def dist() -> Path:
    """dist/, built by `build.py test` (which sets $DIGIT_PAD_DIST), else built here."""
    given = os.environ.get("DIGIT_PAD_DIST")
    return Path(given).resolve() if given else build.build_if_needed()


@pytest.fixture(scope="session")
def site(dist: Path) -> Iterator[Site]:
    served = Site(dist)
    yield served
    served.stop()


def start_firefox():
    from firefox import Firefox

    binary, node = find_firefox(), shutil.which("node")
    if binary is None:
        pytest.skip(f"Firefox is not installed: {INSTALL} (apt-get install firefox-esr), or set $FIREFOX")
    if node is None or not (build.NODE_MODULES / "puppeteer-core").is_dir():
        pytest.skip("Node.js with puppeteer-core (package-lock.json) is needed to drive Firefox: `npm ci`")
    return Firefox(binary, node)


def start_webkit():
    pytest.importorskip("selenium", reason="selenium (pyproject.toml's test extra) drives WebKit")
    from webkit import WebKit

    found = find_webkit()
    if found is None or shutil.which("Xvfb") is None:
        pytest.skip(f"WebKitGTK's WebDriver or Xvfb is not installed: {INSTALL} (webkit2gtk-driver, xvfb)")
    return WebKit(*found)


@pytest.fixture(scope="module", params=["firefox", "webkit"])
def engine(request):
    """One engine, started once for the module's tests (all of Firefox's, then all of WebKit's)."""
    started = start_firefox() if request.param == "firefox" else start_webkit()
    yield started
    started.close()


@pytest.fixture(scope="session")
def held_out() -> list[list[list[tuple[float, float]]]]:
    """Five digits of pendigits' held-out writers, as strokes in the ink bitmap's pixels (Digit mode)."""
    if pendigits.resolve_path() is None:
        pytest.skip(f"pendigits data not found: set ${pendigits.ENV_VAR} to the folder holding {pendigits.FILE_NAME}")
    digits = pendigits.spread_sample(pendigits.by_writers(pendigits.load(), pendigits.HELD_OUT_WRITERS), DIGITS, SEED)
    return [d.on_pad(contract.BITMAP_SIZE, contract.BITMAP_SIZE) for d in digits]


@pytest.fixture(scope="session")
def chromium_answers(browser, site: Site, held_out) -> list[str]:
    """What Chromium (the engine every other test runs in; tests/conftest.py's) reads for the same strokes."""
    from evaluate.pagekit import Pad, error_text, open_page, wait_ready

    session = open_page(browser, site.url)
    try:
        assert wait_ready(session.page) == "ready", error_text(session.page)
        pad, answers = Pad(session.page), []
        for strokes in held_out:
            answers.append(pad.draw_bitmap(strokes)["digit"])
            pad.clear()
        return answers
    finally:
        session.context.close()


@pytest.fixture(scope="session")
def figures() -> Iterator[list[dict]]:
    """Each engine's row of figures (version, ready time, answers), printed as a table at the end (`-s`)."""
    rows: list[dict] = []
    yield rows
    if rows:
        print("\n\nengine             | ready (ms) | held-out digits: answers (Chromium's) | Number mode | offline")
        for row in rows:
            print(f"{row['engine']:<18} | {row.get('ready_ms', '-'):>10} | {row.get('answers', '-'):<37} | "
                  f"{row.get('number', '-'):<11} | {row.get('offline', '-')}")  # fmt: skip
