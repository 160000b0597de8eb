"""People's drawings, two ways, one command: `python build.py drawings`.

1. Offline: each digit of the chosen pendigits writers drawn by train/render.py (the page's
   renderer), preprocessed by train/preprocess.py and run by onnxruntime in CPython.
2. End to end: the same digits replayed as mouse input on #pad of the built page in headless
   Chromium, the answer read from #prediction.

Both map each writer's 500x500 box onto the pad (tablet y axis up). Prints accuracy, recall
per class, the most frequent errors, and every digit on which the two disagree: if they do,
the offline renderer is not the page's.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the project root, for build.py
import build  # noqa: E402
from bench.pagekit import Pad, open_page, wait_ready  # noqa: E402
from export.onnx_io import run, session  # noqa: E402
from train import drawings, pendigits  # noqa: E402

WRITERS = {
    "held-out": pendigits.HELD_OUT_WRITERS,
    "validation": pendigits.VALIDATION_WRITERS,
    "train": pendigits.TRAIN_WRITERS,
}


def offline_predictions(
    model: Path, digits: list[pendigits.PenDigit], size: float = 1.0, pen: float | None = None
) -> np.ndarray:
    return run(session(model), drawings.model_inputs(digits, size, pen)).argmax(1)


def page_predictions(digits: list[pendigits.PenDigit], chromium: str) -> np.ndarray:
    """Replays every digit on the served dist/ and reads the page's answer."""
    from playwright.sync_api import sync_playwright

    server = build.make_server(build.DIST, 0, quiet=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    predictions = np.full(len(digits), -1)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=build.CHROMIUM_ARGS)
            app = open_page(browser, f"http://127.0.0.1:{server.server_address[1]}/")
            if wait_ready(app.page) != "ready":
                raise SystemExit(f"the page did not become ready: {app.page.inner_text('#error')}")
            pad = Pad(app.page)
            box = pad.box()
            start = time.time()
            for i, digit in enumerate(digits):
                predictions[i] = int(pad.draw(digit.on_pad(box["width"], box["height"]))["digit"])
                pad.clear()
                if (i + 1) % 100 == 0:
                    print(f"  replayed {i + 1}/{len(digits)} in {time.time() - start:.0f} s", flush=True)
            browser.close()
    finally:
        server.shutdown()
    return predictions


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python build.py drawings", description=__doc__.split("\n")[0])
    p.add_argument("--pendigits", help=f"folder of {pendigits.FILE_NAME} (default ${pendigits.ENV_VAR})")
    p.add_argument("--writers", choices=sorted(WRITERS), default="held-out")
    p.add_argument("--model", type=Path, default=build.DEFAULT_MODELS / "cnn.onnx", help="for the offline run")
    p.add_argument("--no-page", action="store_true", help="only the offline evaluation")
    p.add_argument(
        "--sizes", type=float, nargs="+", default=[],
        help="also offline: accuracy with every digit drawn this many times as large (e.g. 0.5 2)",
    )  # fmt: skip
    p.add_argument(
        "--pen", type=float,
        help="offline: draw with a fixed pen this many bitmap pixels wide instead of the page's "
        "(which follows the drawing's size), to compare",
    )  # fmt: skip
    p.add_argument("--json", type=Path, help="also write both results to this file")
    args = p.parse_args(argv)
    try:
        digits = pendigits.by_writers(pendigits.load(args.pendigits), WRITERS[args.writers])
    except FileNotFoundError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    labels = drawings.labels_of(digits)
    print(f"{len(digits)} digits of the {args.writers} writers {sorted(WRITERS[args.writers])}")
    results = {}
    offline = offline_predictions(args.model, digits, pen=args.pen)
    results["offline"] = drawings.score(offline, labels)
    pen = "the page's pen" if args.pen is None else f"a fixed {args.pen:g} px pen"
    print(drawings.report(f"offline ({args.model.name}, train/render.py, {pen})", results["offline"]), flush=True)
    if args.sizes:
        results["sizes"] = {}
        for size in args.sizes:
            predictions = offline_predictions(args.model, digits, size, args.pen)
            scored = results["sizes"][str(size)] = drawings.score(predictions, labels)
            print(f"offline, every digit drawn {size:g}x as large: accuracy {scored['accuracy']:.2%} "
                  f"({scored['errors']} errors)", flush=True)  # fmt: skip
    if not args.no_page:
        chromium = build.find_chromium()
        if chromium is None:
            raise SystemExit("Chromium not found: run this through `python build.py drawings`, which installs it")
        page = page_predictions(digits, chromium)
        results["page"] = drawings.score(page, labels)
        print(drawings.report("end to end (page in Chromium, mouse replay)", results["page"]))
        differ = np.flatnonzero(page != offline)
        results["disagreements"] = [
            {"writer": digits[i].writer, "label": int(labels[i]), "offline": int(offline[i]), "page": int(page[i])}
            for i in differ
        ]
        print(f"offline and page disagree on {len(differ)} of {len(digits)} digits" + "".join(
            f"\n  writer {d['writer']}: {d['label']} read as {d['offline']} offline, {d['page']} in the page"
            for d in results["disagreements"]
        ))  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
