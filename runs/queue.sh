#!/usr/bin/env bash
# Issue 35's training queue, one run at a time, each resumable: rerun this script after a stop.
set -uo pipefail
cd "$(dirname "$0")/.."
source runs/lib.sh

for seed in 1 2; do
  run checkpoints/ab-bf16-s$seed --epochs 3 $MIX --seed $seed
  run checkpoints/ab-fp32-s$seed --epochs 3 $MIX --seed $seed --fp32
done
for seed in 1 2; do
  run checkpoints/S-base-s$seed --epochs 15 $MIX --seed $seed
  run checkpoints/S-s$seed --init checkpoints/S-base-s$seed/cnn.pt --epochs 3 --lr 3e-4 --no-augment $MIX --seed $seed
done
echo "== queue ended $(date +%T)"
