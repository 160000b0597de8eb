#!/usr/bin/env python3
"""Build, serve, test and benchmark the digit pad: the project's one entry point.

    python3 build.py build   [--models DIR]          write dist/, the complete static site
    python3 build.py serve   [--port N] [--models DIR]  build when needed, serve on 127.0.0.1
    python3 build.py test    [PYTEST ARGS...]        install what is missing, build, run all tests
                                                     (-m "not e2e": the fast suite, without Chromium's tests)
    python3 build.py lint                            ruff (check, format --check) and ESLint; non-zero on findings
    python3 build.py bench   [--runs N]              load the page in headless Chromium, print figures
    python3 build.py drawings [ARGS...]              people's drawings (pendigits, UNIPEN) offline and in the page
    python3 build.py numbers [ARGS...]               whole numbers of held-out writers, offline and in the page
    python3 build.py lighthouse [ARGS...]            Lighthouse scores (accessibility, best practices, SEO)

Each command installs what it needs and skips what is already there: the npm packages
(`npm ci`, from the committed package-lock.json), the Python packages of pyproject.toml
in .venv/, Debian's chromium for the browser tests
(and firefox-esr, webkit2gtk-driver and xvfb for tests/engines/). Standard library only: this file
runs before the virtual environment exists, then re-runs itself inside it for test/lint/bench.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from toolchain import (
    DEFAULT_MODELS,
    DIST,
    NODE_MODULES,
    ROOT,
    SITE,
    BuildError,
    ensure_chromium,
    ensure_engines,
    ensure_npm,
    ensure_venv,
    in_venv,
    log,
    run,
    sha256,
    shown,
)
from webapp import contract, element_api, icons, manifest, modulepreload, precache, precompress, python_trim
from webapp.server import make_server

VENDOR = ROOT / "vendor"
SHARED_PREPROCESS = ROOT / "train" / "preprocess.py"  # the one preprocessing module, also used in training
SHARED_SEGMENT = ROOT / "train" / "segment.py"  # Number mode's segmentation, also used in evaluation
# The modules segment.py imports: copied beside it into dist/py/, and listed in runtime.js pythonConfig().
SEGMENT_PARTS = [ROOT / "train" / name for name in ("segment_geometry.py", "segment_rules.py", "segment_split.py")]
# The constants training, export and the page share (train/contract.py): the page's Python reads the
# JSON through the same module, its JavaScript through js/element/contract.js (webapp/contract.py).
CONTRACT = ROOT / "train" / "contract.json"
SHARED_MEMORY = ROOT / "train" / "memory.py"  # the handwriting memory, also used in evaluation
SHARED_PYTHON = [
    SHARED_PREPROCESS,
    SHARED_SEGMENT,
    *SEGMENT_PARTS,
    SHARED_MEMORY,
    ROOT / "train" / "contract.py",
    CONTRACT,
]
ELEMENT = "js/element/digit-pad.js"  # the element; its class's JSDoc is its API (webapp/element_api.py)

# Runtime files shipped from node_modules as they are: (package folder, files or "*", folder in dist).
RUNTIME = [
    ("pyodide", ["pyodide.mjs", "pyodide.asm.js", "pyodide.asm.wasm"], "vendor/pyodide"),
    ("onnxruntime-web/dist", ["ort.wasm.min.mjs", "ort-wasm-simd-threaded.mjs", "ort-wasm-simd-threaded.wasm"],
     "vendor/ort"),
    ("@pyscript/core/dist", "*", "vendor/pyscript"),
]  # fmt: skip
WHEEL_PACKAGE = "numpy"  # the one Pyodide package the page loads, vendored in vendor/pyodide/
# Pyodide's files that the build trims to what the page imports (write_python_runtime), beside pyodide.mjs.
PYODIDE = NODE_MODULES / "pyodide"
STDLIB_ZIP = "python_stdlib.zip"
LOCK_FILE = "pyodide-lock.json"

FINGERPRINT_FILE = ".build-fingerprint"


# --- npm packages and the vendored wheel ---------------------------------------


def ensure_node_modules() -> None:
    """`npm ci` unless node_modules already holds exactly package-lock.json's packages."""
    lock = ROOT / "package-lock.json"
    stamp = NODE_MODULES / ".digit-pad-lock.sha256"
    wanted = sha256(lock)
    if stamp.is_file() and stamp.read_text().strip() == wanted and runtime_files_present():
        return
    npm = ensure_npm()
    run([npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund"], cwd=ROOT)
    stamp.write_text(wanted + "\n")


def runtime_files() -> list[tuple[Path, str]]:
    """(source, path in dist) of every runtime file taken from node_modules."""
    files = []
    for package, names, target in RUNTIME:
        folder = NODE_MODULES / package
        if names == "*":
            names = (
                sorted(p.name for p in folder.iterdir() if p.is_file() and p.suffix != ".map")
                if folder.is_dir()
                else []
            )
        files += [(folder / name, f"{target}/{name}") for name in names]
    return files


def runtime_files_present() -> bool:
    files = [source for source, _ in runtime_files()] + [PYODIDE / STDLIB_ZIP, PYODIDE / LOCK_FILE]
    return all(source.is_file() for source in files)


def pyodide_wheel() -> tuple[Path, str]:
    """The vendored numpy wheel, checked against Pyodide's lock file; (path, file name)."""
    lock_path = PYODIDE / LOCK_FILE
    entry = json.loads(lock_path.read_text())["packages"][WHEEL_PACKAGE]
    name, expected = entry["file_name"], entry["sha256"]
    wheel = VENDOR / "pyodide" / name
    if not wheel.is_file():
        raise BuildError(
            f"{shown(wheel)} is missing: Pyodide {json.loads(lock_path.read_text())['info']['version']} "
            f"loads {WHEEL_PACKAGE} from that file (see vendor/pyodide/README.md for where to get it)."
        )
    actual = sha256(wheel)
    if actual != expected:
        raise BuildError(
            f"{shown(wheel)} is not the file Pyodide expects: its sha256 is {actual}, "
            f"but node_modules/pyodide/pyodide-lock.json says {expected}. Replace it with the "
            f"official wheel (see vendor/pyodide/README.md); the page would refuse to load it."
        )
    return wheel, name


# --- dist/ ----------------------------------------------------------------------


def model_files(models: Path) -> list[Path]:
    """The models, their cards and the card page's test digits (export/gallery.py)."""
    return sorted(p for p in models.glob("*") if p.suffix in (".onnx", ".json", ".bin")) if models.is_dir() else []


def input_files(models: Path) -> list[Path]:
    """Every file that dist/ is made from."""
    files = [p for p in SITE.rglob("*") if p.is_file() and DEFAULT_MODELS not in p.parents]
    files += [p for p in VENDOR.rglob("*") if p.is_file()]
    files += [*SHARED_PYTHON, ROOT / "webapp" / "contract.py", ROOT / "package-lock.json", Path(__file__).resolve()]
    files += [Path(python_trim.__file__), python_trim.MODULE_LIST]
    return sorted(files) + model_files(models)


def fingerprint(models: Path) -> str:
    digest = hashlib.sha256(str(models.resolve()).encode())
    for path in input_files(models):
        stat = path.stat()
        digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def build(models: Path = DEFAULT_MODELS) -> Path:
    """Write dist/: the page, the runtime, the wheel, the shared Python and contract, the models."""
    ensure_node_modules()
    wheel, wheel_name = pyodide_wheel()
    staging = DIST.with_name(DIST.name + ".tmp")
    shutil.rmtree(staging, ignore_errors=True)
    shutil.copytree(SITE, staging, ignore=shutil.ignore_patterns("models", "__pycache__", "*.pyc"))
    for source, target in runtime_files():
        (staging / target).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, staging / target)
    write_python_runtime(staging / "vendor" / "pyodide", wheel, wheel_name)
    for shared in SHARED_PYTHON:
        shutil.copy2(shared, staging / "py" / shared.name)
    try:
        contract.write(CONTRACT, staging)  # before write_pages: index.html preloads it
    except (OSError, ValueError) as error:
        raise BuildError(f"{shown(CONTRACT)}: {error}") from error
    found = model_files(models)
    (staging / "models").mkdir(exist_ok=True)
    for path in found:
        shutil.copy2(path, staging / "models" / path.name)
    if not any(p.suffix == ".onnx" for p in found):
        log(f"WARNING: no .onnx model in {models}: the page will say that its model failed to load. "
            f"Export one (see README) or pass --models DIR.")  # fmt: skip
    (staging / FINGERPRINT_FILE).write_text(fingerprint(models) + "\n")
    write_pages(staging)
    listing = write_web_app(staging)
    shutil.rmtree(DIST, ignore_errors=True)
    staging.rename(DIST)
    size = sum(p.stat().st_size for p in DIST.rglob("*") if p.is_file())
    log(f"wrote {shown(DIST)}/ ({size / 1e6:.1f} MB, models: {', '.join(p.name for p in found) or 'none'}; "
        f"version {listing['version']}, {len(listing['files'])} files precached)")  # fmt: skip
    return DIST


def write_python_runtime(folder: Path, wheel: Path, wheel_name: str) -> dict[str, bytes]:
    """Pyodide's standard library zip, the numpy wheel (checked, `pyodide_wheel`) and the site's own lock file,
    trimmed to what the page imports (webapp/python_trim.py), written beside pyodide.mjs, where Pyodide looks
    for them. Returns {path in `folder`: bytes} of the three."""
    modules = python_trim.read_module_list()
    trimmed = python_trim.trim_wheel(wheel, modules)
    wheel_path = python_trim.wheel_path(trimmed, wheel_name)
    lock = python_trim.site_lock(json.loads((PYODIDE / LOCK_FILE).read_text()), WHEEL_PACKAGE, wheel_path, trimmed)
    files = {
        STDLIB_ZIP: python_trim.trim_stdlib(PYODIDE / STDLIB_ZIP, modules),
        wheel_path: trimmed,
        LOCK_FILE: python_trim.lock_text(lock).encode(),
    }
    for path, data in files.items():
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_bytes(data)
    return files


def write_pages(folder: Path) -> None:
    """What the pages' marker lines stand for: index.html's modulepreload links (webapp/modulepreload.py),
    embed.html's tables of the element's API (webapp/element_api.py)."""
    try:
        api = element_api.read(folder / ELEMENT)
    except (OSError, ValueError) as error:
        raise BuildError(f"{ELEMENT}: its JSDoc: {error}") from error
    for page in sorted(folder.glob("*.html")):
        try:
            modulepreload.fill(page, folder)
            element_api.fill(page, api)
        except (OSError, ValueError) as error:
            raise BuildError(f"{page.name}: {error}") from error


def write_web_app(folder: Path) -> dict:
    """What makes the site installable (icons, manifest) and work offline (the precache list, also
    written into sw.js), then the files' precompressed siblings (webapp/precompress.py): last, because the
    list hashes every other file. Returns the list."""
    (folder / "icons").mkdir(exist_ok=True)
    for icon in icons.ICONS:
        (folder / "icons" / icon.name).write_bytes(icons.icon_png(icon))
    (folder / "manifest.webmanifest").write_text(json.dumps(manifest.manifest(), indent=1) + "\n")
    listing = precache.write(folder)
    precompress.write(folder)  # after the list, which leaves the siblings out
    return listing


def build_if_needed(models: Path = DEFAULT_MODELS) -> Path:
    stamp = DIST / FINGERPRINT_FILE
    if runtime_files_present() and stamp.is_file() and stamp.read_text().strip() == fingerprint(models):
        return DIST
    return build(models)


# --- serving ------------------------------------------------------------------


def serve(port: int, models: Path) -> None:
    build_if_needed(models)
    server = make_server(DIST, port)
    log(f"serving {shown(DIST)}/ at http://127.0.0.1:{server.server_address[1]}/ (Ctrl+C stops)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


# --- the virtual environment --------------------------------------------------------


def reexec_in_venv() -> None:
    """Make sure .venv is complete, then continue this same command inside it."""
    python = ensure_venv()
    if not in_venv():
        os.execv(str(python), [str(python), str(Path(__file__).resolve()), *sys.argv[1:]])


# --- commands -----------------------------------------------------------------------


def test(pytest_args: list[str], models: Path) -> int:
    reexec_in_venv()
    chromium = ensure_chromium()
    ensure_engines()  # Firefox and WebKit for tests/engines/ (they skip, saying why, when missing)
    build_if_needed(models)
    env = {**os.environ, "CHROMIUM": chromium, "DIGIT_PAD_DIST": str(DIST)}
    log("$ python -m pytest " + " ".join(pytest_args))
    return subprocess.call([sys.executable, "-m", "pytest", *pytest_args], cwd=ROOT, env=env)


def lint() -> int:
    """ruff on the Python (lint and format), ESLint (pinned in package-lock.json, configured in
    eslint.config.js) on the JavaScript. Runs all three and prints every finding; 1 if any."""
    reexec_in_venv()
    ensure_node_modules()
    checks = {
        "ruff check": [sys.executable, "-m", "ruff", "check", "."],
        "ruff format --check": [sys.executable, "-m", "ruff", "format", "--check", "."],
        "eslint": [str(NODE_MODULES / ".bin" / "eslint"), "--max-warnings", "0", "."],
    }
    failed = []
    for name, command in checks.items():
        log("$ " + " ".join(command))
        if subprocess.call(command, cwd=ROOT) != 0:
            failed.append(name)
    if failed:
        log(f"lint: findings from {', '.join(failed)}")
    return 1 if failed else 0


def run_in_browser(module: str, args: list[str], models: Path) -> int:
    """`python -m module args` in .venv, once dist/ is built and Chromium installed."""
    reexec_in_venv()
    chromium = ensure_chromium()
    build_if_needed(models)
    env = {**os.environ, "CHROMIUM": chromium}
    return subprocess.call([sys.executable, "-m", module, *args], cwd=ROOT, env=env)


# Commands that run a module of bench/ or evaluate/ against the built page (their extra args go to it).
BROWSER_COMMANDS = {
    "bench": "bench",
    "drawings": "evaluate.drawings",
    "numbers": "evaluate.numbers",
    "lighthouse": "bench.lighthouse",
}


def parse_args(argv: list[str]) -> tuple[argparse.Namespace, list[str]]:
    parser = argparse.ArgumentParser(prog="build.py", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for name, text in (
        ("build", "write dist/"),
        ("serve", "build when needed and serve dist/ on 127.0.0.1"),
        ("test", "install what is missing, build, run the whole test suite (extra args go to pytest)"),
        ("lint", "ruff check, ruff format --check and ESLint; exit 1 on any finding"),
        ("bench", "measure the page in headless Chromium (extra args go to python -m bench)"),
        (
            "drawings",
            "people's drawings (pendigits, UNIPEN), offline and in the page (args: python -m evaluate.drawings)",
        ),
        ("numbers", "whole numbers of held-out writers, offline and in the page (args: python -m evaluate.numbers)"),
        (
            "lighthouse",
            "Lighthouse: accessibility, best practices and SEO of the built pages (args: python -m bench.lighthouse)",
        ),
    ):
        command = commands.add_parser(name, help=text, description=text, allow_abbrev=False)
        command.add_argument("--models", type=Path, default=DEFAULT_MODELS,
                             help="folder with the exported models (default: site/models)")  # fmt: skip
        if name == "serve":
            command.add_argument("--port", type=int, default=8000)
    return parser.parse_known_args(argv)


def main(argv: list[str] | None = None) -> int:
    args, extra = parse_args(sys.argv[1:] if argv is None else argv)
    if extra and args.command != "test" and args.command not in BROWSER_COMMANDS:
        raise SystemExit(f"build.py {args.command}: unknown arguments {' '.join(extra)}")
    models = args.models.resolve()
    if args.command in ("build", "serve"):
        reexec_in_venv()  # the build writes brotli siblings (webapp/precompress.py): pyproject.toml's brotli
    try:
        if args.command == "build":
            build(models)
        elif args.command == "serve":
            serve(args.port, models)
        elif args.command == "test":
            return test(extra, models)
        elif args.command == "lint":
            return lint()
        elif args.command in BROWSER_COMMANDS:
            return run_in_browser(BROWSER_COMMANDS[args.command], extra, models)
    except BuildError as error:
        print(f"build.py: {error}", file=sys.stderr)
        return 1
    except subprocess.CalledProcessError as error:
        print(f"build.py: command failed ({error.returncode}): {' '.join(map(str, error.cmd))}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
