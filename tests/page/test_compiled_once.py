"""What the browser compiles once stays compiled (issue 38): it keeps compiled WebAssembly and scripts beside
a cached file and finds them through the very response it handed out, so the page hands out the browser's
own responses, never copies made anew:

- the workers' downloads are counted on a copy read alongside (download-counter.js), and `fetch` still gives
  the browser's response (a Response made by script has the type "default", the browser's "basic");
- sw.js keeps each file with the headers it answers with, and answers with the cache's own response.

Measured, not asserted here: a warm load compiled Pyodide's WebAssembly afresh (5 s of optimizing compilation on
this machine) while the responses were copies (docs/experiments.md, "the warm visit")."""

from __future__ import annotations

from pathlib import Path

import pytest
from webapp_kit import Served, visit_until_stored

from evaluate.pagekit import error_text, wait_ready
from webapp import precache

pytestmark = pytest.mark.e2e

# In a worker that counts its downloads: the type of the response its fetch() gives for a site file.
FETCHED_TYPE = "(path) => fetch(new URL(path, location.href)).then((response) => response.type)"
# Each kept file's answer headers, from sw.js's cache: [path, COEP, content type].
KEPT_HEADERS = """async (name) => {
  const cache = await caches.open(name);
  const kept = await cache.keys();
  return Promise.all(kept.map(async (request) => {
    const response = await cache.match(request);
    return [new URL(request.url).pathname, response.headers.get("Cross-Origin-Embedder-Policy"),
            response.headers.get("Content-Type")];
  }));
}"""


def test_the_workers_count_their_downloads_on_the_browsers_own_responses(browser, base_url):
    context = browser.new_context(service_workers="block")
    try:
        page = context.new_page()
        page.goto(base_url)
        assert wait_ready(page) == "ready", error_text(page)
        inference = next(w for w in page.workers if w.url.endswith("/inference-worker.js"))
        # (the worker's fetch is the counting one: its downloads were counted, tests/page/test_progress.py)
        assert inference.evaluate(FETCHED_TYPE, "../../models/cnn.onnx") == "basic"
    finally:
        context.close()


def test_sw_js_keeps_each_file_with_the_headers_it_answers_with(browser, dist: Path):
    """On a host that sends no isolation headers (GitHub Pages), sw.js keeps them with each file."""
    served = Served(dist, isolation=False)
    context = browser.new_context()
    try:
        page = visit_until_stored(context, served.url, dist)
        name, count = precache.stored_site(dist)
        kept = page.evaluate(KEPT_HEADERS, name)
        assert len(kept) == count
        assert [path for path, coep, _ in kept if coep != "require-corp"] == []
        types = {path.rsplit(".", 1)[-1]: kind for path, _, kind in kept}
        assert types["wasm"] == "application/wasm"
        assert types["js"] == "text/javascript"
    finally:
        context.close()
        served.stop()
