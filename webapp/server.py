"""The static server for dist/ (`python3 build.py serve`, the tests, the benchmarks): the right
types for wasm and modules, each page's Content Security Policy as a header, (unless
`isolation` is off) the cross-origin isolation headers a static host would be asked to send, and
each file's precompressed sibling (webapp/precompress.py) to a browser that accepts its encoding."""

from __future__ import annotations

import email.utils
import functools
import http.server
import sys
from pathlib import Path

from webapp import csp, precompress

ISOLATION_HEADERS = {
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Embedder-Policy": "require-corp",
    "Cross-Origin-Resource-Policy": "same-origin",
}
MIME_TYPES = {
    ".wasm": "application/wasm",
    ".mjs": "text/javascript",
    ".js": "text/javascript",
    ".json": "application/json",
    ".onnx": "application/octet-stream",
    ".whl": "application/octet-stream",
    ".zip": "application/zip",
    ".py": "text/x-python",
    ".webmanifest": "application/manifest+json",
    ".png": "image/png",
}


@functools.lru_cache(maxsize=64)
def page_policy(path: Path, mtime_ns: int) -> str | None:
    """The Content Security Policy a page states in its <meta> (cached per file version)."""
    return csp.policy_of(path.read_text(errors="replace"))


def fresh(sibling: Path, path: Path) -> bool:
    """A sibling made from the file as it is: no older than the file (a file edited or redeployed after the
    build keeps a stale sibling, which must not be sent)."""
    return path.is_file() and sibling.is_file() and sibling.stat().st_mtime_ns >= path.stat().st_mtime_ns


class DistHandler(http.server.SimpleHTTPRequestHandler):
    """Static files with the right wasm/module types, the pages' Content Security Policy as a
    header and (unless `isolation` is off) the cross-origin isolation headers."""

    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, **MIME_TYPES}
    quiet = False
    isolation = True
    varies = False  # the file answered has precompressed siblings: its response varies with Accept-Encoding

    def send_head(self):
        """A file's precompressed sibling when the browser accepts its encoding (Content-Encoding, the file's own
        type, Vary: Accept-Encoding); otherwise what SimpleHTTPRequestHandler sends."""
        path = Path(self.translate_path(self.path))
        if path.is_dir() and self.path.split("?")[0].endswith("/"):
            path = path / "index.html"  # (a folder without its slash: the base class redirects)
        siblings = {e: path.with_name(path.name + suffix) for e, suffix in precompress.ENCODINGS.items()}
        siblings = {e: sibling for e, sibling in siblings.items() if fresh(sibling, path)}
        self.varies = bool(siblings)
        accepted = {part.split(";")[0].strip() for part in self.headers.get("Accept-Encoding", "").split(",")}
        encoding = next((e for e in siblings if e in accepted), None)
        if encoding is None:
            return super().send_head()
        stat = path.stat()
        if self.not_modified_since(stat.st_mtime):
            self.send_response(http.HTTPStatus.NOT_MODIFIED)
            self.end_headers()
            return None
        body = siblings[encoding].open("rb")
        self.send_response(http.HTTPStatus.OK)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", encoding)
        self.send_header("Content-Length", str(siblings[encoding].stat().st_size))
        self.send_header("Last-Modified", self.date_time_string(stat.st_mtime))
        self.end_headers()
        return body

    def not_modified_since(self, mtime: float) -> bool:
        """If-Modified-Since, as SimpleHTTPRequestHandler heeds it: the file is no newer."""
        since = self.headers.get("If-Modified-Since")
        if not since or "If-None-Match" in self.headers:
            return False
        try:
            return int(mtime) <= email.utils.parsedate_to_datetime(since).timestamp()
        except (TypeError, ValueError, IndexError, OverflowError):
            return False

    def end_headers(self) -> None:
        for name, value in ISOLATION_HEADERS.items() if self.isolation else ():
            self.send_header(name, value)
        self.send_header("Cache-Control", "no-cache")  # revalidate: a rebuilt dist is seen at once
        if self.varies:
            self.send_header("Vary", "Accept-Encoding")
        policy = self.policy()
        if policy:
            self.send_header("Content-Security-Policy", policy)
        super().end_headers()

    def policy(self) -> str | None:
        """A page's own policy (its <meta>); for any other file that of the nearest index.html
        above it, which only a worker script heeds (a dedicated worker started from a URL gets
        its policy from its own response, not from the page that starts it)."""
        path = Path(self.translate_path(self.path))
        page = path / "index.html" if path.is_dir() else path
        if page.suffix != ".html":
            root = Path(self.directory)
            folders = [f for f in path.parents if f == root or root in f.parents]
            page = next((f / "index.html" for f in folders if (f / "index.html").is_file()), root / "index.html")
        return page_policy(page, page.stat().st_mtime_ns) if page.is_file() else None

    def log_message(self, format: str, *args) -> None:  # noqa: A002 (the base class's name)
        if not self.quiet:
            super().log_message(format, *args)


class DistServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        """A browser that drops a download half-way (a closed tab, a cancelled request) is not an error."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def make_server(
    directory: Path, port: int = 0, quiet: bool = False, isolation: bool = True
) -> http.server.ThreadingHTTPServer:
    """A server for `directory` on 127.0.0.1 (port 0: any free port); call serve_forever().
    Without `isolation` it sends no cross-origin isolation headers, as most static hosts."""
    handler = type("Handler", (DistHandler,), {"quiet": quiet, "isolation": isolation})
    return DistServer(("127.0.0.1", port), functools.partial(handler, directory=str(directory)))
