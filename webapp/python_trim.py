"""Python's runtime trimmed to what the page imports (issue 38): Pyodide's standard library zip and the numpy
wheel are compressed already, so they only get lighter by leaving out what the page never imports.

- The standard library (`python_stdlib.zip`, loaded by Pyodide from beside pyodide.mjs) keeps the modules named
  in `python-modules.txt` (beside this file: what the page's Python had imported after a full use of the page,
  Pyodide's and PyScript's own boot included; tests/page/test_python_modules.py lists it again and fails when
  the page imports a module the trimmed files lack), their packages, and SAFETY_MARGIN.
- The numpy wheel keeps the subpackages the page imports (numpy.linalg comes with `import numpy`, through
  matrixlib), without tests, type stubs, Cython headers, C headers and libraries, or numpy's test extensions.
- The site's own lock file: pyodide-lock.json's numpy entry with the trimmed wheel's name and sha256 (Pyodide
  checks the download against it), and no other package: the site ships no other.

Each archive is written deterministically (entries sorted, one fixed time stamp and mode), so the same inputs
give the same bytes and the site's version (the precache list's hash) only changes when they do.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Iterable
from pathlib import Path

MODULE_LIST = Path(__file__).with_name("python-modules.txt")

# Modules kept although the page's full use did not import them, as a margin for paths no test walks: the codecs
# a bytes.decode() or an error message may name at any time (encodings are imported on first use).
SAFETY_MARGIN = (
    "encodings.ascii",
    "encodings.latin_1",
    "encodings.utf_8",
    "encodings.utf_8_sig",
    "encodings.utf_16",
    "encodings.utf_16_le",
    "encodings.utf_16_be",
    "encodings.utf_32",
    "encodings.cp1252",
    "encodings.idna",
    "encodings.raw_unicode_escape",
    "encodings.unicode_escape",
    "encodings.base64_codec",
    "encodings.hex_codec",
    "traceback",
    "linecache",
    "tokenize",
    "token",
)

# Never part of the page's numpy: what builds against numpy or tests it.
NUMPY_BUILD_ONLY = ("numpy/_core/include/", "numpy/_core/lib/")
NUMPY_UNUSED_SUFFIXES = (".pyi", ".pxd", "/py.typed")
NUMPY_TEST_EXTENSION = "_tests.cpython-"  # numpy/_core/_umath_tests.cpython-312-wasm32-emscripten.so, ...
FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest a zip can say
FILE_MODE = 0o644 << 16
WHEEL_FOLDER_PREFIX = "numpy-trimmed-"  # dist/vendor/pyodide/numpy-trimmed-<hash>/<the official file name>


def read_module_list(path: Path = MODULE_LIST) -> list[str]:
    """The module names of python-modules.txt (one a line; `#` starts a comment)."""
    lines = (line.split("#", 1)[0].strip() for line in path.read_text().splitlines())
    return [line for line in lines if line]


def module_entries(name: str, entries: set[str]) -> list[str]:
    """The archive entries that hold module `name` ("a.b": a/b.py, a/b/__init__.py or an extension a/b.*.so) and
    its packages' __init__.py; [] when the archive does not have it."""
    parts = name.split(".")
    found = []
    for depth in range(1, len(parts) + 1):
        path = "/".join(parts[:depth])
        own = [f"{path}.py", f"{path}/__init__.py"] if depth == len(parts) else [f"{path}/__init__.py"]
        found += [entry for entry in own if entry in entries]
    extension = "/".join(parts) + ".cpython-"
    found += [entry for entry in entries if entry.startswith(extension) and entry.endswith(".so")]
    return found


def stdlib_kept(entries: set[str], modules: Iterable[str]) -> set[str]:
    """The entries of the standard library zip that the modules (and SAFETY_MARGIN) need, with their folders."""
    kept = {entry for name in [*modules, *SAFETY_MARGIN] for entry in module_entries(name, entries)}
    folders = {entry[: i + 1] for entry in kept for i, char in enumerate(entry) if char == "/"}
    return kept | (folders & entries)


