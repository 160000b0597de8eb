"""Digit or not, scored: `python -m train.rejection site/models/cnn.onnx [--held-out]` (train/rejection.py
runs this module). Each method's calibration and figures on the validation drawings, the one chosen,
and with `--held-out` the held-out drawings scored once with what the validation split chose.
The calibration and the verdict's arithmetic are train/rejection.py's, which export also uses."""

from __future__ import annotations

import argparse
import sys

from train import pendigits, rejection, unipen
from train.onnx_run import session
from train.rejection import choose, held_out_figures


def summary(name: str, f: dict) -> str:
    d, n = f["digits"], f["non_digits"]
    kinds = ", ".join(f"{k} {v:.0%}" for k, v in n["caught_by_kind"].items())
    return (
        f"  {name}: digits {d['count']}: not-digit {d['not-digit']:.2%}, unsure {d['unsure']:.2%}, accuracy "
        f"{d['accuracy']:.2%} -> {d['accepted_accuracy']:.2%} on those accepted; "
        f"ECE {f['calibration']['ece_before']:.2%} -> {f['calibration']['ece']:.2%}\n"
        f"    non-digits {n['count']}: not-digit {n['not-digit']:.2%}, unsure {n['unsure']:.2%}, digit "
        f"{n['digit']:.2%}; caught by kind: {kinds}"
    )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m train.rejection", description=rejection.__doc__.split("\n\n")[0])
    p.add_argument("model", help="an exported model (.onnx)")
    p.add_argument("--held-out", action="store_true", help="also score the held-out split (once, for the report)")
    p.add_argument("--pendigits", help=f"folder of {pendigits.FILE_NAME} (default ${pendigits.ENV_VAR})")
    p.add_argument("--unipen", help=f"folder of {unipen.FILE_NAME} (default ${unipen.ENV_VAR})")
    args = p.parse_args(argv)
    try:
        sess = session(args.model)
        calibration, compared = choose(sess, args.pendigits, args.unipen)
        print(f"{args.model}, validation drawings:")
        for method, f in compared.items():
            c = f["calibration"]
            print(f"{method}: T {c['temperature']:.3f}, not-digit above {c['not_digit_threshold']:.4f}, "
                  f"unsure under {c['unsure_threshold']:.4f}")  # fmt: skip
            print(summary("validation", f))
        print(f"chosen: {calibration.method}")
        if args.held_out:
            print(summary("held-out", held_out_figures(sess, calibration, args.pendigits, args.unipen)))
    except FileNotFoundError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
