"""What the service worker stores on the first visit: every file of dist/ the site can
show, with its size and Subresource Integrity hash, under a version that changes
exactly when a file's content does, or the service worker's own code (how it keeps
files may change: a new version's cache holds only files kept the new way).

The version is a digest of the files' contents, not build.py's input fingerprint (which
hashes modification times): a clean checkout rebuilt by CI gives the same version, so
visitors are told about a new version only when there is one.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import time
from pathlib import Path

from webapp import precompress

SW = "sw.js"
LIST = "precache.json"
CACHE_PREFIX = "digit-pad-"  # sw.js's caches: one per version, named CACHE_PREFIX + version (sw.js CACHE_PREFIX)
# How many files a cache holds, in a page (evaluated with the cache's name).
CACHED_COUNT_JS = "(name) => caches.open(name).then((cache) => cache.keys()).then((keys) => keys.length)"
# Not precached: the worker itself (the browser keeps it), the list, the build's stamp,
# and PyScript's own service worker (a fallback the page never starts).
EXCLUDED = {SW, LIST, ".build-fingerprint", "vendor/pyscript/service-worker.js"}
BUILD_LINE = re.compile(r"^const BUILD = .*;.*$", re.MULTILINE)


def integrity(path: Path) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(path.read_bytes()).digest()).decode()


def entries(dist: Path) -> list[dict]:
    """{path (relative, /-separated), size, integrity} of every precached file, sorted."""
    files = sorted(p for p in dist.rglob("*") if p.is_file())
    found = []
    for path in files:
        relative = path.relative_to(dist).as_posix()
        if relative not in EXCLUDED and not precompress.is_sibling(path):  # a sibling: the same file, encoded
            found.append({"path": relative, "size": path.stat().st_size, "integrity": integrity(path)})
    return found


def version_of(files: list[dict], worker: str) -> str:
    """A digest of the files' paths and hashes and of the service worker's code (`worker`, its BUILD line left out)."""
    listed = "".join(f"{f['path']}\0{f['integrity']}\n" for f in files)
    return hashlib.sha256((listed + BUILD_LINE.sub("", worker)).encode()).hexdigest()[:16]


def stored_site(dist: Path) -> tuple[str, int]:
    """(the name of sw.js's cache for the build in `dist`, how many files it holds once the whole site is stored)."""
    listing = json.loads((dist / LIST).read_text())
    return CACHE_PREFIX + listing["version"], len(listing["files"])


def wait_stored(page, dist: Path, timeout_s: float) -> None:
    """Until sw.js has stored, in `page`'s origin, every file of the build in `dist` (it stores what the page did
    not need at once after the page is ready). Polled here: a page's wait_for_function does not await a promise."""
    name, count = stored_site(dist)
    deadline = time.monotonic() + timeout_s
    while (kept := page.evaluate(CACHED_COUNT_JS, name)) < count:
        if time.monotonic() > deadline:
            raise TimeoutError(f"sw.js stored {kept} of the {count} files in {name}")
        time.sleep(0.25)


def write(dist: Path) -> dict:
    """Writes dist/precache.json and puts the same list into dist/sw.js; returns the list."""
    files = entries(dist)
    sw = dist / SW
    source = sw.read_text()
    if not BUILD_LINE.search(source):
        raise ValueError(f"{SW} has no `const BUILD = ...;` line for the precache list")
    listing = {"version": version_of(files, source), "bytes": sum(f["size"] for f in files), "files": files}
    (dist / LIST).write_text(json.dumps(listing, indent=1) + "\n")
    build = {"version": listing["version"], "files": [[f["path"], f["integrity"]] for f in files]}
    line = f"const BUILD = {json.dumps(build, separators=(',', ':'))}; // written by build.py (webapp/precache.py)"
    sw.write_text(BUILD_LINE.sub(lambda _: line, source, count=1))
    return listing
