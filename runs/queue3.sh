#!/usr/bin/env bash
# Issue 35, recipe W (docs/experiments.md), one run at a time, each resumable: rerun this script after a stop.
set -uo pipefail
cd "$(dirname "$0")/.."
source runs/lib.sh

for seed in 1 2; do
  run checkpoints/W-base-s$seed --epochs 15 --pen-repeat 5 --unipen-repeat 5 --threads 2 --seed $seed
  run checkpoints/W-s$seed --init checkpoints/W-base-s$seed/cnn.pt --epochs 3 --lr 3e-4 --no-augment --pen-repeat 1 --unipen-repeat 1 --threads 2 --seed $seed
done
echo "== queue3 ended $(date +%T)"
