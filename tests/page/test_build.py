"""build.py: the wheel check, the server's headers, and a dist/ with relative URLs only."""

from __future__ import annotations

import re
import shutil
import threading
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

import pytest

import build
from toolchain import BuildError
from webapp import contract, element_api, modulepreload
from webapp.server import make_server


def test_vendored_wheel_matches_pyodide_lock_file():
    wheel, name = build.pyodide_wheel()
    assert wheel.is_file() and name.startswith("numpy-")


def test_a_wheel_that_does_not_match_stops_the_build(tmp_path: Path, monkeypatch):
    _, name = build.pyodide_wheel()
    (tmp_path / "pyodide").mkdir()
    (tmp_path / "pyodide" / name).write_bytes(b"not the wheel")
    monkeypatch.setattr(build, "VENDOR", tmp_path)
    with pytest.raises(BuildError, match="sha256"):
        build.pyodide_wheel()


def test_a_missing_wheel_says_where_to_get_it(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(build, "VENDOR", tmp_path)
    with pytest.raises(BuildError, match="vendor/pyodide/README.md"):
        build.pyodide_wheel()


def test_server_sends_isolation_headers_and_wasm_type(tmp_path: Path):
    (tmp_path / "a.wasm").write_bytes(b"\0asm")
    (tmp_path / "b.mjs").write_text("export {};")
    server = make_server(tmp_path, 0, quiet=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        with urllib.request.urlopen(base + "a.wasm") as response:
            assert response.headers["Content-Type"] == "application/wasm"
            assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
            assert response.headers["Cross-Origin-Embedder-Policy"] == "require-corp"
        with urllib.request.urlopen(base + "b.mjs") as response:
            assert response.headers["Content-Type"] == "text/javascript"
    finally:
        server.shutdown()
        server.server_close()


def test_dist_holds_everything_with_relative_urls(dist: Path):
    for path in (
        "index.html",
        "embed.html",
        "sw.js",
        "js/element/digit-pad.js",
        "py/preprocess.py",
        "py/segment.py",
        "vendor/pyodide/pyodide.mjs",
        "vendor/ort/ort.wasm.min.mjs",
    ):
        assert (dist / path).is_file(), path
    assert (dist / "py" / "preprocess.py").read_bytes() == build.SHARED_PREPROCESS.read_bytes()
    assert (dist / "py" / "segment.py").read_bytes() == build.SHARED_SEGMENT.read_bytes()
    for part in build.SEGMENT_PARTS:  # the modules segment.py imports, beside it
        assert (dist / "py" / part.name).read_bytes() == part.read_bytes(), part.name
    absolute = re.compile(r"""(https?:)?//[\w.-]+\.\w|(src|href)=["']/""")
    pages = [dist / name for name in ("index.html", "embed.html", "card.html")]
    for path in [*pages, *dist.glob("js/**/*.js"), *dist.glob("css/*.css"), dist / "sw.js"]:
        for number, line in enumerate(path.read_text().splitlines(), 1):
            assert not absolute.search(line), f"{path.relative_to(dist)}:{number}: {line.strip()}"


def test_dist_holds_the_contract_for_both_languages(dist: Path):
    """train/contract.json: beside the page's Python with the module that reads it, and as the ES module
    the page's JavaScript imports (webapp/contract.py), all made from today's JSON."""
    for shared in build.SHARED_PYTHON:
        assert (dist / "py" / shared.name).read_bytes() == shared.read_bytes(), shared.name
    written = (dist / contract.TARGET).read_text(encoding="utf-8")
    assert written == contract.module(contract.read(build.CONTRACT))


def linked_files(html: str) -> list[str]:
    """The src and href attributes of a page's tags (not text that looks like them, such as a code sample)."""

    class Links(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.found: list[str] = []

        def handle_starttag(self, tag, attrs) -> None:
            self.found += [value for name, value in attrs if name in ("src", "href") and value]

    parser = Links()
    parser.feed(html)
    return parser.found


@pytest.mark.parametrize(("page", "script"), [("index.html", "js/main.js"), ("embed.html", "js/element/digit-pad.js")])
def test_every_file_the_page_names_is_in_dist(dist: Path, page: str, script: str):
    named = [name for name in linked_files((dist / page).read_text()) if ":" not in name and not name.startswith("#")]
    assert script in named
    missing = [name for name in named if not (dist / name).is_file()]
    assert missing == [], f"{page} names files that are not in dist/: {missing}"


def test_build_is_skipped_when_nothing_changed(tmp_path: Path, monkeypatch):
    site = tmp_path / "site"
    shutil.copytree(build.SITE, site, ignore=shutil.ignore_patterns("models"))
    monkeypatch.setattr(build, "SITE", site)
    monkeypatch.setattr(build, "DIST", tmp_path / "dist")
    models = tmp_path / "models"
    models.mkdir()
    first = build.build(models)
    stamp = (first / build.FINGERPRINT_FILE).stat().st_mtime_ns
    build.build_if_needed(models)
    assert (first / build.FINGERPRINT_FILE).stat().st_mtime_ns == stamp
    (site / "index.html").write_text((site / "index.html").read_text() + "\n")
    build.build_if_needed(models)
    assert (first / build.FINGERPRINT_FILE).stat().st_mtime_ns != stamp


def preloaded(html: str) -> list[str]:
    return re.findall(r'<link rel="modulepreload" href="([^"]+)">', html)


def test_the_main_page_preloads_every_module_of_the_element(dist: Path):
    """Else the element's imports load one level after the other, and the pad takes strokes later.
    build.py writes the list (webapp/modulepreload.py) in place of site/index.html's marker."""
    html = (dist / "index.html").read_text()
    links = preloaded(html)
    assert modulepreload.MARKER not in html and len(links) == len(set(links))
    missing = [name for name in links if not (dist / name).is_file()]
    assert missing == [], f"index.html preloads files that are not in dist/: {missing}"
    in_workers = {"inference-worker.js", "download-counter.js", "counted-pyodide.js"}  # not the page's modules
    element = {f"js/element/{p.name}" for p in (dist / "js" / "element").glob("*.js") if p.name not in in_workers}
    main = {f"js/{spec[2:]}" for spec in modulepreload.imports((dist / "js" / "main.js").read_text())}
    core = (dist / "vendor" / "pyscript" / "core.js").read_text()
    chunks = {f"vendor/pyscript/{spec[2:]}" for spec in modulepreload.imports(core, dynamic=False)}
    assert {"js/compare.js", "js/element/digit-pad.js"} <= main and len(chunks) == 1
    wanted = element | main | chunks | {"vendor/pyscript/core.js"}
    assert wanted - set(links) == set(), "these are not preloaded"
    vendored = {name for name in links if name.startswith("vendor/")}
    assert vendored == chunks | {"vendor/pyscript/core.js"}, "PyScript's core only, not what it loads on demand"
    assert "js/main.js" not in links  # its own <script> loads it
    site = (build.SITE / "index.html").read_text()
    assert site.count(modulepreload.MARKER) == 1 and preloaded(site) == [], "the list is the build's, not a hand list"
    for page in ("embed.html", "card.html"):
        assert preloaded((dist / page).read_text()) == []  # no list, so none to keep up to date


def test_imports_are_read_from_source_and_minified_modules():
    source = """
    import { a, b as c } from "./a.js";
    import d, * as e from '../e.js';
    import "./side-effect.js";
    // import { f } from "./commented.js";
    /* import("./commented-too.js") */
    const url = "http://example.org/x.js"; // a string with // in it
    export { g } from "./g.js";
    export * from "./star.js";
    const later = await import("./later.js");
    import("micropip"); import.meta.url; new Worker(new URL("./worker.js", import.meta.url));
    """
    found = modulepreload.imports(modulepreload.without_comments(source))
    assert found == ["./a.js", "../e.js", "./side-effect.js", "./g.js", "./star.js", "./later.js"]
    assert modulepreload.imports(source, dynamic=False)[-1] == "./star.js"
    minified = 'export{u as MPWorker,t as PyWorker}from"./core-X.js";import{a}from"./b.js";import("./lazy.js")'
    assert modulepreload.imports(minified, dynamic=False) == ["./core-X.js", "./b.js"]


def test_the_graph_follows_the_sites_dynamic_imports_not_the_vendors(tmp_path: Path):
    files = {
        "index.html": f'<script src="js/classic.js"></script>\n  {modulepreload.MARKER}\n'
        '<script type="module" src="js/main.js"></script>',
        "js/main.js": 'import { x } from "./x.js";\nawait import("./late.js");',
        "js/x.js": 'import "./main.js";\nexport const x = 1;',
        "js/late.js": 'await import("../vendor/lib/core.js");',
        "vendor/lib/core.js": 'export{a}from"./chunk-1.js";',
        "vendor/lib/chunk-1.js": 'const a=1;export{a};import("./editor.js")',
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    modules = modulepreload.fill(tmp_path / "index.html", tmp_path)
    assert modules == ["js/x.js", "js/late.js", "vendor/lib/core.js", "vendor/lib/chunk-1.js"]
    html = (tmp_path / "index.html").read_text()
    assert '\n  <link rel="modulepreload" href="js/x.js">\n  <link rel="modulepreload" href="js/late.js">' in html
    assert modulepreload.fill(tmp_path / "index.html", tmp_path) is None  # the marker is gone
    (tmp_path / "js" / "x.js").write_text('import "./gone.js";')
    with pytest.raises(FileNotFoundError, match="gone.js"):
        modulepreload.module_graph(tmp_path, ["js/main.js"])


def test_embed_html_shows_the_elements_api_from_its_jsdoc(dist: Path):
    html = (dist / "embed.html").read_text()
    assert "digit-pad API:" not in html
    cells = re.findall(r"<tr><td>(?:<code>)?([^<]+)", html)
    api = element_api.read(build.SITE / build.ELEMENT)
    for entry in api:
        assert (entry.signature or entry.name) in cells, f"embed.html has no row for {entry.kind} {entry.name}"
    assert "select(index)" in cells
