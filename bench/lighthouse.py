"""Lighthouse (the npm package pinned in package-lock.json) against the built site, served
locally: accessibility, best practices and SEO of index.html and card.html, with the
mobile and the desktop preset, in light and in dark mode (Chromium's --force-dark-mode).

    python3 build.py lighthouse [--pages index.html card.html] [--json FILE]

Prints each run's scores and the audits that failed; exits 1 when a score is under 100.
Headless, against the Chromium the tests use, with the project's flags: nothing is
fetched from anywhere but the local server.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from toolchain import CHROMIUM_ARGS, DIST, NODE_MODULES, BuildError, ensure_chromium
from webapp.server import make_server

CATEGORIES = ("accessibility", "best-practices", "seo")
PAGES = ("index.html", "card.html")
PRESETS = ("mobile", "desktop")
SCHEMES = ("light", "dark")
CLI = NODE_MODULES / "lighthouse" / "cli" / "index.js"
RUN_TIMEOUT_S = 240


def chrome_flags(scheme: str) -> str:
    flags = ["--headless=new", *CHROMIUM_ARGS]
    if scheme == "dark":
        flags.append("--force-dark-mode")  # prefers-color-scheme: dark
    return " ".join(flags)


def run_once(url: str, preset: str, scheme: str, chromium: str) -> dict:
    """One Lighthouse run: {url, preset, scheme, scores: {category: 0..100}, failed: [audit titles]}."""
    node = shutil.which("node")
    if node is None:
        raise BuildError("node is needed to run Lighthouse (it comes with npm)")
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "report.json"
        command = [
            node, str(CLI), url, "--quiet", "--output=json", f"--output-path={out}",
            f"--only-categories={','.join(CATEGORIES)}", f"--chrome-path={chromium}",
            f"--chrome-flags={chrome_flags(scheme)}", "--max-wait-for-load=60000",
        ]  # fmt: skip
        if preset == "desktop":
            command.append("--preset=desktop")
        subprocess.run(command, check=True, timeout=RUN_TIMEOUT_S, env={**os.environ, "CHROME_PATH": chromium})
        report = json.loads(out.read_text())
    scores = {c: round((report["categories"][c]["score"] or 0) * 100) for c in CATEGORIES}
    failed = sorted(
        {
            f"{audit['id']}: {audit['title']}"
            for c in CATEGORIES
            for ref in report["categories"][c]["auditRefs"]
            if ref["weight"] > 0 and (audit := report["audits"][ref["id"]])["score"] is not None and audit["score"] < 1
        }
    )
    return {"url": url, "preset": preset, "scheme": scheme, "scores": scores, "failed": failed}


def measure(pages: tuple[str, ...] = PAGES, presets=PRESETS, schemes=SCHEMES, directory: Path = DIST) -> list[dict]:
    """Every run, dist/ served by build.py's own server on a free port."""
    chromium = ensure_chromium()
    server = make_server(directory, 0, quiet=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        return [
            run_once(base + page, preset, scheme, chromium)
            for page in pages
            for preset in presets
            for scheme in schemes
        ]
    finally:
        server.shutdown()
        server.server_close()


def show(results: list[dict]) -> str:
    lines = [f"{'page':<12} {'preset':<8} {'scheme':<6} " + " ".join(f"{c:>14}" for c in CATEGORIES)]
    for r in results:
        page = r["url"].rsplit("/", 1)[-1]
        lines.append(
            f"{page:<12} {r['preset']:<8} {r['scheme']:<6} " + " ".join(f"{r['scores'][c]:>14}" for c in CATEGORIES)
        )
        lines += [f"    failed: {audit}" for audit in r["failed"]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="build.py lighthouse", description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", nargs="+", default=list(PAGES))
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args(argv)
    results = measure(tuple(args.pages))
    print(show(results), flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0 if all(score == 100 for r in results for score in r["scores"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