def numpy_subpackages(modules: Iterable[str]) -> set[str]:
    """The numpy subpackages (second name parts) of the imported modules: numpy.linalg._linalg -> linalg."""
    return {name.split(".")[1] for name in modules if name.startswith("numpy.")}


def numpy_kept(entry: str, subpackages: set[str], folders: set[str]) -> bool:
    """Whether the wheel's `entry` stays: not a test, stub, header or build library, and not in a subpackage
    (a folder of numpy/ in `folders`) that the page never imports."""
    parts = entry.split("/")
    if entry.endswith(NUMPY_UNUSED_SUFFIXES) or "tests" in parts[:-1] or entry.startswith(NUMPY_BUILD_ONLY):
        return False
    if NUMPY_TEST_EXTENSION in parts[-1]:
        return False
    in_subpackage = parts[0] == "numpy" and len(parts) > 2 and f"numpy/{parts[1]}/" in folders
    return not in_subpackage or parts[1] in subpackages


def trimmed_zip(source: zipfile.ZipFile, keep: set[str], rewrite: dict[str, bytes] | None = None) -> bytes:
    """A new zip of `source`'s entries in `keep`, sorted, each with one fixed time stamp and mode; `rewrite`
    gives some entries new contents."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for name in sorted(keep):
            info = zipfile.ZipInfo(name, FIXED_TIME)
            info.create_system = 3  # Unix, so that the mode below means what it says
            info.external_attr = FILE_MODE | (0x10 if name.endswith("/") else 0)
            info.compress_type = zipfile.ZIP_STORED if name.endswith("/") else zipfile.ZIP_DEFLATED
            data = b"" if name.endswith("/") else (rewrite or {}).get(name, source.read(name))
            target.writestr(info, data)
    return out.getvalue()


def trim_stdlib(source: Path, modules: Iterable[str]) -> bytes:
    """Pyodide's python_stdlib.zip with only the modules the page imports (and SAFETY_MARGIN)."""
    with zipfile.ZipFile(source) as archive:
        return trimmed_zip(archive, stdlib_kept(set(archive.namelist()), modules))


def trim_wheel(source: Path, modules: Iterable[str]) -> bytes:
    """The numpy wheel without what the page never uses (the modules it imports always stay: numpy imports one
    of its test extensions, _multiarray_tests, to document it); its RECORD lists what is left."""
    modules = list(modules)
    subpackages = numpy_subpackages(modules)
    with zipfile.ZipFile(source) as archive:
        names = [name for name in archive.namelist() if not name.endswith("/")]
        folders = {name[: i + 1] for name in names for i, char in enumerate(name) if char == "/"}
        imported = {entry for name in modules for entry in module_entries(name, set(names))}
        keep = imported | {name for name in names if numpy_kept(name, subpackages, folders)}
        records = [name for name in keep if name.endswith(".dist-info/RECORD")]
        rewrite = {record: kept_record(archive.read(record), keep) for record in records}
        return trimmed_zip(archive, keep, rewrite)


def kept_record(record: bytes, keep: set[str]) -> bytes:
    """A wheel's RECORD (CSV lines "path,hash,size") with only the lines of the files kept."""
    lines = record.decode().splitlines()
    return "".join(f"{line}\n" for line in lines if line.split(",", 1)[0] in keep).encode()


def wheel_path(wheel: bytes, official_name: str) -> str:
    """Where the trimmed wheel lives beside pyodide.mjs: a folder named by its contents (the runtime is cached
    for a year, so new contents get a new URL), then the official file name, which Pyodide parses."""
    return f"{WHEEL_FOLDER_PREFIX}{hashlib.sha256(wheel).hexdigest()[:16]}/{official_name}"


def site_lock(lock: dict, package: str, file_name: str, wheel: bytes) -> dict:
    """Pyodide's lock file with only `package`, its file_name and sha256 those of the trimmed `wheel`."""
    entry = {**lock["packages"][package], "file_name": file_name, "sha256": hashlib.sha256(wheel).hexdigest()}
    return {"info": lock["info"], "packages": {package: entry}}


def lock_text(lock: dict) -> str:
    return json.dumps(lock, sort_keys=True, separators=(",", ":")) + "\n"
