"""Precompressed siblings (webapp/precompress.py) and build.py's server answering Accept-Encoding with them
(webapp/server.py): the same bytes, decoded, whatever the browser accepts."""

from __future__ import annotations

import gzip
import os
import threading
import urllib.request
from pathlib import Path

import brotli
import pytest

from webapp import precache, precompress
from webapp.server import make_server

TEXT = ("const answer = 42; // the same line again and again\n" * 400).encode()


@pytest.fixture
def site(tmp_path: Path) -> Path:
    (tmp_path / "js").mkdir()
    (tmp_path / "js" / "app.js").write_bytes(TEXT)
    (tmp_path / "tiny.json").write_bytes(b"{}")  # does not shrink: no sibling
    (tmp_path / "lib.zip").write_bytes(gzip.compress(TEXT))  # compressed already: skipped
    (tmp_path / "index.html").write_bytes(b"<!doctype html><title>t</title>" + b"<p>hello</p>" * 200)
    return tmp_path


def test_siblings_are_written_for_what_shrinks_only(site: Path):
    written = precompress.write(site)
    assert set(written) == {"js/app.js", "index.html"}
    assert gzip.decompress((site / "js" / "app.js.gz").read_bytes()) == TEXT
    assert brotli.decompress((site / "js" / "app.js.br").read_bytes()) == TEXT
    assert not (site / "tiny.json.gz").exists() and not (site / "lib.zip.gz").exists()
    first = (site / "js" / "app.js.gz").read_bytes()
    precompress.write(site)  # again: the same bytes (no time stamp), and no sibling of a sibling
    assert (site / "js" / "app.js.gz").read_bytes() == first
    assert not (site / "js" / "app.js.gz.gz").exists()


def test_the_precache_list_leaves_the_siblings_out(site: Path):
    precompress.write(site)
    (site / "sw.js").write_text("const BUILD = {};\n")
    paths = {entry["path"] for entry in precache.entries(site)}
    assert "js/app.js" in paths and not any(p.endswith((".br", ".gz")) for p in paths)


@pytest.fixture
def served(site: Path):
    precompress.write(site)
    server = make_server(site, 0, quiet=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def get(url: str, **headers) -> tuple[int, object, bytes]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, b""


@pytest.mark.parametrize(
    ("accepted", "encoding", "decode"),
    [
        ("gzip, deflate, br, zstd", "br", brotli.decompress),
        ("gzip", "gzip", gzip.decompress),
        ("", None, lambda body: body),
    ],
)
def test_the_server_sends_the_sibling_the_browser_accepts(served: str, accepted, encoding, decode):
    status, headers, body = get(served + "js/app.js", **({"Accept-Encoding": accepted} if accepted else {}))
    assert status == 200 and decode(body) == TEXT
    assert headers.get("Content-Encoding") == encoding
    assert headers["Content-Type"] == "text/javascript" and headers["Vary"] == "Accept-Encoding"
    assert int(headers["Content-Length"]) == len(body)


def test_a_page_keeps_its_policy_and_a_revalidation_gets_304(served: str):
    status, headers, body = get(served, **{"Accept-Encoding": "br"})
    assert status == 200 and headers["Content-Encoding"] == "br" and b"hello" in brotli.decompress(body)
    assert headers["Content-Type"].startswith("text/html") and "Cross-Origin-Opener-Policy" in headers
    status, headers, _ = get(
        served + "js/app.js", **{"Accept-Encoding": "br", "If-Modified-Since": headers["Last-Modified"]}
    )
    assert status == 304 and headers["Vary"] == "Accept-Encoding"
    status, headers, body = get(served + "tiny.json", **{"Accept-Encoding": "br"})
    assert status == 200 and "Content-Encoding" not in headers and "Vary" not in headers and body == b"{}"


def test_a_file_changed_after_the_build_is_sent_as_it_is_not_its_stale_sibling(served: str, site: Path):
    app = site / "js" / "app.js"
    app.write_bytes(b"const changed = true;\n" * 100)
    later = app.stat().st_mtime_ns + 2_000_000_000
    os.utime(app, ns=(later, later))  # a redeploy's file, newer than its siblings
    status, headers, body = get(served + "js/app.js", **{"Accept-Encoding": "br, gzip"})
    assert status == 200 and "Content-Encoding" not in headers and body == b"const changed = true;\n" * 100
