#!/usr/bin/env bash
# Issue 35, recipe S-ft1, one run at a time, each resumable: rerun this script after a stop.
set -uo pipefail
cd "$(dirname "$0")/.."
source runs/lib.sh

for seed in 1 2; do
  run checkpoints/S-ft1-s$seed --init checkpoints/S-base-s$seed/cnn.pt --epochs 3 --lr 3e-4 --no-augment --pen-repeat 1 --unipen-repeat 1 --threads 2 --seed $seed
done
echo "== queue2 ended $(date +%T)"
