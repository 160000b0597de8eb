"""Offline: bytes the server sends on a first and a second visit, and time to ready with the
server stopped and the browser offline (one persistent profile, as a returning visitor).

Bytes are counted where they leave the server (headers and bodies, every request of the
page, its workers and sw.js), so nothing the browser answers from a cache is counted."""

from __future__ import annotations

import functools
import shutil
import tempfile
import threading
import time
from pathlib import Path

from bench import loads
from webapp import precache
from webapp.server import DistHandler, DistServer

STORE_TIMEOUT_MS = 180_000


class Counting(DistHandler):
    """build.py's handler, counting what it writes to the socket."""

    quiet = True
    sent = [0, 0]  # [bytes, requests], shared by the server's threads
    lock = threading.Lock()

    def setup(self) -> None:
        super().setup()
        handler, raw = self, self.wfile

        class Writer:
            def write(self, data) -> int:
                with handler.lock:
                    handler.sent[0] += len(data)
                return raw.write(data)

            def __getattr__(self, name):
                return getattr(raw, name)

        self.wfile = Writer()

    def send_response(self, code: int, message: str | None = None) -> None:
        with self.lock:
            self.sent[1] += 1
        super().send_response(code, message)


SW_ACTIVE = "navigator.serviceWorker.getRegistration().then((r) => Boolean(r?.active))"


def visit(context, url: str, dist: Path, stored: bool, sent: list[int] | None = None) -> float:
    """Loads the page, waits until ready (and, on the first visit, until sw.js has stored the
    site); returns the digit-pad:ready mark in ms. `sent` (the handler's count) gains the bytes
    sent until ready and sw.js installed."""
    page = context.pages[0] if context.pages else context.new_page()
    page.goto(url)
    page.wait_for_function(loads.PAGE_READY, timeout=loads.TIMEOUT_MS)
    error = page.evaluate(loads.PAGE_ERROR)
    if error:
        raise RuntimeError(f"the page failed to load: {error}")
    if sent is not None:  # ... and sw.js installed (after ready it may have begun storing the rest: counted too)
        deadline = time.monotonic() + loads.TIMEOUT_MS / 1000
        while not page.evaluate(SW_ACTIVE) and time.monotonic() < deadline:
            time.sleep(0.05)
        sent.append(sent[0])
    if stored:  # every file: what the page needed at once, then the rest (sw.js stores it once the page is ready)
        precache.wait_stored(page, dist, STORE_TIMEOUT_MS / 1000)
    return page.evaluate("performance.getEntriesByName('digit-pad:ready')[0]?.startTime ?? null")


def measure(playwright, chromium: str, dist: Path, args: list[str]) -> dict:
    """{first, second: {bytes, requests, ready_ms}, offline_ready_ms, precache_bytes}."""
    handler = type("Handler", (Counting,), {"sent": [0, 0]})
    server = DistServer(("127.0.0.1", 0), functools.partial(handler, directory=str(dist)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    profile = Path(tempfile.mkdtemp(prefix="digit-pad-offline-"))
    figures = {}
    launch = functools.partial(
        playwright.chromium.launch_persistent_context, str(profile), executable_path=chromium, args=args, headless=True
    )
    try:
        for visit_name, stored in (("first", True), ("second", False)):
            handler.sent[:] = [0, 0]  # (visit appends the bytes sent until ready)
            context = launch()
            try:
                ready = visit(context, url, dist, stored, handler.sent)
            finally:
                context.close()
            figures[visit_name] = {
                "bytes": handler.sent[0],
                "requests": handler.sent[1],
                "ready_ms": ready,
                "bytes_at_ready": handler.sent[2],
            }
        server.shutdown()
        server.server_close()
        context = launch(offline=True)
        try:
            figures["offline_ready_ms"] = visit(context, url, dist, False)
        finally:
            context.close()
    finally:
        server.server_close()
        shutil.rmtree(profile, ignore_errors=True)
    figures["precache_bytes"] = sum(p.stat().st_size for p in dist.rglob("*") if p.is_file())
    return figures


def report(f: dict) -> None:
    first, second = f["first"], f["second"]
    print("a returning visitor (bench/offline.py: bytes the server sent, headers included)")
    print(f"  first visit, until ready and sw.js installed: {first['bytes_at_ready'] / 1e6:8.2f} MB; until it has "
          f"stored the whole site: {first['bytes'] / 1e6:8.2f} MB in {first['requests']} responses, ready at "
          f"{first['ready_ms'] / 1000:.2f} s")  # fmt: skip
    print(f"  second visit:  {second['bytes']:,} bytes in {second['requests']} responses (sw.js update check), "
          f"ready at {second['ready_ms'] / 1000:.2f} s")  # fmt: skip
    print(f"  offline (server stopped, browser offline): ready at {f['offline_ready_ms'] / 1000:.2f} s")
