"""The handwriting memory, offline (issue 37): `python3 build.py drawings --learn [--split held-out]`.

Each writer of the split (pendigits and UNIPEN, the page's drawings) writes their digits one after another
in a seeded order, starting with an empty memory, as a person on their own device would. Each digit is read
by the model (onnxruntime in CPython: its calibrated probabilities and `features`) blended with the memory
(train/memory.py, the module the page runs), and every wrong answer is corrected at once: the digit joins
that writer's memory. Prints, pooled, per source and per writer: errors without and with the memory, the
errors on digits that come after the writer's first correction of that digit, the writers made worse, and
the number of corrections.

`--page-writer NAME` also replays that writer's first `--page-digits` digits (in order 1) on the built page in
Chromium, teaching it each wrong answer with its "Not right? It's a …" buttons, and checks that the page
answers as CPython does on the same strokes.

`--tune` chooses the memory's settings on the validation writers (docs/experiments.md, issue 37), by the
rule registered there: the fewest errors with the memory (mean of two orders), no writer made worse.
"""

from __future__ import annotations

import argparse
import itertools
import json
import shlex
import sys
import zlib
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np

from evaluate.pagekit import Pad, served_page
from toolchain import DEFAULT_MODELS, DIST, find_chromium
from train import contract, drawings, memory, pendigits, unipen
from train.onnx_run import OUTPUT, outputs, read_metadata, session
from train.preprocess import normalize
from train.rejection import Calibration, digit_drawings, digit_probabilities
from train.render import BITMAP_SIZE
from train.strokes import thinned

ORDER_SEEDS = (1, 2)  # each writer's digits are streamed in these seeded orders
GRID = {"neighbours": (1, 3, 5), "min_similarity": (0.7, 0.75, 0.8, 0.85, 0.9), "weight": (0.5, 1.0, 2.0, 4.0)}


@dataclass(frozen=True)
class Read:
    """A split's digits as the model reads them: calibrated probabilities [N, 10], features [N, F], labels, and
    each digit's writer ("pendigits 27", "unipen <institution>/<writer>")."""

    probs: np.ndarray
    features: np.ndarray
    labels: np.ndarray
    writers: list[str]


