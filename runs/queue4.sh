#!/usr/bin/env bash
# Issue 35, recipe L (docs/experiments.md), one run at a time, each resumable: rerun this script after a stop.
set -uo pipefail
cd "$(dirname "$0")/.."
source runs/lib.sh

for seed in 1 2; do
  run checkpoints/L-base-s$seed --epochs 20 --pen-repeat 3 --unipen-repeat 3 --threads 2 --seed $seed
  run checkpoints/L-s$seed --init checkpoints/L-base-s$seed/cnn.pt --epochs 3 --lr 3e-4 --no-augment --pen-repeat 1 --unipen-repeat 1 --threads 2 --seed $seed
done
echo "== queue4 ended $(date +%T)"
