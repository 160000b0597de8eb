"""webapp/python_trim.py on Pyodide's real standard library zip and the vendored numpy wheel: what stays, what
goes, the same bytes every time, and a lock file whose hash is the trimmed wheel's."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile

import pytest

import build
from webapp import python_trim

STDLIB = build.PYODIDE / build.STDLIB_ZIP
PAGE_MODULES = ["json", "json.decoder", "encodings.utf_8", "numpy", "numpy.linalg._linalg", "numpy._core._methods"]

pytestmark = pytest.mark.skipif(not STDLIB.is_file(), reason="node_modules/pyodide is not installed (npm ci)")


@pytest.fixture(scope="module")
def wheel():
    path, _ = build.pyodide_wheel()
    return path


def entries(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_a_module_is_found_as_file_package_or_extension():
    names = {"json/__init__.py", "json/decoder.py", "a.py", "numpy/_core/_multiarray_umath.cpython-312-x.so"}
    assert python_trim.module_entries("json.decoder", names) == ["json/__init__.py", "json/decoder.py"]
    assert python_trim.module_entries("json", names) == ["json/__init__.py"]
    assert python_trim.module_entries("a", names) == ["a.py"]
    assert python_trim.module_entries("numpy._core._multiarray_umath", names) == [
        "numpy/_core/_multiarray_umath.cpython-312-x.so"
    ]
    assert python_trim.module_entries("sys", names) == []  # built into the interpreter


def test_the_module_list_reads_names_and_skips_comments(tmp_path):
    listed = tmp_path / "modules.txt"
    listed.write_text("# what the page imports\njson\n\nencodings.utf_8  # a codec\n")
    assert python_trim.read_module_list(listed) == ["json", "encodings.utf_8"]
    assert "numpy" in python_trim.read_module_list() and "pyodide" in python_trim.read_module_list()


def test_the_stdlib_keeps_the_modules_their_packages_and_the_margin_only():
    trimmed = entries(python_trim.trim_stdlib(STDLIB, PAGE_MODULES))
    with zipfile.ZipFile(STDLIB) as full:
        assert all(full.read(name) == data for name, data in trimmed.items() if not name.endswith("/"))
    files = {name for name in trimmed if not name.endswith("/")}
    assert {"json/__init__.py", "json/decoder.py", "encodings/__init__.py", "encodings/utf_8.py"} <= files
    assert {"encodings/latin_1.py", "traceback.py"} <= files  # the safety margin
    assert not {"json/tool.py", "unittest/__init__.py", "asyncio/__init__.py", "encodings/koi8_r.py"} & files
    assert {"json/", "encodings/"} <= set(trimmed)


def test_the_wheel_drops_tests_stubs_and_the_subpackages_never_imported(wheel):
    trimmed = entries(python_trim.trim_wheel(wheel, PAGE_MODULES))
    names = set(trimmed)
    assert "numpy/__init__.py" in names and "numpy/linalg/_linalg.py" in names
    assert any(name.startswith("numpy/_core/_multiarray_umath.cpython-") for name in names)
    for gone in ("numpy/random/", "numpy/fft/", "numpy/f2py/", "numpy/testing/", "numpy/_core/include/"):
        assert not any(name.startswith(gone) for name in names), gone
    assert not any("/tests/" in name or name.endswith((".pyi", ".pxd")) for name in names)
    assert not any("_tests.cpython-" in name for name in names)
    with zipfile.ZipFile(wheel) as full:
        assert all(full.read(name) == data for name, data in trimmed.items() if not name.endswith("RECORD"))


def test_the_wheels_record_lists_exactly_the_files_left(wheel):
    trimmed = entries(python_trim.trim_wheel(wheel, PAGE_MODULES))
    record = next(name for name in trimmed if name.endswith(".dist-info/RECORD"))
    listed = [row[0] for row in csv.reader(io.StringIO(trimmed[record].decode())) if row]
    assert sorted(listed) == sorted(trimmed)


def test_the_same_inputs_give_the_same_bytes(wheel):
    assert python_trim.trim_stdlib(STDLIB, PAGE_MODULES) == python_trim.trim_stdlib(STDLIB, PAGE_MODULES)
    assert python_trim.trim_wheel(wheel, PAGE_MODULES) == python_trim.trim_wheel(wheel, PAGE_MODULES)


def test_the_site_lock_names_the_trimmed_wheel_and_its_hash(wheel):
    trimmed = python_trim.trim_wheel(wheel, PAGE_MODULES)
    path = python_trim.wheel_path(trimmed, wheel.name)
    assert path.endswith("/" + wheel.name) and path.split("-")[0] == "numpy"  # Pyodide reads the name's start
    official = json.loads((build.PYODIDE / build.LOCK_FILE).read_text())
    lock = python_trim.site_lock(official, "numpy", path, trimmed)
    assert list(lock["packages"]) == ["numpy"] and lock["info"] == official["info"]
    assert lock["packages"]["numpy"]["file_name"] == path
    assert lock["packages"]["numpy"]["sha256"] == hashlib.sha256(trimmed).hexdigest()
    assert json.loads(python_trim.lock_text(lock)) == lock


def test_the_build_writes_the_three_beside_pyodide(tmp_path, wheel):
    written = build.write_python_runtime(tmp_path, wheel, wheel.name)
    lock = json.loads((tmp_path / build.LOCK_FILE).read_text())
    file_name = lock["packages"]["numpy"]["file_name"]
    assert set(written) == {build.STDLIB_ZIP, build.LOCK_FILE, file_name}
    assert hashlib.sha256((tmp_path / file_name).read_bytes()).hexdigest() == lock["packages"]["numpy"]["sha256"]
    assert (tmp_path / build.STDLIB_ZIP).stat().st_size < STDLIB.stat().st_size
    assert (tmp_path / file_name).stat().st_size < wheel.stat().st_size
