#!/usr/bin/env bash
# Our training/inference/synflow speed against the Python PyTorch peer, side by side.
#
#   scripts/peer-bench.sh [PAIRS]      (default 5)
#
# Runs PAIRS alternating pairs on this machine: `hwnas bench train` (one JVM, median of its rounds)
# then the peer (scripts/peer/peer_torch_bench.py, one round per process, run with Debian's
# python3-torch: apt-get install python3-torch). Prints every run, then the medians over the pairs
# and our/peer ratios (above 1: we are faster; for synflow, peer seconds / our seconds).
# Environment: ARCH (an NB201 cell; default the peer's), BATCH (64), THREADS (2),
# PYTHON (/usr/bin/python3), FORMAT (channels-last or contiguous; default channels-last).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
pairs="${1:-5}"
[[ "$pairs" =~ ^[1-9][0-9]*$ ]] || { echo "peer-bench: PAIRS must be a positive whole number, but was '$pairs'" >&2; exit 2; }
arch="${ARCH:-|nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|skip_connect~2|}"
batch="${BATCH:-64}"; threads="${THREADS:-2}"; py="${PYTHON:-/usr/bin/python3}"
"$py" -c 'import torch' 2>/dev/null || { echo "peer-bench: $py has no torch; apt-get install python3-torch" >&2; exit 1; }
ours="$(mktemp)"; peer="$(mktemp)"; trap 'rm -f "$ours" "$peer"' EXIT
for ((i = 1; i <= pairs; i++)); do
  "$root/hwnas" bench train --space nb201 --arch "$arch" --batch "$batch" --threads "$threads" \
      --memory-format "${FORMAT:-channels-last}" --json | tr -d '\n' >> "$ours"; echo >> "$ours"
  ARCH="$arch" BATCH="$batch" THREADS="$threads" "$py" "$root/scripts/peer/peer_torch_bench.py" >> "$peer"
  echo "pair $i: hwnas $(tail -1 "$ours" | tr -d ' ')" >&2
  echo "pair $i: peer  $(tail -1 "$peer" | tr -d ' ')" >&2
done
"$py" - "$ours" "$peer" <<'PY'
import json, statistics, sys
ours = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
peer = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
med = lambda rows, k: statistics.median(r[k] for r in rows)
out = {"pairs": len(ours)}
for k in ("train_images_per_s", "infer_images_per_s", "synflow_s_per_arch"):
    o, p = med(ours, k), med(peer, k)
    out[k] = {"hwnas": o, "peer": p, "ratio": round(p / o if k.startswith("synflow") else o / p, 3)}
print(json.dumps(out, indent=2))
PY
