#!/usr/bin/env bash
# amc's per-layer pruning against uniform width scaling at the same predicted npu-int8 latency, on
# Fashion-MNIST (README, "AMC: compressing one network"). Indicative: short trainings, 5 seeds.
#   scripts/amc-vs-uniform.sh [WORK_DIR]        (11 minutes on 2 shared cores)
# 1. amc, pruning only (8/8 bits), budget 0.6 x the base's latency; its most accurate network;
# 2. the base with every channel group pruned 50% and 75% (uniform width, head included);
# 3. predicted latencies (hwnas cost), each network trained from scratch on seeds 0-4 (hwnas train);
# 4. the uniform top-1 interpolated to amc's latency per seed; paired t-test (Commons Math).
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-$(mktemp -d)}
mkdir -p "$work"
base='r32-w0.5|k3e6,k3e6|k3e6,k3e6,k3e6|k3e6,k3e6,k3e6,k3e6|k3e6,k3e6,k3e6|k3e6,k3e6,k3e6'
repeat() { python3 -c "import sys; print(','.join([sys.argv[1]] * int(sys.argv[2])))" "$1" "$2"; }
q="#q=$(repeat 8/8 53)"
cat > "$work/amc-prune.yaml" <<YAML
name: amc-prune
seed: 5
space:
  name: mobilenet
  options: {resolutions: [32], widths: [0.5], stem_stride: 2}
  compression: {bits: [8], activation_bits: [8], prune: [0, 0.25, 0.5, 0.75]}
dataset: {name: fashion-mnist}
accuracy:
  name: train
  options: {steps: 30, batch: 64, lr: 0.05, warmup: 5, train_size: 1920, val_size: 1000, bn_calibration: 4,
            threads: 1, inherit: true}
devices: [{name: npu-int8}]
objectives: [latency_ms]
strategy:
  name: amc
  options:
    base: "$base$q#p=$(repeat 0 25)"
    budget: {metric: latency_ms, device: npu-int8, ratio: 0.6}
  batch_size: 6
budget: 30
executor: {name: local, parallelism: 2}
YAML
./hwnas search --config "$work/amc-prune.yaml" --out "$work/run" --quiet
amc=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['best']['arch'])" "$work/run/strategy-report.json")
printf '%s\n' "$amc" "$base$q#p=$(repeat 50 25)" "$base$q#p=$(repeat 75 25)" > "$work/archs.txt"
space=(--space mobilenet --option 'resolutions=[32]' --option 'widths=[0.5]' --option stem_stride=2)
latency=()
for k in 1 2 3; do
  latency+=("$(./hwnas cost "${space[@]}" --arch "$(sed -n "${k}p" "$work/archs.txt")" --device npu-int8 --json \
    | python3 -c "import json,sys; print(json.load(sys.stdin)['latency_ms'])")")
done
echo "predicted npu-int8 latency (ms): amc ${latency[0]}, uniform 50% ${latency[1]}, uniform 75% ${latency[2]}"
train() { # arch index, seed
  ./hwnas train "${space[@]}" --arch "$(sed -n "${1}p" "$work/archs.txt")" --steps 150 --batch 64 --lr 0.05 \
    --train-size 9600 --val-size 2000 --seed "$2" --train-option threads=1 --train-option warmup=10 --json \
    > "$work/$1-$2.json" 2> "$work/$1-$2.err"
}
for s in 0 1 2 3 4; do
  train 1 "$s" & train 2 "$s"; wait; train 3 "$s"
done
cat > "$work/PairedT.java" <<'JAVA'
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.apache.commons.math3.stat.descriptive.moment.Mean;
import org.apache.commons.math3.stat.descriptive.moment.StandardDeviation;
import org.apache.commons.math3.stat.inference.TTest;

public class PairedT {
    public static void main(String[] a) throws Exception {
        double lAmc = Double.parseDouble(a[1]), lSlow = Double.parseDouble(a[2]), lFast = Double.parseDouble(a[3]);
        double w = (lAmc - lFast) / (lSlow - lFast);
        double[][] top1 = new double[3][5];
        double[] at = new double[5];
        for (int s = 0; s < 5; s++) {
            for (int k = 0; k < 3; k++) {
                String json = Files.readString(Path.of(a[0], (k + 1) + "-" + s + ".json"));
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"top1\"\\s*:\\s*([0-9.eE+-]+)").matcher(json);
                m.find();
                top1[k][s] = Double.parseDouble(m.group(1));
            }
            at[s] = top1[2][s] + w * (top1[1][s] - top1[2][s]);
        }
        String[] names = {"amc", "uniform 50%", "uniform 75%"};
        for (int k = 0; k < 3; k++) {
            System.out.println(names[k] + ": " + Arrays.toString(top1[k]) + " mean " + new Mean().evaluate(top1[k]));
        }
        System.out.println("uniform at amc's latency: " + Arrays.toString(at) + " mean " + new Mean().evaluate(at));
        double[] d = new double[5];
        Arrays.setAll(d, s -> top1[0][s] - at[s]);
        TTest t = new TTest();
        System.out.println("amc - uniform at the same latency: mean " + new Mean().evaluate(d) + " sd "
                + new StandardDeviation().evaluate(d) + " t " + t.pairedT(top1[0], at) + " p "
                + t.pairedTTest(top1[0], at) + " df 4");
        System.out.println("amc - uniform 75% (faster): t " + t.pairedT(top1[0], top1[2]) + " p "
                + t.pairedTTest(top1[0], top1[2]));
    }
}
JAVA
java -cp "$HOME/.m2/repository/org/apache/commons/commons-math3/3.6.1/commons-math3-3.6.1.jar" "$work/PairedT.java" \
  "$work" "${latency[@]}"
