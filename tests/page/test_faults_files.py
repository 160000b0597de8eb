"""Faults of the site's files and storage (issue 39), handled by sw.js and js/offline/:

- a file damaged in the offline copy is caught by its integrity hash and fetched again;
- a file damaged there that the server sends damaged too is refused: the element names it and nothing
  half-loaded runs;
- storage full, or no service worker at all: the page works online and says once, quietly, that it is
  not kept for offline use.

Each test opens a context of its own (its own caches and service worker)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from webapp_kit import ONE, scaled, wait_stored, wait_true

from evaluate.pagekit import Pad, error_text, open_page, wait_ready
from webapp import precache

pytestmark = pytest.mark.e2e

DAMAGED = b"not the file this site was built with"
# The SHA-256 integrity of what the cache holds for a path ("" when it holds nothing).
CACHED_INTEGRITY = """async ([name, path]) => {
  const cached = await (await caches.open(name)).match(path);
  if (!cached) return "";
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", await cached.arrayBuffer()));
  return "sha256-" + btoa(String.fromCharCode(...digest));
}"""
DAMAGE_CACHED = """async ([name, path, text]) => {
  const headers = { "Content-Type": "application/octet-stream" };
  await (await caches.open(name)).put(path, new Response(text, { headers }));
}"""
ERROR_NAMES = """(path) => {
  const error = document.getElementById("digit-pad").shadowRoot.getElementById("error");
  return error.textContent.includes(path);
}"""
NOT_KEPT = "cannot be kept for offline use"


def listing(dist: Path) -> dict:
    return json.loads((dist / precache.LIST).read_text())


def integrity_of(dist: Path, path: str) -> str:
    return next(f["integrity"] for f in listing(dist)["files"] if f["path"] == path)


def test_a_damaged_file_in_the_offline_copy_is_fetched_again(browser, base_url, dist: Path):
    session = open_page(browser, base_url)
    page = session.page
    cache = precache.CACHE_PREFIX + listing(dist)["version"]
    damaged = ["models/cnn.onnx", "vendor/pyodide/python_stdlib.zip"]  # the model and a runtime file
    try:
        assert wait_ready(page) == "ready", error_text(page)
        wait_stored(page, dist)
        for path in damaged:
            page.evaluate(DAMAGE_CACHED, [cache, path, DAMAGED.decode()])
            assert page.evaluate(CACHED_INTEGRITY, [cache, path]) != integrity_of(dist, path)

        page.reload()
        assert wait_ready(page) == "ready", error_text(page)
        pad = Pad(page)
        assert pad.draw(scaled(ONE, pad.box()))["digit"] == "1"
        for path in damaged:  # the good file is kept again
            wait_true(page, f"(args) => ({CACHED_INTEGRITY})(args).then((got) => got === args[2])",
                      [cache, path, integrity_of(dist, path)])  # fmt: skip
        assert session.console_errors == []
    finally:
        session.context.close()


@pytest.mark.parametrize("path", ["models/cnn.onnx", "vendor/pyodide/python_stdlib.zip"])
def test_a_file_damaged_in_the_copy_and_on_the_server_is_named_and_not_run(browser, base_url, dist: Path, path: str):
    """The model or a runtime file is damaged in the offline copy, and the server (here: the network, through
    Playwright's routing) sends wrong bytes for it too: sw.js refuses them, the element says which file, and
    the page goes no further."""
    session = open_page(browser, base_url)
    page, context = session.page, session.context
    cache = precache.CACHE_PREFIX + listing(dist)["version"]
    answers: list[tuple[str, int]] = []  # (url, status) of every answer for the damaged file
    try:
        assert wait_ready(page) == "ready", error_text(page)
        wait_stored(page, dist)
        page.evaluate(DAMAGE_CACHED, [cache, path, DAMAGED.decode()])
        context.route(f"**/{path}", lambda route: route.fulfill(status=200, body=DAMAGED))
        context.on("response", lambda r: r.url.endswith(path) and answers.append((r.url, r.status)))

        page.reload()
        assert wait_ready(page) == "error"
        page.wait_for_function(ERROR_NAMES, arg=path)
        assert f"The site's file {path} arrived damaged" in error_text(page)
        for _ in range(40):  # sw.js tells the page before it answers: the 502's event may still be on its way
            if any(status == 502 for _, status in answers):
                break
            page.wait_for_timeout(250)
        assert [status for _, status in answers if status == 502], f"the damaged bytes were not refused: {answers}"
        assert page.get_attribute("#prediction", "data-state") == "error"
        assert page.get_attribute("#prediction", "data-digit") == ""
    finally:
        context.close()


def test_storage_full_runs_online_and_says_so_once(browser, base_url, dist: Path):
    context = browser.new_context()
    try:
        page = context.new_page()
        origin = base_url.rstrip("/")
        cdp = context.new_cdp_session(page)
        cdp.send("Storage.overrideQuotaForOrigin", {"origin": origin, "quotaSize": 200_000})
        page.goto(base_url)
        assert wait_ready(page) == "ready", error_text(page)
        pad = Pad(page)
        assert pad.draw(scaled(ONE, pad.box()))["digit"] == "1"
        notice = page.locator("#offline-notice")
        notice.wait_for(state="visible", timeout=60_000)
        assert NOT_KEPT in notice.inner_text()
        assert notice.get_attribute("role") == "status"  # a quiet notice, not an alert
        pad.clear()
        assert pad.draw(scaled(ONE, pad.box()))["digit"] == "1"
        assert page.locator("#offline-notice").count() == 1
        notice.locator("button").click()
        assert notice.is_hidden()
        cdp.send("Storage.overrideQuotaForOrigin", {"origin": origin})
    finally:
        context.close()


def test_without_a_service_worker_the_page_runs_and_says_so_once(browser, base_url):
    context = browser.new_context()
    try:
        context.add_init_script("delete Navigator.prototype.serviceWorker;")
        page = context.new_page()
        page.goto(base_url)
        assert wait_ready(page) == "ready", error_text(page)
        assert page.evaluate("'serviceWorker' in navigator") is False
        pad = Pad(page)
        assert pad.draw(scaled(ONE, pad.box()))["digit"] == "1"
        notice = page.locator("#offline-notice")
        assert NOT_KEPT in notice.inner_text() and notice.count() == 1
    finally:
        context.close()
