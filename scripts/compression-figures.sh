#!/usr/bin/env bash
# Compression measured from one trained network (README, "Compression from one trained network, measured"):
# Fashion-MNIST, a MobileNetV2-style network (32 x 32, width 0.5), 2 threads.
#   scripts/compression-figures.sh [WORK_DIR]     (about 2 hours on 2 cores; 45-65 minutes of them the base network)
#   HWNAS_JAR=/copy/of/hwnas.jar (default experiments/target/hwnas.jar) keeps a rebuild from changing the jar midway;
#   K=N sets the fine-tuning steps of the compared networks (default 500), LR=R their peak learning rate (default
#   0.005, cosine decay) and D=W their distillation weight (qat option distill, default 0: labels only);
#   FILL=true runs amc with fill_budget (default false).
# 1. the base network: 20 epochs of hwnas train (skipped when WORK_DIR/base.params exists); its test top-1 in ONNX
#    Runtime;
# 2. uniform int8 (every layer 8/8): quantisation-aware fine-tuning of K steps, exported as QDQ ONNX, its test top-1
#    in ONNX Runtime and its predicted npu-int8 energy and edge-tpu latency (10 classes);
# 3. amc on npu-int8 (weight bits 4 or 8 per layer, pruning 0-50% per channel group, energy at most 0.70 x uniform
#    int8's) and on edge-tpu (int8 only: pruning 0-75%, latency at most 0.70 x), each candidate scored by the qat
#    estimator (50 fine-tuning steps, top-1 on the 5,000 held-out images);
# 4. each amc run's most accurate candidate fine-tuned K steps like uniform int8, exported, its test top-1 in ONNX
#    Runtime: the accuracy and the predicted cost against uniform int8's;
# 5. pruning against uniform width on edge-tpu: amc's candidate and the base with every channel group pruned 25% and
#    50%, each fine-tuned K steps on seeds 0-4; the uniform top-1 interpolated to amc's predicted latency per seed;
#    paired t-test (Commons Math).
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-$(mktemp -d)}
mkdir -p "$work"
work=$(cd "$work" && pwd)
K=${K:-500}
LR=${LR:-0.005}
D=${D:-0}
FILL=${FILL:-false}
hw() { java -jar "${HWNAS_JAR:-experiments/target/hwnas.jar}" "$@"; }
base='r32-w0.5|k3e6,k3e6|k3e6,k3e6,k3e6|k3e6,k3e6,k3e6,k3e6|k3e6,k3e6,k3e6|k3e6,k3e6,k3e6'
space=(--space mobilenet --option 'resolutions=[32]' --option 'widths=[0.5]' --option stem_stride=2)
repeat() { python3 -c "import sys; print(','.join([sys.argv[1]] * int(sys.argv[2])))" "$1" "$2"; }
field() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))$2)" "$1"; }
int8="$base#q=$(repeat 8/8 53)#p=$(repeat 0 25)"

if [ ! -f "$work/base.params" ]; then
  hw train "${space[@]}" --arch "$base" --epochs 20 --lr 0.05 --train-option threads=2 \
    --train-option weight_decay=4e-5 --save "$work/base.params" --json > "$work/base.json"
fi
hw export "${space[@]}" --arch "$base" --classes 10 --weights "$work/base.params" --out "$work/base.onnx" --json \
  > "$work/base-export.json"
echo "base network: test top-1 $(field "$work/base-export.json" "['test_top1']")% in ONNX Runtime"

# $1 name, $2 compressed architecture, $3 seed: K steps of quantisation-aware fine-tuning from the base
qat() {
  hw train "${space[@]}" --arch "$2" --qat-from "$work/base.params" --qat-base "$base" --steps "$K" --seed "$3" \
    --lr "$LR" --train-option distill="$D" --train-option threads=2 --save "$work/$1.params" --qat-ranges "$work/$1.ranges.json" --json > "$work/$1.json"
}
# $1 name, $2 compressed architecture: the QDQ model and its test top-1
export_test() {
  hw export "${space[@]}" --arch "$2" --classes 10 --weights "$work/$1.params" --ranges "$work/$1.ranges.json" \
    --calibration fashion-mnist --verify --check-samples 1000 --out "$work/$1.onnx" --json > "$work/$1-export.json"
}
# $1 compressed architecture, $2 device: "latency_ms energy_mj" of the 10-class network
cost() {
  hw cost "${space[@]}" --input 3x32x32 --classes 10 --arch "$1" --device "$2" --json \
    | python3 -c "import json,sys; j=json.load(sys.stdin); print(j['latency_ms'], j['energy_mj'])"
}

qat int8 "$int8" 0
export_test int8 "$int8"

