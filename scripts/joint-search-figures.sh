#!/usr/bin/env bash
# Joint architecture + compression search against "architecture search, then uniform int8" on edge-tpu
# (README, "Compression from one trained network, measured"), for the same evaluation budget:
#   scripts/joint-search-figures.sh SUPERNET_CHECKPOINT [WORK_DIR]
# The checkpoint is a `hwnas supernet train` directory of the mobilenet space at 32 x 32, width 0.5, stem stride 2
# (Fashion-MNIST), best trained with `group_widths: [1.0, 0.75, 0.5]` in its `supernet` section, so that pruned stem,
# stage and head channels inherit the narrower widths the supernet trained. Both searches run NSGA-II with the same
# seeds, population and budget, and score every candidate the same way: the qat estimator takes the subnet's weights
# from the supernet (pruned channels by inheritance, the most important first), recalibrates batch norm, fine-tunes S
# steps with int8 fake quantisation and measures top-1 on the 5,000 held-out images. The joint search adds per-group
# pruning (0, 25, 50%) to the architecture; the baseline searches the architecture with every layer int8 and nothing
# pruned (the Edge TPU runs int8 only). `hwnas report --compare` then gives both fronts' hypervolumes (accuracy vs
# predicted edge-tpu latency) within the bounds of both fronts together, per seed, with the reference point 0.1%
# beyond both fronts' worst values and 10% beyond them (so the extreme members count); over two or more seeds,
# `report --compare ... --against ...` pairs the runs by seed and gives a paired t-test of the hypervolume
# differences.
#   S=N qat fine-tuning steps per candidate (default 40); B=N evaluations per search (default 36);
#   SEEDS="3 4" the seeds (default 3); D=W the qat distillation weight (option distill, default 0);
#   UNPRUNED=1 (default) gives the joint search NSGA-II's start_unpruned option: its first generation is the
#   baseline's first generation (same seed, same draws) with nothing pruned, and pruning enters by mutation and
#   crossover; UNPRUNED=0 starts it from random pruning decisions, as the figures before it did;
#   PRUNE_STEP=Q gives the joint search NSGA-II's prune_step option (default 0, off): a child is, with
#   probability Q, its parent with every group's pruning ratio one listed ratio up or down together;
#   HWNAS_JAR=/copy/of/hwnas.jar as in compression-figures.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 1 ] || { echo "usage: $0 SUPERNET_CHECKPOINT [WORK_DIR]" >&2; exit 2; }
[ -f "$1/checkpoint.json" ] || { echo "$0: SUPERNET_CHECKPOINT $1 has no checkpoint.json; expected a directory" \
  "written by 'hwnas supernet train'" >&2; exit 2; }
checkpoint=$(cd "$1" && pwd)
work=${2:-$(mktemp -d)}
mkdir -p "$work"
work=$(cd "$work" && pwd)
S=${S:-40}
B=${B:-36}
SEEDS=${SEEDS:-3}
D=${D:-0}
hw() { java -jar "${HWNAS_JAR:-experiments/target/hwnas.jar}" "$@"; }

UNPRUNED=${UNPRUNED:-1}
PRUNE_STEP=${PRUNE_STEP:-0}
step=''
[ "$PRUNE_STEP" = 0 ] || step=", prune_step: $PRUNE_STEP"
search() { # $1 name, $2 seed, $3 prune ratios, $4 extra NSGA-II options
  cat > "$work/$1-$2.yaml" <<YAML
name: $1
seed: $2
space:
  name: mobilenet
  options: {resolutions: [32], widths: [0.5], stem_stride: 2}
  input: 1x32x32
  compression: {bits: [8], activation_bits: [8], prune: $3}
dataset: {name: fashion-mnist}
accuracy:
  name: qat
  options: {checkpoint: $checkpoint, steps: $S, threads: 1, distill: $D}
devices: [{name: edge-tpu}]
objectives: [latency_ms]
strategy:
  name: nsga2
  options: {population: 12$4}
  batch_size: 12
budget: $B
executor: {name: local, parallelism: 2}
YAML
  [ -f "$work/$1-$2/pareto/edge-tpu.json" ] || hw search --config "$work/$1-$2.yaml" --out "$work/$1-$2" --quiet
}
for seed in $SEEDS; do
  if [ "$UNPRUNED" = 1 ]; then
    search joint "$seed" '[0, 0.25, 0.5]' ", start_unpruned: true$step"
  else
    search joint "$seed" '[0, 0.25, 0.5]' "$step"
  fi
  search arch-int8 "$seed" '[0]' ''
  hw report --compare "$work/joint-$seed" "$work/arch-int8-$seed" --out "$work/compare-$seed.html" --json \
    > "$work/compare-$seed.json"
  hw report --compare "$work/joint-$seed" "$work/arch-int8-$seed" --out "$work/compare10-$seed.html" --json \
    --reference-margin 0.1 > "$work/compare10-$seed.json"
  python3 - "$work" "$seed" <<'PY'
import json, sys
work, seed = sys.argv[1], sys.argv[2]
c = json.load(open(f"{work}/compare-{seed}.json"))
hv = {r["dir"].rsplit("/", 1)[-1].rsplit("-", 1)[0]: r["hypervolume"]["edge-tpu"] for r in c["runs"]}
print(f"seed {seed}: hypervolume (accuracy vs edge-tpu latency, both fronts' bounds) joint {hv['joint']:.4f},"
      f" architecture then int8 {hv['arch-int8']:.4f}")
fronts = {}
for name in ("joint", "arch-int8"):
    members = json.load(open(f"{work}/{name}-{seed}/pareto/edge-tpu.json"))["members"]
    fronts[name] = sorted((m["latency_ms"], m["accuracy"]) for m in members)
    pruned = sum(any(p != "0" for p in m["arch"].split("#p=")[1].split(",")) for m in members)
    print(f"  {name}: {len(members)} members ({pruned} pruned) "
          + ", ".join(f"{l:.3f} ms {a:.2f}%" for l, a in fronts[name]))
c10 = json.load(open(f"{work}/compare10-{seed}.json"))
hv10 = {r["dir"].rsplit("/", 1)[-1].rsplit("-", 1)[0]: r["hypervolume"]["edge-tpu"] for r in c10["runs"]}
print(f"  with the reference 10% beyond (extreme members count): joint {hv10['joint']:.4f},"
      f" architecture then int8 {hv10['arch-int8']:.4f}")
PY
done
# over the seeds: each pair's hypervolumes within the pair's bounds, and a paired t-test (Commons Math)
set -- $SEEDS
if [ $# -ge 2 ]; then
  joint=() arch=()
  for seed in $SEEDS; do joint+=("$work/joint-$seed"); arch+=("$work/arch-int8-$seed"); done
  for margin in 0.001 0.1; do
    echo "reference $margin of each range beyond the pair's worst member:"
    hw report --compare "${joint[@]}" --against "${arch[@]}" --reference-margin "$margin" \
      --out "$work/paired-$margin.html"
  done
fi
