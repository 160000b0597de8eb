"""Whole numbers written by people, two ways, one command: `python build.py numbers`.

1. Offline: numbers built from the digits of held-out writers (train/numbers.py: 2 to 8 digits of
   one writer, gaps from wide to touching, drifting baselines, sizes varying), segmented by
   train/segment.py, each digit drawn alone by train/render.py, preprocessed and read in one batch
   by onnxruntime in CPython.
2. End to end: a fixed sample of the same numbers replayed as mouse input on the built page in
   Number mode (?mode=number), the answer read from #prediction's data-number; the sample's strokes
   are thinned to a point every 6 bitmap pixels first (`thinned`), and read offline thinned too.

Prints, for each: the share of numbers read exactly, with the right digit count, the per-digit
accuracy (digits matched by position when the count is right) beside Digit mode on the same digits,
and every number on which the page and CPython disagree (there should be none).
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

from evaluate import numbers_offline
from evaluate.pagekit import Pad, served_page
from toolchain import DIST, find_chromium
from train import numbers
from train.onnx_run import session
from train.strokes import thinned


def page_reads(found: list[numbers.Number], chromium: str) -> list[str]:
    """Each number replayed on the served dist/ in Number mode: the page's data-number."""
    reads = []
    with served_page(DIST, chromium, "?mode=number") as app:
        pad = Pad(app.page)
        for number in found:
            reads.append(pad.draw_bitmap(number.strokes)["number"])
            pad.clear()
    return reads


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python build.py numbers", description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, default=DIST / "models" / "cnn.onnx")
    parser.add_argument("--writers", choices=sorted(numbers.SPLITS), default="held-out")
    parser.add_argument("--count", type=int, default=700, help="numbers per data set, offline (100 per length)")
    parser.add_argument("--page-sample", type=int, default=70, help="of those, replayed in the page (0: none)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    data = numbers.sources(args.writers, None, None)
    if not data:
        print("error: no pendigits or UNIPEN data: set $PENDIGITS_DIR and/or $UNIPEN_DIR", file=sys.stderr)
        return 2
    sess = session(args.model)
    calibration = numbers.calibration_of(sess)
    chromium = find_chromium()
    for name, by_writer in data.items():
        made = numbers.make_numbers(by_writer, args.count, args.seed)
        title = f"{name} {args.writers} writers ({len(by_writer)}), {args.count} numbers, seed {args.seed}"
        print(numbers_offline.report(f"offline, {title}:", numbers_offline.evaluate(sess, made)), flush=True)
        if not args.page_sample or chromium is None:
            continue
        step = max(1, len(made) // args.page_sample)
        sample = made[::step][: args.page_sample]  # every length and gap class: make_numbers cycles through them
        sample = [replace(n, strokes=thinned(n.strokes)) for n in sample]  # read offline as replayed
        offline = ["".join(numbers.read_offline(sess, n.strokes, calibration)[0]) for n in sample]
        in_page = page_reads(sample, chromium)
        alone = numbers.read_alone(sess, sample, calibration)
        tally = numbers_offline.Tally()
        for n, read, lone in zip(sample, in_page, alone, strict=True):
            tally.add(n.labels, list(read), lone)
        print(f"in the page, {len(sample)} of them:\n{numbers_offline.HEADER}\n{tally.line('page')}")
        differ = [(n, o, p) for n, o, p in zip(sample, offline, in_page, strict=True) if o != p]
        for n, o, p in differ:
            print(f"  page and CPython disagree on {''.join(map(str, n.labels))} ({n.writer}): {o!r} vs {p!r}")
        print(f"  page and CPython agree on {len(sample) - len(differ)} of {len(sample)} numbers", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
