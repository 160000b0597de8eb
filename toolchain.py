"""What the build needs on the machine and installs when it can: Debian packages (Chromium for the
browser tests, Firefox and WebKitGTK for the engine smoke tests, npm), and .venv with pyproject.toml's
packages. Standard library only: build.py uses it before the virtual environment exists."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
# Where the site comes from and goes (build.py writes dist/; the tests, evaluations and benchmarks read it).
SITE = ROOT / "site"
DIST = ROOT / "dist"
DEFAULT_MODELS = SITE / "models"
NODE_MODULES = ROOT / "node_modules"

# How the tests and the benchmark start Chromium: headless, and nothing that phones home.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]  # fmt: skip


class BuildError(Exception):
    """A problem the person running the build can fix; printed without a traceback."""


def log(message: str) -> None:
    print(f"[build.py] {message}", flush=True)


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def shown(path: Path) -> str:
    """A path as the person reads it: relative to the project when inside it."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def run(command: list[str], **kwargs) -> None:
    log("$ " + " ".join(command))
    subprocess.run(command, check=True, **kwargs)


# --- system packages --------------------------------------------------------------


def apt_install(packages: list[str], why: str) -> bool:
    """Install Debian packages when we are root on a Debian-like system; False otherwise."""
    if shutil.which("apt-get") is None or not hasattr(os, "geteuid") or os.geteuid() != 0:
        return False
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    log(f"installing {' '.join(packages)} with apt-get ({why})")
    run(["apt-get", "update", "-q"], env=env)
    run(["apt-get", "install", "-y", "-q", "--no-install-recommends", *packages], env=env)
    return True


def find_chromium() -> str | None:
    """Path of the Chromium the browser tests drive ($CHROMIUM, else Debian's chromium)."""
    for candidate in (os.environ.get("CHROMIUM"), shutil.which("chromium"), "/usr/bin/chromium"):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


def ensure_chromium() -> str:
    found = find_chromium()
    if found is None and apt_install(["chromium"], "the end-to-end tests drive it"):
        found = find_chromium()
    if found is None:
        raise BuildError(
            "Chromium is needed for the end-to-end tests and is not installed. On Debian or "
            "Ubuntu run `sudo apt-get install chromium` (or set $CHROMIUM to a Chromium binary)."
        )
    return found


# The other browser engines of the smoke suite (tests/engines/): Debian's Firefox ESR (driven by
# puppeteer-core over WebDriver BiDi), WebKitGTK's WebDriver with its MiniBrowser, and Xvfb for the latter.
ENGINE_PACKAGES = ["firefox-esr", "webkit2gtk-driver", "xvfb"]


def find_firefox() -> str | None:
    """Path of the Firefox the engine tests drive ($FIREFOX, else Debian's firefox-esr)."""
    for candidate in (os.environ.get("FIREFOX"), shutil.which("firefox-esr"), shutil.which("firefox")):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


def find_webkit() -> tuple[str, str] | None:
    """(WebKitWebDriver, the MiniBrowser it starts) of WebKitGTK, or None when either is missing."""
    driver = shutil.which("WebKitWebDriver")
    browsers = sorted(Path("/usr/lib").glob("*/webkit2gtk-4.*/MiniBrowser"))
    return (driver, str(browsers[-1])) if driver and browsers else None


def missing_engines() -> list[str]:
    """What the engine tests lack on this machine, in words (empty: nothing)."""
    missing = [] if find_firefox() else ["Firefox (firefox-esr)"]
    missing += [] if find_webkit() else ["WebKitGTK's WebDriver (webkit2gtk-driver)"]
    return missing + ([] if shutil.which("Xvfb") else ["Xvfb (xvfb)"])


def ensure_engines() -> None:
    """Firefox and WebKitGTK for tests/engines/, installed when we can; the tests skip, saying why, otherwise."""
    if missing_engines():
        apt_install(ENGINE_PACKAGES, "the engine smoke tests drive Firefox and WebKit")
    if missing := missing_engines():
        log(f"not installed: {', '.join(missing)}; their engine tests skip (as root on Debian: "
            f"`apt-get install {' '.join(ENGINE_PACKAGES)}`)")  # fmt: skip


def ensure_npm() -> str:
    npm = shutil.which("npm")
    if npm is None and apt_install(["nodejs", "npm"], "npm installs the page's runtime"):
        npm = shutil.which("npm")
    if npm is None:
        raise BuildError(
            "npm is needed to install the page's runtime (Pyodide, PyScript, onnxruntime-web) "
            "and is not installed. Install Node.js 18 or newer (e.g. `sudo apt-get install nodejs npm`)."
        )
    return npm


def in_venv() -> bool:
    return Path(sys.prefix).resolve() == VENV.resolve()


def ensure_venv() -> Path:
    """.venv with pyproject.toml's packages (and the test extra); reinstalls when it changed."""
    python = VENV / "bin" / "python"
    if not python.is_file():
        try:
            run([sys.executable, "-m", "venv", str(VENV)])
        except subprocess.CalledProcessError as error:
            if not apt_install(["python3-venv"], "to create .venv"):
                raise BuildError(
                    "could not create .venv: install the venv module (e.g. `sudo apt-get install python3-venv`)"
                ) from error
            shutil.rmtree(VENV, ignore_errors=True)
            run([sys.executable, "-m", "venv", str(VENV)])
    stamp = VENV / ".digit-pad-pyproject.sha256"
    wanted = sha256(ROOT / "pyproject.toml")
    if not (stamp.is_file() and stamp.read_text().strip() == wanted):
        run([str(python), "-m", "pip", "install", "--disable-pip-version-check", "-e", ".[test]"], cwd=ROOT)
        stamp.write_text(wanted + "\n")
    return python
