"""People's drawings, two ways, one command: `python build.py drawings`.

1. Offline: each digit of the chosen pendigits writers drawn by train/render.py (the page's
   renderer), preprocessed by train/preprocess.py and run by onnxruntime in CPython.
2. End to end: the same digits replayed as mouse input on #pad of the built page in headless
   Chromium, the answer read from #prediction.

Both map each writer's 500x500 box onto the pad (tablet y axis up). Prints accuracy, recall
per class, the most frequent errors, and every digit on which the two disagree: if they do,
the offline renderer is not the page's.

`--learn`: the handwriting memory, writer by writer (evaluate/learning.py; its own options).

With UNIPEN at hand (`--unipen`, $UNIPEN_DIR), the same for the same split of UNIPEN's writers
(train/unipen.py: each digit drawn at the size and place its source line seeds), offline on all of
them with the figures per institution, and in the page on a fixed sample (`--unipen-page-sample`);
then both sources pooled.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from evaluate import learning
from evaluate.pagekit import Pad, served_page
from toolchain import DEFAULT_MODELS, DIST, find_chromium
from train import drawings, pendigits, unipen
from train.onnx_run import run, session
from train.preprocess import normalize

UNIPEN_SPLITS = {"held-out": "held-out", "validation": "validation", "train": "train"}  # --writers -> split
WRITERS = {
    "held-out": pendigits.HELD_OUT_WRITERS,
    "validation": pendigits.VALIDATION_WRITERS,
    "train": pendigits.TRAIN_WRITERS,
}


def offline_predictions(
    model: Path, digits: list[pendigits.PenDigit], size: float = 1.0, pen: float | None = None
) -> np.ndarray:
    return run(session(model), drawings.model_inputs(digits, size, pen)).argmax(1)


def page_predictions(digits: list, chromium: str) -> np.ndarray:
    """Replays every digit on the served dist/ and reads the page's answer."""
    predictions = np.full(len(digits), -1)
    with served_page(DIST, chromium) as app:
        pad = Pad(app.page)
        box = pad.box()
        start = time.time()
        for i, digit in enumerate(digits):
            predictions[i] = int(pad.draw(digit.on_pad(box["width"], box["height"]))["digit"])
            pad.clear()
            if (i + 1) % 100 == 0:
                print(f"  replayed {i + 1}/{len(digits)} in {time.time() - start:.0f} s", flush=True)
    return predictions


def unipen_evaluation(args: argparse.Namespace, pendigits_offline: dict) -> dict:
    """UNIPEN's writers of the same split: offline (all, and per institution), in the page (a fixed sample)."""
    every = unipen.load(args.unipen)
    digits = unipen.by_split(every, UNIPEN_SPLITS[args.writers])
    labels = drawings.labels_of(digits)
    writers, institutions = {d.writer for d in digits}, sorted({d.institution for d in digits})
    print(f"\nUNIPEN: {len(digits)} digits of the {len(writers)} {args.writers} writers of {len(institutions)} "
          f"institutions")  # fmt: skip
    sess = session(args.model)
    offline = run(sess, normalize(drawings.drawn_images([d.on_pad() for d in digits]))).argmax(1)
    result = {"offline": drawings.score(offline, labels), "per_institution": {}}
    print(drawings.report(f"UNIPEN offline ({args.model.name})", result["offline"]))
    for institution in institutions:
        mine = np.array([d.institution == institution for d in digits])
        scored = drawings.score(offline[mine], labels[mine])
        result["per_institution"][institution] = {k: scored[k] for k in ("count", "accuracy", "errors")}
    print("  per institution: " + ", ".join(
        f"{i} {r['accuracy']:.2%} ({r['errors']}/{r['count']})" for i, r in result["per_institution"].items()
    ))  # fmt: skip
    pooled_errors = result["offline"]["errors"] + pendigits_offline["errors"]
    pooled_count = result["offline"]["count"] + pendigits_offline["count"]
    result["pooled_offline"] = {"count": pooled_count, "errors": pooled_errors,
                                "accuracy": 1 - pooled_errors / pooled_count}  # fmt: skip
    print(f"pendigits and UNIPEN {args.writers} writers pooled, offline: {1 - pooled_errors / pooled_count:.2%} "
          f"({pooled_errors} errors of {pooled_count})")  # fmt: skip
    if not args.no_page and args.unipen_page_sample:
        chosen = np.sort(np.random.default_rng(0).permutation(len(digits))[: args.unipen_page_sample])
        sample = [digits[i] for i in chosen]
        page = page_predictions(sample, find_chromium())
        result["page_sample"] = drawings.score(page, labels[chosen])
        differ = np.flatnonzero(page != offline[chosen])
        result["page_sample"]["disagreements"] = [
            {"source": sample[i].source, "label": int(labels[chosen][i]), "offline": int(offline[chosen][i]),
             "page": int(page[i])} for i in differ
        ]  # fmt: skip
        print(f"UNIPEN in the page, {len(sample)} of them (seeded sample): "
              f"{result['page_sample']['accuracy']:.2%} ({result['page_sample']['errors']} errors); offline and "
              f"page disagree on {len(differ)}" + "".join(
                  f"\n  {sample[i].source}: {labels[chosen][i]} read as {offline[chosen][i]} offline, {page[i]} "
                  "in the page" for i in differ))  # fmt: skip
    return result


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if "--learn" in argv:  # the handwriting memory's evaluation (evaluate/learning.py)
        return learning.main([a for a in argv if a != "--learn"])
    p = argparse.ArgumentParser(prog="python build.py drawings", description=__doc__.split("\n")[0])
    p.add_argument("--pendigits", help=f"folder of {pendigits.FILE_NAME} (default ${pendigits.ENV_VAR})")
    p.add_argument("--writers", choices=sorted(WRITERS), default="held-out")
    p.add_argument("--model", type=Path, default=DEFAULT_MODELS / "cnn.onnx", help="for the offline run")
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
    p.add_argument("--unipen", help=f"folder of {unipen.FILE_NAME} (default ${unipen.ENV_VAR}; absent: skipped)")
    p.add_argument(
        "--unipen-page-sample", type=int, default=500,
        help="UNIPEN digits replayed in the page (a fixed sample of the split; 0: none)",
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
        chromium = find_chromium()
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
    if unipen.resolve_path(args.unipen) or args.unipen:
        try:
            results["unipen"] = unipen_evaluation(args, results["offline"])
        except (FileNotFoundError, ValueError) as error:
            print(f"error: {error}", file=sys.stderr)
            return 2
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
