"""Precompressed siblings of dist/'s files (issue 38): `<file>.br` (brotli) and `<file>.gz` (gzip), written by
the build for every file that shrinks, so that a server sends each file compressed without compressing it on
every request: build.py's own server (webapp/server.py) answers `Accept-Encoding` with them, nginx with
`gzip_static`/`brotli_static`, and docs/deploy.md says how buckets keep them.

onnxruntime-web's and Pyodide's WebAssembly shrink to a quarter; Python's standard library zip and the numpy
wheel are compressed already and get no sibling. The siblings are deterministic (no time stamp in the gzip
header), so the same dist/ gives the same bytes; the service worker's precache list leaves them out (it stores
each file once, decoded).
"""

from __future__ import annotations

import gzip
from pathlib import Path

ENCODINGS = {"br": ".br", "gzip": ".gz"}  # Content-Encoding -> the sibling's suffix, in the server's preference
KEEP_AT_MOST = 0.9  # a sibling is written when it is at most this share of the file
SKIPPED_SUFFIXES = {".br", ".gz", ".zip", ".whl", ".png", ".jpg", ".woff2"}  # compressed already, or siblings
BROTLI_QUALITY = 11
BROTLI_QUALITY_LARGE = 9  # files over LARGE_BYTES: quality 11 takes minutes on the 14 MB of WebAssembly
LARGE_BYTES = 4_000_000


def is_sibling(path: Path) -> bool:
    return path.suffix in ENCODINGS.values()


def compressed(data: bytes, encoding: str) -> bytes:
    if encoding == "gzip":
        return gzip.compress(data, compresslevel=9, mtime=0)
    import brotli  # pyproject.toml's, in .venv (build.py imports this module before it moves there)

    quality = BROTLI_QUALITY if len(data) <= LARGE_BYTES else BROTLI_QUALITY_LARGE
    return brotli.compress(data, quality=quality)


def write(folder: Path) -> dict[str, dict[str, int]]:
    """Writes the siblings of every file of `folder` that shrinks; returns {relative path: {"identity": bytes,
    "br": bytes, "gzip": bytes}} for the files that got at least one."""
    written = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix not in SKIPPED_SUFFIXES):
        data = path.read_bytes()
        sizes = {}
        for encoding, suffix in ENCODINGS.items():
            packed = compressed(data, encoding)
            if len(packed) <= KEEP_AT_MOST * len(data):
                path.with_name(path.name + suffix).write_bytes(packed)
                sizes[encoding] = len(packed)
        if sizes:
            written[path.relative_to(folder).as_posix()] = {"identity": len(data), **sizes}
    return written
