"""Whole numbers of real writers read offline as the page reads them, tallied (Number mode, issue 20):
`python -m train.numbers site/models/cnn.onnx [--writers held-out|validation] [--count N] [--seed S]`
(train/numbers.py runs this module). The numbers, and how the page reads one (`read_offline`), are
train/numbers.py's; `python3 build.py numbers` (evaluate/numbers.py) also reads them in the page."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from train import numbers, onnx_run, pendigits, unipen
from train.numbers import (
    GAPS,
    LENGTHS,
    SPLITS,
    Number,
    calibration_of,
    make_numbers,
    read_alone,
    read_offline,
    sources,
)


@dataclass
class Tally:
    numbers: int = 0
    exact: int = 0
    counted: int = 0
    digits: int = 0
    right: int = 0
    alone_right: int = 0
    confusions: Counter = field(default_factory=Counter)

    def add(self, labels: list[int], read: list[str], alone: list[str]) -> None:
        truth = [str(d) for d in labels]
        self.numbers += 1
        self.exact += read == truth
        self.counted += len(read) == len(truth)
        self.digits += len(truth)
        self.alone_right += sum(a == t for a, t in zip(alone, truth, strict=True))
        if len(read) == len(truth):
            self.right += sum(r == t for r, t in zip(read, truth, strict=True))
            self.confusions.update((t, r) for r, t in zip(read, truth, strict=True) if r != t)

    def line(self, name: str) -> str:
        return (f"{name:>10} {self.numbers:>6} {self.exact / self.numbers:>8.2%} {self.counted / self.numbers:>8.2%} "
                f"{self.right / self.digits:>8.2%} {self.alone_right / self.digits:>8.2%}")  # fmt: skip


HEADER = f"{'':>10} {'numbers':>6} {'exact':>8} {'count':>8} {'digits':>8} {'alone':>8}"


def evaluate(sess, numbers: list[Number]) -> dict[str, Tally]:
    """Tallies overall ("all"), per length ("2".."8") and per gap class."""
    calibration = calibration_of(sess)
    alone = read_alone(sess, numbers, calibration)
    tallies: dict[str, Tally] = {}
    for n, lone in zip(numbers, alone, strict=True):
        read, _, _ = read_offline(sess, n.strokes, calibration)
        for key in ("all", str(len(n.labels)), n.gap_class):
            tallies.setdefault(key, Tally()).add(n.labels, read, lone)
    return tallies


def report(name: str, tallies: dict[str, Tally]) -> str:
    rows = [name, HEADER, tallies["all"].line("all")]
    rows += [tallies[str(k)].line(f"{k} digits") for k in LENGTHS if str(k) in tallies]
    rows += [tallies[g].line(g) for g in GAPS if g in tallies]
    top = ", ".join(f"{t}->{r} x{c}" for (t, r), c in tallies["all"].confusions.most_common(10))
    return "\n".join(rows) + f"\n  top confusions (true->read, right count only): {top or 'none'}"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m train.numbers", description=numbers.__doc__.split("\n")[0])
    p.add_argument("model", type=Path)
    p.add_argument("--writers", choices=sorted(SPLITS), default="held-out")
    p.add_argument("--count", type=int, default=700, help="numbers per data set (default 700: 100 per length)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--pendigits", help=f"folder of {pendigits.FILE_NAME} (default ${pendigits.ENV_VAR})")
    p.add_argument("--unipen", help=f"folder of {unipen.FILE_NAME} (default ${unipen.ENV_VAR})")
    args = p.parse_args(argv)
    data = sources(args.writers, args.pendigits, args.unipen)
    if not data:
        print("error: no pendigits or UNIPEN data: set $PENDIGITS_DIR and/or $UNIPEN_DIR", file=sys.stderr)
        return 2
    sess = onnx_run.session(args.model)
    pooled: dict[str, Tally] = {}
    for name, by_writer in data.items():
        tallies = evaluate(sess, make_numbers(by_writer, args.count, args.seed))
        print(report(f"{name} {args.writers} writers ({len(by_writer)}), {args.count} numbers, seed {args.seed}:",
                     tallies), flush=True)  # fmt: skip
        for key, t in tallies.items():
            into = pooled.setdefault(key, Tally())
            for f in ("numbers", "exact", "counted", "digits", "right", "alone_right"):
                setattr(into, f, getattr(into, f) + getattr(t, f))
            into.confusions.update(t.confusions)
    if len(data) > 1:
        print(report("pooled:", pooled))
    return 0


if __name__ == "__main__":
    sys.exit(main())
