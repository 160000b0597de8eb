"""Helpers for the offline, update and CSP tests: a server that can be stopped, a
deploy folder that can be changed, and the policy violations a page saw."""

from __future__ import annotations

import os
import shutil
import threading
import time
from pathlib import Path

from evaluate.pagekit import error_text, wait_ready
from webapp import precache
from webapp.server import DistServer, make_server

ONE = [[(0.50, 0.20), (0.50, 0.40), (0.50, 0.60), (0.50, 0.80)]]
STORE_TIMEOUT_MS = 120_000  # sw.js stores the 37 MB build in the background, on a busy machine

# Every securitypolicyviolation event of every document of the context, kept across reloads.
WATCH_VIOLATIONS = """
document.addEventListener('securitypolicyviolation', (e) => {
  const seen = JSON.parse(sessionStorage.getItem('csp-violations') || '[]');
  seen.push(`${e.effectiveDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
  sessionStorage.setItem('csp-violations', JSON.stringify(seen));
});
"""


def violations(page) -> list[str]:
    return page.evaluate("JSON.parse(sessionStorage.getItem('csp-violations') || '[]')")


class Served:
    """`directory` served by build.py's own server until stop() (`isolation`: with its isolation headers)."""

    def __init__(self, directory: Path, handler: type | None = None, isolation: bool = True) -> None:
        if handler is None:
            self.server = make_server(directory, 0, quiet=True, isolation=isolation)
        else:
            import functools

            self.server = DistServer(("127.0.0.1", 0), functools.partial(handler, directory=str(directory)))
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def scaled(strokes, box) -> list[list[tuple[float, float]]]:
    return [[(x * box["width"], y * box["height"]) for x, y in points] for points in strokes]


def wait_true(page, function: str, arg=None, timeout_s: float = STORE_TIMEOUT_MS / 1000) -> None:
    """Until `function` (JavaScript, given `arg`; it may return a promise, which wait_for_function would not
    await) is true in `page`."""
    deadline = time.monotonic() + timeout_s
    while not page.evaluate(function, arg):
        if time.monotonic() > deadline:
            raise TimeoutError(f"still false after {timeout_s} s: {function}")
        time.sleep(0.25)


def wait_stored(page, dist: Path) -> None:
    """Until sw.js controls the page and has stored every file of the build in `dist` (it stores the
    files the page did not need at once after the page is ready)."""
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=STORE_TIMEOUT_MS)
    precache.wait_stored(page, dist, STORE_TIMEOUT_MS / 1000)


def visit_until_stored(context, url: str, dist: Path):
    """A new page of `context` at `url`, once it is ready and sw.js has stored the build in `dist`."""
    page = context.new_page()
    page.goto(url)
    assert wait_ready(page) == "ready", error_text(page)
    wait_stored(page, dist)
    return page


def deploy_copy(dist: Path, folder: Path) -> Path:
    """A copy of dist/ made of hard links (cheap): change files only with `replace`."""
    shutil.copytree(dist, folder, copy_function=os.link)
    return folder


def replace(path: Path, text: str) -> None:
    """Writes a new file in place of a hard link, leaving dist/'s file as it was."""
    path.unlink()
    path.write_text(text)


def redeploy(folder: Path, dist: Path, marker: str) -> str:
    """A new build in `folder`: index.html gains <meta name="deploy" content=marker>, and the
    precache list and sw.js are rewritten as build.py does. Returns the new version."""
    index = folder / "index.html"
    replace(index, index.read_text().replace("<head>", f'<head>\n  <meta name="deploy" content="{marker}">', 1))
    for name in (precache.SW, precache.LIST):
        (folder / name).unlink()
        shutil.copy(dist / name, folder / name)
    return precache.write(folder)["version"]
