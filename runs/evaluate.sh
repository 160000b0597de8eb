#!/usr/bin/env bash
# Issue 35: export a candidate reader, pair it with the shipped "not a digit" detector (thresholds refitted on
# validation) into /tmp/paired-sN. Usage: runs/evaluate.sh RUN SEED (checkpoints/RUN-sSEED)
set -euo pipefail
cd "$(dirname "$0")/.."
export MNIST_DIR=${MNIST_DIR:-../shared/data/mnist} PENDIGITS_DIR=${PENDIGITS_DIR:-../shared/data/pendigits}
export UNIPEN_DIR=${UNIPEN_DIR:-../shared/data/unipen}
PY=.venv/bin/python
RUN=$1 SEED=$2
R=/tmp/reader-s$SEED P=/tmp/paired-s$SEED
mkdir -p "$R" "$P"
cp site/models/* "$R/"  # the MLP's card beside the new CNN's: the gallery (test-digits.bin) holds both cards' digits
echo "== export $(date +%T)"; $PY -m export --model cnn --checkpoint checkpoints/$RUN-s$SEED/cnn.pt --out "$R" --pendigits "$PENDIGITS_DIR" --unipen "$UNIPEN_DIR"
echo "== pair $(date +%T)"; $PY -m export.pair "$R/cnn.onnx" site/models/cnn.onnx --out "$P"
echo "== ended $(date +%T)"
