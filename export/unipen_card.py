"""Add UNIPEN's figures to an exported model's card without its checkpoint:
`python -m export.unipen_card site/models/cnn.onnx [--left-out checkpoints/U1-noced/cnn.pt]`.

`python -m export` writes them when it exports a checkpoint (with $UNIPEN_DIR). This scores an
already exported model (its .onnx, through onnxruntime, as the page runs it) on UNIPEN's validation
and held-out writers and writes them, with the data credits, into the card beside it (<model>.json).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import torch

from export.card_figures import DATA_CREDITS, unipen_figures
from train import unipen
from train.onnx_run import session


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m export.unipen_card", description=__doc__.split("\n")[0])
    p.add_argument("model", type=Path, help="an exported model (<model>.onnx, its card <model>.json beside it)")
    p.add_argument("--unipen", help=f"folder of {unipen.FILE_NAME} (default ${unipen.ENV_VAR})")
    p.add_argument("--left-out", help="a checkpoint trained with --unipen-exclude: its score on those institutions")
    args = p.parse_args(argv)
    card_path = args.model.with_suffix(".json")
    if not (args.model.is_file() and card_path.is_file()):
        print(f"error: {args.model} and its card {card_path.name} must both exist", file=sys.stderr)
        return 2
    try:
        digits = unipen.load(args.unipen)
    except (FileNotFoundError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    left_out = torch.load(args.left_out, weights_only=False) if args.left_out else None
    if left_out is not None and not left_out.get("unipen", {}).get("exclude"):
        print(f"error: {args.left_out} was not trained with --unipen-exclude", file=sys.stderr)
        return 2
    card = json.loads(card_path.read_text())
    card["unipen"] = unipen_figures(session(args.model), digits, left_out)
    card.setdefault("data", {})["credits"] = DATA_CREDITS
    card_path.write_text(json.dumps(card, indent=1) + "\n")
    held_out = card["unipen"]["held_out_writers"]
    print(f"{card_path}: UNIPEN held-out writers {held_out['accuracy']:.2%} ({held_out['errors']} errors of "
          f"{held_out['count']})")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
