"""Average the weights of networks fine-tuned from one parent checkpoint (a "model soup",
Wortsman et al., 2022): `python -m train.soup --out checkpoints/soup A/cnn.pt B/cnn.pt`.

Fine-tunes of one parent stay in one basin of the loss, so their weights can be averaged
into a single network: what several runs agree on, at the cost of one at prediction time
(unlike averaging their probabilities). Networks trained from different starting points
cannot be averaged this way, so the command refuses them. Batch-norm statistics are
averaged like the weights. The result is a checkpoint like any other: score it with
`python -m train.validate`, export it with `python -m export`.
"""

from __future__ import annotations

import argparse
import pickle
import shlex
import sys
from pathlib import Path

import torch

PARENT_SEPARATOR = " && "  # a fine-tune's command is "<its parent's command> && <its own>"


def own_command(checkpoint: dict) -> str:
    """The command of the checkpoint's last training stage."""
    return checkpoint["command"].rsplit(PARENT_SEPARATOR, 1)[-1]


def parent_path(checkpoint: dict) -> str | None:
    """The --init checkpoint the network was fine-tuned from; None when it was trained from scratch."""
    words = shlex.split(own_command(checkpoint))
    return words[words.index("--init") + 1] if "--init" in words else None


def soup(parent: dict, children: list[dict]) -> dict:
    """One checkpoint whose weights are the mean of `children`'s, all fine-tuned from `parent`.

    Raises ValueError, in plain words, when they are not fine-tunes of that parent."""
    for child in children:
        if (child["model"], child["options"]) != (parent["model"], parent["options"]):
            raise ValueError(f"a {child['model']} {child['options']} is not a fine-tune of a {parent['model']} "
                             f"{parent['options']}")  # fmt: skip
        if child["command"] != f"{parent['command']}{PARENT_SEPARATOR}{own_command(child)}":
            raise ValueError(f"{own_command(child)!r} does not continue the parent's recipe")
    state = {}
    for key, value in children[0]["state_dict"].items():
        values = [child["state_dict"][key] for child in children]
        # counters such as batch-norm's num_batches_tracked are integers: keep the first's
        state[key] = torch.stack(values).mean(0) if value.is_floating_point() else value.clone()
    first = children[0]
    return {
        **{key: first[key] for key in ("model", "options", "augmentation", "threads", "data", "pendigits")},
        "state_dict": state,
        "history": first["history"],  # the card's curves: the first ingredient's run
        # the parent's training once, and each fine-tune's own
        "train_seconds": parent["train_seconds"] + sum(c["train_seconds"] - parent["train_seconds"] for c in children),
        "command": parent["command"] + PARENT_SEPARATOR + " ; ".join(own_command(c) for c in children),
        "dry_run": any(c.get("dry_run", False) for c in children),
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m train.soup", description=__doc__.split("\n")[0])
    p.add_argument("checkpoints", nargs="+", help="fine-tunes of one parent (<out>/<model>.pt)")
    p.add_argument("--out", required=True, help="folder for <model>.pt, the averaged network")
    args = p.parse_args(argv)
    try:
        children = [torch.load(path, weights_only=False) for path in args.checkpoints]
        parents = {parent_path(child) for child in children}
        if len(parents) != 1 or None in parents:
            raise ValueError(f"the checkpoints are not fine-tunes (--init) of one parent: {sorted(map(str, parents))}")
        averaged = soup(torch.load(parents.pop(), weights_only=False), children)
    except (OSError, RuntimeError, KeyError, pickle.UnpicklingError) as error:
        print(f"error: could not read the checkpoints ({error})", file=sys.stderr)
        return 2
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    averaged["command"] += f" ; {shlex.join(['python', '-m', 'train.soup', *(sys.argv[1:] if argv is None else argv)])}"
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{averaged['model']}.pt"
    torch.save(averaged, path)
    print(f"averaged {len(children)} networks into {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
