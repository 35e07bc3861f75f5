#!/usr/bin/env bash
# Our training/inference/synflow speed against the Python PyTorch peer at its best, side by side.
#
#   scripts/peer-bench.sh [PAIRS]      (default 5)
#
# Runs PAIRS rounds on this machine, each: `hwnas bench train` (one JVM, median of its rounds), then
# the peer (scripts/peer/peer_torch_bench.py, one round per process, run with Debian's python3-torch:
# apt-get install python3-torch) in both memory layouts, contiguous and channels_last (PyTorch's
# recommended CPU layout); every other round runs the peer first, so drift hits both sides alike.
# Prints every run, then per figure the medians over the rounds (hwnas, peer contiguous, peer
# channels_last), the peer's faster layout, and our ratio against it (above 1: we are faster; for
# synflow, peer seconds / our seconds); and our inference in ONNX Runtime (batch norm folded: the engine hwnas's
# inference-only evaluations use) against the peer's inference.
# Environment: SPACE (nb201, default, or mobilenet: the 32x32, width-0.5, 1-channel, 10-class network of
# examples/netadapt.yaml, whose peer scripts/peer/mobilenet_torch.py is first checked against our export by
# scripts/peer/check_peer.py: same parameter count, same outputs on the same weights), ARCH (an NB201 cell, or a
# mobilenet string; default the peer's cell or netadapt.yaml's start), BATCH (64), THREADS (2),
# PYTHON (/usr/bin/python3), FORMAT (our layout: channels-last or contiguous; default channels-last).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
pairs="${1:-5}"
[[ "$pairs" =~ ^[1-9][0-9]*$ ]] || { echo "peer-bench: PAIRS must be a positive whole number, but was '$pairs'" >&2; exit 2; }
space="${SPACE:-nb201}"
batch="${BATCH:-64}"; threads="${THREADS:-2}"; py="${PYTHON:-/usr/bin/python3}"
"$py" -c 'import torch' 2>/dev/null || { echo "peer-bench: $py has no torch; apt-get install python3-torch" >&2; exit 1; }
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
case "$space" in
  nb201)
    arch="${ARCH:-|nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|skip_connect~2|}"
    net=(--space nb201); peer_env=(NET=nb201) ;;
  mobilenet)
    arch="${ARCH:-r32-w0.5|k3e6,k3e6|k3e6,k3e6,k3e6|k3e6,k3e6,k3e6,k3e6|k3e6,k3e6,k3e6|k3e6,k3e6,k3e6}"
    net=(--space mobilenet --option 'resolutions=[32]' --option 'widths=[0.5]' --option stem_stride=2
         --input 1x32x32 --classes 10)
    peer_env=(NET=mobilenet IN_CHANNELS=1 CLASSES=10)
    "$root/hwnas" export "${net[@]}" --arch "$arch" --format onnx --out "$tmp/net.onnx" --verify --json >/dev/null
    "$py" "$root/scripts/peer/check_peer.py" "$tmp/net.onnx" >&2 2>/dev/null \
        || { echo "peer-bench: the PyTorch peer is not the network hwnas builds (above)" >&2; exit 1; }
    echo "peer-bench: the peer has our parameter count and outputs (check_peer.py above)" >&2 ;;
  *) echo "peer-bench: SPACE must be nb201 or mobilenet, but was '$space'" >&2; exit 2 ;;
esac
ours() {
  "$root/hwnas" bench train "${net[@]}" --arch "$arch" --batch "$batch" --threads "$threads" \
      --memory-format "${FORMAT:-channels-last}" --json | tr -d '\n' >> "$tmp/hwnas"; echo >> "$tmp/hwnas"
  echo "round $i: hwnas               $(tail -1 "$tmp/hwnas" | tr -d ' ')" >&2
}
peer() {
  for fmt in contiguous channels_last; do
    env "${peer_env[@]}" MEMFMT="$fmt" ARCH="$arch" BATCH="$batch" THREADS="$threads" \
        "$py" "$root/scripts/peer/peer_torch_bench.py" 2>/dev/null >> "$tmp/$fmt"
    printf 'round %d: peer %-14s %s\n' "$i" "$fmt" "$(tail -1 "$tmp/$fmt" | tr -d ' ')" >&2
  done
}
for ((i = 1; i <= pairs; i++)); do
  if ((i % 2)); then ours; peer; else peer; ours; fi
done
"$py" - "$tmp" <<'PY'
import json, os, statistics, sys
rows = {k: [json.loads(l) for l in open(os.path.join(sys.argv[1], k)) if l.strip()]
        for k in ("hwnas", "contiguous", "channels_last")}
med = lambda k, f: statistics.median(r[f] for r in rows[k])
out = {"rounds": len(rows["hwnas"])}
for f in ("train_images_per_s", "infer_images_per_s", "synflow_s_per_arch"):
    seconds = f.startswith("synflow")
    o, c, l = med("hwnas", f), med("contiguous", f), med("channels_last", f)
    best = min((c, "contiguous"), (l, "channels_last")) if seconds else max((c, "contiguous"), (l, "channels_last"))
    out[f] = {"hwnas": o, "peer_contiguous": c, "peer_channels_last": l, "peer_best": best[1],
              "ratio_vs_peer_best": round(best[0] / o if seconds else o / best[0], 3)}
# hwnas's inference-only evaluations (subnet scoring) run in ONNX Runtime: the same batch against the peer's inference
o = med("hwnas", "infer_onnxruntime_images_per_s")
c, l = med("contiguous", "infer_images_per_s"), med("channels_last", "infer_images_per_s")
best = max((c, "contiguous"), (l, "channels_last"))
out["infer_onnxruntime_images_per_s"] = {"hwnas": o, "peer_contiguous": c, "peer_channels_last": l,
                                         "peer_best": best[1], "ratio_vs_peer_best": round(o / best[0], 3)}
print(json.dumps(out, indent=2))
PY