amc() { # $1 name, $2 device, $3 metric, $4 bits, $5 prune
  cat > "$work/$1.yaml" <<YAML
name: $1
seed: 11
space:
  name: mobilenet
  options: {resolutions: [32], widths: [0.5], stem_stride: 2}
  compression: {bits: $4, activation_bits: [8], prune: $5}
dataset: {name: fashion-mnist}
accuracy:
  name: qat
  options: {weights: $work/base.params, arch: "$base", steps: 50, threads: 1}
devices: [{name: $2}]
objectives: [latency_ms, energy_mj]
strategy:
  name: amc
  options:
    base: "$base"
    budget: {metric: $3, device: $2, ratio: 0.70}
    fill_budget: $FILL
  batch_size: 6
budget: 24
executor: {name: local, parallelism: 2}
YAML
  [ -f "$work/$1/strategy-report.json" ] || hw search --config "$work/$1.yaml" --out "$work/$1" --quiet
}
amc amc-npu npu-int8 energy_mj '[4, 8]' '[0, 0.25, 0.5]'
amc amc-edgetpu edge-tpu latency_ms '[8]' '[0, 0.25, 0.5, 0.75]'

for run in amc-npu amc-edgetpu; do
  arch=$(field "$work/$run/strategy-report.json" "['best']['arch']")
  echo "$arch" > "$work/$run.best"
  qat "$run-best" "$arch" 0
  export_test "$run-best" "$arch"
done
printf '%-12s %-10s %-10s %-10s %-10s %-10s %s\n' network "val%" "test%" npu_mJ npu_ms edgetpu_ms bytes
for name in int8 amc-npu-best amc-edgetpu-best; do
  arch=$([ "$name" = int8 ] && echo "$int8" || cat "$work/${name%-best}.best")
  read -r nl ne <<< "$(cost "$arch" npu-int8)"
  read -r el _ <<< "$(cost "$arch" edge-tpu)"
  printf '%-12s %-10s %-10s %-10.4f %-10.4f %-10.4f %s\n' "$name" "$(field "$work/$name.json" "['top1']")" \
    "$(field "$work/$name-export.json" "['test_top1']")" "$ne" "$nl" "$el" \
    "$(field "$work/$name-export.json" "['bytes']")"
done

# 5. pruning vs uniform width at the same predicted edge-tpu latency
amcArch=$(cat "$work/amc-edgetpu.best")
u25="$base#q=$(repeat 8/8 53)#p=$(repeat 25 25)"
u50="$base#q=$(repeat 8/8 53)#p=$(repeat 50 25)"
lat=()
for a in "$amcArch" "$u25" "$u50"; do lat+=("$(cost "$a" edge-tpu | cut -d' ' -f1)"); done
echo "predicted edge-tpu latency (ms): amc ${lat[0]}, uniform 25% ${lat[1]}, uniform 50% ${lat[2]}"
for s in 0 1 2 3 4; do
  qat "prune-amc-$s" "$amcArch" "$s"; qat "prune-u25-$s" "$u25" "$s"; qat "prune-u50-$s" "$u50" "$s"
done
cat > "$work/PairedT.java" <<'JAVA'
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.math3.stat.descriptive.moment.Mean;
import org.apache.commons.math3.stat.descriptive.moment.StandardDeviation;
import org.apache.commons.math3.stat.inference.TTest;

public class PairedT {
    public static void main(String[] a) throws Exception {
        double lAmc = Double.parseDouble(a[1]), lSlow = Double.parseDouble(a[2]), lFast = Double.parseDouble(a[3]);
        double w = (lAmc - lFast) / (lSlow - lFast);
        String[] names = {"amc", "u25", "u50"};
        double[][] top1 = new double[3][5];
        double[] at = new double[5];
        for (int s = 0; s < 5; s++) {
            for (int k = 0; k < 3; k++) {
                String json = Files.readString(Path.of(a[0], "prune-" + names[k] + "-" + s + ".json"));
                Matcher m = Pattern.compile("\"top1\"\\s*:\\s*([0-9.eE+-]+)").matcher(json);
                m.find();
                top1[k][s] = Double.parseDouble(m.group(1));
            }
            at[s] = top1[2][s] + w * (top1[1][s] - top1[2][s]);
        }
        for (int k = 0; k < 3; k++) {
            System.out.println(names[k] + ": " + Arrays.toString(top1[k]) + " mean " + new Mean().evaluate(top1[k]));
        }
        System.out.println("uniform at amc's latency (weight " + w + " on u25): " + Arrays.toString(at) + " mean "
                + new Mean().evaluate(at));
        double[] d = new double[5];
        Arrays.setAll(d, s -> top1[0][s] - at[s]);
        TTest t = new TTest();
        System.out.println("amc - uniform at the same latency: mean " + new Mean().evaluate(d) + " sd "
                + new StandardDeviation().evaluate(d) + " t " + t.pairedT(top1[0], at) + " p (two-sided) "
                + t.pairedTTest(top1[0], at) + " df 4");
    }
}
JAVA
java -cp "$HOME/.m2/repository/org/apache/commons/commons-math3/3.6.1/commons-math3-3.6.1.jar" "$work/PairedT.java" \
  "$work" "${lat[@]}"
