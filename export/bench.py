"""Benchmark the committed models: `python -m export.bench`.

Prints, per model in site/models: MNIST test accuracy (onnxruntime, committed
test split), parameters, ONNX bytes, onnxruntime CPU latency per image (batch 1,
one thread, median and p95 of 1,000 runs) and training time from the card.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import onnxruntime as ort

from export.onnx_io import INPUT, OUTPUT
from train import mnist, preprocess
from train.onnx_run import run, session


def latency_ms(path: Path, inputs: np.ndarray, runs: int) -> tuple[float, float]:
    options = ort.SessionOptions()
    options.intra_op_num_threads = options.inter_op_num_threads = 1
    sess = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    times = []
    for i in range(runs + 20):
        start = time.perf_counter()
        sess.run([OUTPUT], {INPUT: inputs[i % len(inputs)][None]})
        times.append(time.perf_counter() - start)
    times = np.array(times[20:]) * 1000  # the first runs warm up
    return float(np.median(times)), float(np.percentile(times, 95))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m export.bench", description=__doc__.split("\n")[0])
    p.add_argument("--models", default="site/models")
    p.add_argument("--runs", type=int, default=1000)
    args = p.parse_args(argv)
    images, labels = mnist.load("test", mnist.DEFAULT_DIR)
    inputs = preprocess.normalize(images / 255.0)
    header = f"{'model':<6} {'test acc':>9} {'params':>9} {'onnx bytes':>11} {'ms/img p50':>10} {'p95':>6} {'train':>8}"
    print(header)
    for path in sorted(Path(args.models).glob("*.onnx")):
        card = json.loads(path.with_suffix(".json").read_text())
        accuracy = float((run(session(path), inputs).argmax(1) == labels).mean())
        median, p95 = latency_ms(path, inputs, args.runs)
        print(
            f"{path.stem:<6} {accuracy:>9.2%} {card['architecture']['parameters']:>9,} {path.stat().st_size:>11,} "
            f"{median:>10.3f} {p95:>6.3f} {card['training']['seconds'] / 60:>6.1f}min"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
