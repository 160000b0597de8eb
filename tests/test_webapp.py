"""webapp/: the PNG writer, the icons, the manifest and the precache list written into sw.js."""

from __future__ import annotations

import base64
import hashlib
import json
import math
import shutil
from pathlib import Path

import pytest

from webapp import icons, manifest, png, precache

SITE_SW = Path(__file__).resolve().parents[1] / "site" / "sw.js"


def pixel(rows: list[bytes], x: int, y: int) -> tuple[int, ...]:
    return tuple(rows[y][4 * x : 4 * x + 4])


def test_png_round_trip_and_checks():
    rows = [bytes([0, y, 7, 255]) for y in range(3)]
    data = png.encode(1, 3, rows)
    assert png.decode(data) == (1, 3, rows)
    with pytest.raises(ValueError):
        png.encode(2, 3, rows)
    damaged = bytearray(data)
    damaged[30] ^= 0xFF  # inside IHDR: its CRC no longer matches
    with pytest.raises(ValueError, match="CRC"):
        png.decode(bytes(damaged))


@pytest.mark.parametrize("icon", icons.ICONS, ids=lambda i: i.name)
def test_icons_have_their_size_ink_and_shape(icon: icons.Icon):
    width, height, rows = png.decode(icons.icon_png(icon))
    assert (width, height) == (icon.size, icon.size)
    ink = [(x, y) for y in range(icon.size) for x in range(icon.size) if pixel(rows, x, y)[:3] == icons.INK]
    assert len(ink) > 0.02 * icon.size**2, "the digit is drawn"
    corner = pixel(rows, 0, 0)
    if icon.purpose == "maskable":
        assert corner == (*icons.ACCENT, 255), "a maskable icon fills its square"
        centre = icon.size / 2
        outside = [p for p in ink if math.hypot(p[0] + 0.5 - centre, p[1] + 0.5 - centre) > 0.4 * icon.size]
        assert outside == [], "the digit stays in the safe zone every mask keeps"
    else:
        assert corner[3] == 0 and pixel(rows, icon.size // 2, 2)[3] == 255, "rounded corners"


def test_manifest_lists_the_icons_with_relative_urls():
    fields = manifest.manifest()
    assert fields["display"] == "standalone" and fields["start_url"] == "./"
    assert [i["src"] for i in fields["icons"]] == [f"icons/{i.name}" for i in icons.ICONS]
    assert all(not i["src"].startswith("/") for i in fields["icons"])


def make_site(folder: Path) -> Path:
    (folder / "vendor").mkdir(parents=True)
    (folder / "index.html").write_text("<!doctype html>")
    (folder / "vendor" / "a.wasm").write_bytes(b"\0asm")
    (folder / ".build-fingerprint").write_text("x\n")
    shutil.copy(SITE_SW, folder / "sw.js")
    return folder


def test_precache_lists_every_file_with_its_integrity_and_writes_it_into_sw_js(tmp_path: Path):
    site = make_site(tmp_path / "site")
    listing = precache.write(site)
    assert [f["path"] for f in listing["files"]] == ["index.html", "vendor/a.wasm"]
    wasm = listing["files"][1]
    assert wasm["size"] == 4
    assert wasm["integrity"] == "sha256-" + base64.b64encode(hashlib.sha256(b"\0asm").digest()).decode()
    assert json.loads((site / "precache.json").read_text()) == listing
    line = next(line for line in (site / "sw.js").read_text().splitlines() if line.startswith("const BUILD = "))
    build = json.loads(line.removeprefix("const BUILD = ").split("; //")[0])
    assert build == {"version": listing["version"], "files": [[f["path"], f["integrity"]] for f in listing["files"]]}


def test_the_version_changes_with_content_only(tmp_path: Path):
    first = precache.write(make_site(tmp_path / "a"))["version"]
    assert precache.write(make_site(tmp_path / "b"))["version"] == first, "same files, same version"
    changed = make_site(tmp_path / "c")
    (changed / "index.html").write_text("<!doctype html><title>new</title>")
    assert precache.write(changed)["version"] != first


def test_the_version_changes_with_the_service_workers_code(tmp_path: Path):
    """A new sw.js may keep files another way: its cache must not be the one an older sw.js filled."""
    first = precache.write(make_site(tmp_path / "a"))["version"]
    changed = make_site(tmp_path / "b")
    (changed / "sw.js").write_text((changed / "sw.js").read_text() + "// kept another way\n")
    assert precache.write(changed)["version"] != first


def test_a_service_worker_without_the_build_line_is_refused(tmp_path: Path):
    site = make_site(tmp_path / "site")
    (site / "sw.js").write_text("self.addEventListener('fetch', () => {});\n")
    with pytest.raises(ValueError, match="const BUILD"):
        precache.write(site)
