"""A phone's network, made at the server: every response waits one round trip before its headers,
and every body shares one link of fixed bandwidth (a token bucket across all connections).

Why at the server and not with Chromium's Network.emulateNetworkConditions: the page's conditions
do not reach its dedicated workers (which download Pyodide, numpy, onnxruntime-web and the models),
and a worker's own DevTools target answers that command with "Not supported"; a server that sends
slowly slows every request of the page, its workers and its service worker alike."""

from __future__ import annotations

import functools
import threading
import time
from pathlib import Path

from webapp.server import DistHandler, DistServer

DOWNLOAD_MBIT_S = 10  # the link's bandwidth, shared by every response
ROUND_TRIP_MS = 40  # before each response's first byte
CHUNK = 16 * 1024  # bytes paced at a time


class Link:
    """One link's bandwidth, shared: `wait(size)` returns once `size` bytes would have crossed it."""

    def __init__(self, bits_per_s: float) -> None:
        self.bytes_per_s = bits_per_s / 8
        self.free_at = 0.0  # when the link has sent what it was given so far (time.monotonic)
        self.lock = threading.Lock()

    def wait(self, size: int) -> None:
        with self.lock:
            done = max(time.monotonic(), self.free_at) + size / self.bytes_per_s
            self.free_at = done
        time.sleep(max(0.0, done - time.monotonic()))


class ShapedHandler(DistHandler):
    """build.py's handler, answering through `link` after one round trip."""

    quiet = True
    link: Link

    def setup(self) -> None:
        super().setup()
        raw, link = self.wfile, self.link

        class Paced:
            def write(self, data) -> int:
                view = memoryview(data)
                for start in range(0, len(view), CHUNK):
                    piece = view[start : start + CHUNK]
                    link.wait(len(piece))
                    raw.write(piece)
                return len(view)

            def __getattr__(self, name):
                return getattr(raw, name)

        self.wfile = Paced()

    def send_response(self, code: int, message: str | None = None) -> None:
        time.sleep(ROUND_TRIP_MS / 1000)
        super().send_response(code, message)


def make_server(directory: Path, isolation: bool = True) -> DistServer:
    """A server for `directory` on 127.0.0.1 (any free port) behind a phone's link of its own."""
    link = Link(DOWNLOAD_MBIT_S * 1e6)
    handler = type("Handler", (ShapedHandler,), {"link": link, "isolation": isolation})
    return DistServer(("127.0.0.1", 0), functools.partial(handler, directory=str(directory)))