def read_inputs(model: Path, inputs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(calibrated probabilities [N, 10], features [N, F]) of normalized inputs, read by `model` (which must
    have `features`)."""
    metadata = read_metadata(model)
    feature_name = metadata.get("features_output")
    if feature_name is None:
        raise ValueError(f"{model} has no features output: python -m export.features {model}")
    calibration = Calibration.from_metadata(metadata)
    logits, features = outputs(session(model), inputs, [OUTPUT, feature_name])
    return digit_probabilities(logits, calibration.temperature if calibration else 1.0), features


def read_split(model: Path, split: str, pendigits_dir: str | None, unipen_dir: str | None) -> Read:
    """The split's digits, drawn as the page draws them, read by `model`."""
    digits = digit_drawings(split, pendigits_dir, unipen_dir)
    probs, features = read_inputs(model, digits.inputs)
    return Read(probs, features, digits.labels, digits.names)


def writer_order(count: int, writer: str, seed: int) -> np.ndarray:
    """The order in which one writer writes their `count` digits, fixed by the seed and the writer's name."""
    return np.random.default_rng([seed, zlib.crc32(writer.encode())]).permutation(count)


def answers_with_memory(
    probs: np.ndarray, features: np.ndarray, labels: np.ndarray, settings: memory.Settings
) -> list[int]:
    """One writer's digits, in this order, read with a memory that starts empty and learns each wrong answer at
    once (the person corrects it): the answer to each digit."""
    kept, answers = memory.Memory(settings), []
    for p, f, label in zip(probs, features, labels, strict=True):
        answers.append(int(kept.recall(p[None], f[None]).probs[0].argmax()))
        if answers[-1] != label:
            kept.add(f, int(label))
    return answers


def stream(probs: np.ndarray, features: np.ndarray, labels: np.ndarray, settings: memory.Settings) -> dict:
    """One writer's digits, in this order, each corrected at once when read wrong: the counts."""
    corrected: set[int] = set()
    counts = dict.fromkeys(("errors_without", "errors_with", "corrections", "after_correction",
                            "after_correction_errors_without", "after_correction_errors_with"), 0)  # fmt: skip
    counts = {"digits": len(labels), **counts}
    for p, answer, label in zip(probs, answers_with_memory(probs, features, labels, settings), labels, strict=True):
        without, wrong = int(p.argmax() != label), int(answer != label)
        counts["errors_without"] += without
        counts["errors_with"] += wrong
        if label in corrected:
            counts["after_correction"] += 1
            counts["after_correction_errors_without"] += without
            counts["after_correction_errors_with"] += wrong
        if wrong:
            corrected.add(int(label))
            counts["corrections"] += 1
    return counts


def by_writer(read: Read, settings: memory.Settings, seed: int) -> dict[str, dict]:
    """Each writer's counts, their digits streamed in the seeded order."""
    found = {}
    writers = np.array(read.writers)
    for writer in sorted(set(read.writers)):
        rows = np.flatnonzero(writers == writer)
        rows = rows[writer_order(len(rows), writer, seed)]
        found[writer] = stream(read.probs[rows], read.features[rows], read.labels[rows], settings)
    return found


def pooled(writers: dict[str, dict], prefix: str = "") -> dict:
    """The writers' counts (those whose name starts with `prefix`) summed, with the writers made worse."""
    chosen = {w: c for w, c in writers.items() if w.startswith(prefix)}
    total = {key: sum(c[key] for c in chosen.values()) for key in next(iter(chosen.values()))}
    total["writers"] = len(chosen)
    total["writers_worse"] = sorted(w for w, c in chosen.items() if c["errors_with"] > c["errors_without"])
    total["writers_better"] = sum(c["errors_with"] < c["errors_without"] for c in chosen.values())
    without = total["errors_without"]
    total["fewer_errors"] = (without - total["errors_with"]) / without if without else 0.0
    return total


def evaluate(read: Read, settings: memory.Settings, seeds: tuple[int, ...] = ORDER_SEEDS) -> dict:
    """Per order seed: the pooled and per-source figures and every writer's counts."""
    figures = {}
    for seed in seeds:
        writers = by_writer(read, settings, seed)
        figures[str(seed)] = {"pooled": pooled(writers), "pendigits": pooled(writers, "pendigits "),
                              "unipen": pooled(writers, "unipen "), "writers": writers}  # fmt: skip
    return figures


def tune(read: Read, base: memory.Settings) -> tuple[memory.Settings, list[dict]]:
    """The rule registered in docs/experiments.md: among the grid's settings that make no writer worse in
    either order, the fewest errors with the memory (mean of the orders); ties go to the earlier in the grid."""
    rows = []
    for neighbours, similarity, weight in itertools.product(*GRID.values()):
        settings = replace(base, neighbours=neighbours, min_similarity=similarity, weight=weight)
        figures = evaluate(read, settings)
        errors = float(np.mean([f["pooled"]["errors_with"] for f in figures.values()]))
        worse = sorted({w for f in figures.values() for w in f["pooled"]["writers_worse"]})
        rows.append({**asdict(settings), "errors_with": errors, "writers_worse": worse})
    allowed = [row for row in rows if not row["writers_worse"]] or rows
    best = min(allowed, key=lambda row: row["errors_with"])
    return replace(base, **{key: best[key] for key in GRID}), rows


def report(figures: dict, settings: memory.Settings) -> str:
    lines = [f"memory: {settings}"]
    for seed, found in figures.items():
        for source in ("pendigits", "unipen", "pooled"):
            f = found[source]
            lines.append(
                f"order {seed}, {source:9} ({f['writers']} writers, {f['digits']} digits): errors "
                f"{f['errors_without']} -> {f['errors_with']} ({f['fewer_errors']:.0%} fewer), "
                f"after the writer's first correction of that digit {f['after_correction_errors_without']} -> "
                f"{f['after_correction_errors_with']} (of {f['after_correction']}), corrections {f['corrections']}, "
                f"writers better {f['writers_better']}, worse {len(f['writers_worse'])} {f['writers_worse'] or ''}"
            )
    return "\n".join(lines)


def writer_strokes(writer: str, split: str, pendigits_dir: str | None, unipen_dir: str | None) -> list:
    """(label, strokes in bitmap pixels as the page gets them) of one writer's digits, in the split's order (UNIPEN's
    thinned to a point every 6 px, as the page tests replay them: tests/page/test_page_unipen.py)."""
    source, name = writer.split(" ", 1)
    if source == "pendigits":
        chosen = pendigits.by_writers(pendigits.load(pendigits_dir), frozenset({int(name)}))
        return [(d.label, d.on_pad(BITMAP_SIZE, BITMAP_SIZE)) for d in chosen]
    return [(d.label, thinned(d.on_pad())) for d in unipen.by_split(unipen.load(unipen_dir), split) if d.writer == name]


def page_replay(model: Path, written: list, settings: memory.Settings) -> dict:
    """`written` ([(label, strokes)], in order) on the built page, each wrong answer taught at once with the page's
    buttons, against the same stream in CPython on the same strokes: both answers per digit."""
    labels = np.array([label for label, _ in written])
    probs, features = read_inputs(model, normalize(drawings.drawn_images([strokes for _, strokes in written])))
    offline = answers_with_memory(probs, features, labels, settings)
    chromium = find_chromium()
    if chromium is None:
        raise SystemExit("Chromium not found: run this through `python3 build.py drawings --learn`, which installs it")
    page, taught = [], 0
    with served_page(DIST, chromium) as app:
        pad = Pad(app.page)
        for label, strokes in written:
            page.append(int(pad.draw_bitmap(strokes)["digit"]))
            if page[-1] != label:
                taught += 1
                pad.find(f'#teach button[data-digit="{label}"]').click()
                pad.find(f'#prediction[data-remembered="{min(taught, settings.capacity)}"]').wait_for(state="attached")
            pad.clear()
    errors = {"without": probs.argmax(1), "page": np.array(page), "offline": np.array(offline)}
    return {"digits": len(written), "labels": labels.tolist(), "offline": offline, "page": page,
            "agree": int(sum(a == b for a, b in zip(offline, page, strict=True))),
            **{f"errors_{name}": int((answers != labels).sum()) for name, answers in errors.items()}}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python3 build.py drawings --learn", description=__doc__.split("\n\n")[0])
    p.add_argument("--model", type=Path, default=DEFAULT_MODELS / "cnn.onnx", help="the reader (with features)")
    p.add_argument("--split", choices=("validation", "held-out"), default="held-out", help="which writers")
    p.add_argument("--tune", action="store_true", help="choose the settings on the validation writers")
    p.add_argument("--pendigits", help="pendigits folder (default $PENDIGITS_DIR)")
    p.add_argument("--unipen", help="UNIPEN folder (default $UNIPEN_DIR)")
    p.add_argument("--json", type=Path, help="write the figures here too")
    p.add_argument("--page-writer", help="replay this writer of the split in the page too (e.g. 'pendigits 27')")
    p.add_argument("--page-digits", type=int, default=60, help="how many of that writer's digits (order 1)")
    p.add_argument("--card", type=Path, help="add the held-out figures to this model card (e.g. site/models/cnn.json)")
    args = p.parse_args(argv)
    settings = memory.Settings.from_contract(contract.MEMORY)
    split = "validation" if args.tune else args.split
    try:
        read = read_split(args.model, split, args.pendigits, args.unipen)
    except (FileNotFoundError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    result: dict = {"split": split, "model": str(args.model)}
    if args.tune:
        settings, rows = tune(read, settings)
        result["grid"] = rows
        for row in sorted(rows, key=lambda r: r["errors_with"])[:10]:
            print(f"  {row}")
        print(f"chosen on validation: {settings} (train/contract.json has {contract.MEMORY})")
    figures = evaluate(read, settings)
    print(report(figures, settings))
    if args.json:
        args.json.write_text(json.dumps({**result, "settings": asdict(settings), "figures": figures}, indent=1))
    if args.page_writer:
        written = writer_strokes(args.page_writer, split, args.pendigits, args.unipen)
        if not written:
            print(f"error: no writer {args.page_writer!r} in the {split} split", file=sys.stderr)
            return 2
        order = writer_order(len(written), args.page_writer, ORDER_SEEDS[0])
        replay = page_replay(args.model, [written[i] for i in order[: args.page_digits]], settings)
        result["page"] = {"writer": args.page_writer, **replay}
        print(f"in the page, {args.page_writer}'s first {replay['digits']} digits (order {ORDER_SEEDS[0]}): page and "
              f"CPython agree on {replay['agree']}; errors without the memory {replay['errors_without']}, with it "
              f"{replay['errors_page']} in the page, {replay['errors_offline']} in CPython")  # fmt: skip
        if args.json:
            args.json.write_text(json.dumps({**result, "settings": asdict(settings), "figures": figures}, indent=1))
    if args.card and split == "held-out":
        card = json.loads(args.card.read_text())
        card["learning"] = card_entry(
            result.get("page"),
            figures,
            settings,
            shlex.join(["python3", "build.py", "drawings", "--learn", *(argv if argv is not None else sys.argv[1:])]),
        )
        args.card.write_text(json.dumps(card, indent=1) + "\n")
    return 0


def card_entry(page: dict | None, figures: dict, settings: memory.Settings, command: str) -> dict:
    """What the model card shows of the memory: its settings, per order the held-out figures by source, and the
    page replay's agreement with CPython (`page`, None without one)."""
    sources = ("pendigits", "unipen", "pooled")
    orders = {
        seed: {
            s: {k: v for k, v in found[s].items() if k != "writers_worse"}
            | {"writers_worse": len(found[s]["writers_worse"])}
            for s in sources
        }
        for seed, found in figures.items()
    }
    replayed = page and {k: page[k] for k in ("writer", "digits", "agree", "errors_without", "errors_page")}
    return {"command": command, "settings": asdict(settings), "order_seeds": list(figures),
            "chosen_on": "the validation writers (pendigits 21-25, UNIPEN's validation writers)",
            "held_out": orders, "page": replayed}  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
