#!/usr/bin/env bash
# Two writers on one run, TRIALS times (default 10): a search is killed with SIGKILL part-way, then two
# `hwnas search --resume DIR` start at once. Each trial passes when exactly one resume finishes (exit 0)
# and the other is refused (exit 2, naming the holder), the journal is intact (budget lines, seq 0..n-1,
# no architecture twice), and the run still resumes (all from the journal) and reports.
#   scripts/two-writers.sh [TRIALS] [WORKDIR]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
trials="${1:-10}"
work="${2:-$(mktemp -d)}"
mkdir -p "$work"
budget=120
case "$trials" in ''|*[!0-9]*|0) echo "two-writers: TRIALS must be a positive whole number" >&2; exit 2 ;; esac
"$root/hwnas" spaces >/dev/null # builds the jar once; from here on the launcher execs java (so $! is java's pid)
export HWNAS_NO_BUILD=1
hwnas="$root/hwnas"
sed -e "s/^budget: .*/budget: $budget/" -e 's/^output: .*//' -e 's/options: {population: 24}/options: {}/' \
  -e 's/name: nsga2/name: random/' "$root/examples/quickstart.yaml" > "$work/two-writers.yaml"
passed=0
for t in $(seq 1 "$trials"); do
  dir="$work/run-$t"
  "$hwnas" search --config "$work/two-writers.yaml" --out "$dir" --quiet >/dev/null 2>&1 &
  first=$!
  until [ -f "$dir/evaluations.jsonl" ] && [ "$(wc -l < "$dir/evaluations.jsonl")" -ge 24 ]; do
    kill -0 "$first" 2>/dev/null || { echo "two-writers: the first search ended before it was killed" >&2; exit 1; }
    sleep 0.05
  done
  kill -9 "$first"; wait "$first" 2>/dev/null || true
  "$hwnas" search --resume "$dir" --quiet >"$work/a-$t.out" 2>"$work/a-$t.err" & a=$!
  "$hwnas" search --resume "$dir" --quiet >"$work/b-$t.out" 2>"$work/b-$t.err" & b=$!
  ca=0; wait "$a" || ca=$?
  cb=0; wait "$b" || cb=$?
  codes="$(printf '%s\n' "$ca" "$cb" | sort | tr '\n' ' ')"
  refused="$(cat "$work/a-$t.err" "$work/b-$t.err" | grep -c 'is in use by hwnas search[a-z -]* (pid' || true)"
  intact="$(python3 - "$dir/evaluations.jsonl" "$budget" <<'EOF'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
seqs = [json.loads(l)["seq"] for l in lines]
archs = {json.dumps(json.loads(l)["architecture"], sort_keys=True) for l in lines}
print("yes" if len(lines) == int(sys.argv[2]) and seqs == list(range(len(lines))) and len(archs) == len(lines) else "no")
EOF
)"
  again=0; "$hwnas" search --resume "$dir" --quiet >/dev/null 2>"$work/again-$t.err" || again=$?
  fromjournal="$(grep -c "$budget evaluations ($budget from the journal)" "$work/again-$t.err" || true)"
  rep=0; "$hwnas" report "$dir" >/dev/null 2>&1 || rep=$?
  ok=no
  if [ "$codes" = "0 2 " ] && [ "$refused" = 1 ] && [ "$intact" = yes ] && [ "$again" = 0 ] \
      && [ "$fromjournal" = 1 ] && [ "$rep" = 0 ]; then ok=yes; passed=$((passed + 1)); fi
  echo "trial $t: exits $codes refused-naming-holder=$refused journal-intact=$intact resume=$again report=$rep -> $ok"
done
echo "two-writers: $passed of $trials trials passed (work in $work)"
[ "$passed" = "$trials" ]
