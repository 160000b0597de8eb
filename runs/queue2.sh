#!/usr/bin/env bash
# Issue 35, recipe S-ft1, one run at a time, each resumable: rerun this script after a stop.
set -uo pipefail
cd "$(dirname "$0")/.."
export MNIST_DIR=/work/shared/data/mnist PENDIGITS_DIR=/work/shared/data/pendigits UNIPEN_DIR=/work/shared/data/unipen
PY=.venv/bin/python
MIX="--pen-repeat 3 --unipen-repeat 3 --threads 2"

run() {  # run OUT ARGS...: skip a finished run, resume a stopped one
  local out=$1; shift
  if [ -f "$out/done" ]; then echo "== $out: done"; return 0; fi
  local resume=()
  [ -f "$out/cnn.resume.pt" ] && resume=(--resume "$out")
  echo "== $out: $* ${resume[*]} ($(date +%T))"
  if $PY -m train "$@" --out "$out" "${resume[@]}"; then touch "$out/done"; echo "== $out ended $(date +%T)"
  else echo "== $out FAILED $(date +%T)"; return 1; fi
}

for seed in 1 2; do
  run checkpoints/S-ft1-s$seed --init checkpoints/S-base-s$seed/cnn.pt --epochs 3 --lr 3e-4 --no-augment --pen-repeat 1 --unipen-repeat 1 --threads 2 --seed $seed
done
echo "== queue2 ended $(date +%T)"
