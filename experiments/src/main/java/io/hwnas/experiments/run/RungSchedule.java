package io.hwnas.experiments.run;

import io.hwnas.experiments.config.ExperimentConfig;
import io.hwnas.experiments.evaluate.CandidateEvaluator;
import io.hwnas.search.Evaluation;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The arithmetic of multi-fidelity training (successive halving, Jamieson and Talwalkar 2016;
 * Hyperband, Li et al. 2018): the rungs {@code min_steps * eta^k} below {@code max_steps}, then
 * {@code max_steps}; a rung keeps the best {@code floor(n / eta)} (at least one) of its {@code n}
 * candidates by accuracy. Successive halving starts every batch at the first rung; Hyperband runs
 * batch {@code i} in bracket {@code i mod K} (K rungs), which starts at rung {@code i mod K}, so the
 * last bracket trains every candidate {@code max_steps} straight.
 */
final class RungSchedule {

    private final ExperimentConfig.Fidelity fidelity;
    private final List<Integer> rungs;

    RungSchedule(ExperimentConfig.Fidelity fidelity) {
        this.fidelity = fidelity;
        List<Integer> r = new ArrayList<>();
        for (long s = fidelity.minSteps(); s < fidelity.maxSteps(); s *= fidelity.eta()) {
            r.add((int) s);
        }
        r.add(fidelity.maxSteps());
        this.rungs = List.copyOf(r);
    }

    /** The training steps each rung ends at, ascending; the last is {@code max_steps}. */
    List<Integer> rungs() {
        return rungs;
    }

    /** The length of every candidate's learning-rate schedule. */
    int maxSteps() {
        return fidelity.maxSteps();
    }

    /** The rung a batch starts at: 0 for successive halving, {@code batchIndex mod K} for Hyperband. */
    int firstRung(int batchIndex) {
        return "hyperband".equals(fidelity.schedule()) ? Math.floorMod(batchIndex, rungs.size()) : 0;
    }

    /** How many of {@code n} candidates go on to the next rung: {@code floor(n / eta)}, at least 1. */
    int keep(int n) {
        return Math.max(1, n / fidelity.eta());
    }

    /** The candidates of each rung of a batch of {@code n} that starts at {@code first}, none failing. */
    List<Integer> candidatesPerRung(int n, int first) {
        List<Integer> out = new ArrayList<>();
        for (int k = first, m = n; k < rungs.size(); k++, m = keep(m)) {
            out.add(m);
        }
        return out;
    }

    /** The training steps of a batch of {@code n} starting at rung {@code first}, none failing. */
    long totalSteps(int n, int first) {
        long total = 0;
        List<Integer> per = candidatesPerRung(n, first);
        for (int i = 0; i < per.size(); i++) {
            int k = first + i;
            total += (long) per.get(i) * (rungs.get(k) - (i == 0 ? 0 : rungs.get(k - 1)));
        }
        return total;
    }

    /**
     * The candidates that go on from one rung: the best {@link #keep} of the OK evaluations by
     * accuracy (ties by architecture string); failed and infeasible ones stop.
     */
    List<Evaluation> promote(List<Evaluation> rung) {
        return rung.stream().filter(Evaluation::isOk)
                .sorted(Comparator.comparingDouble((Evaluation e) -> -e.metric("accuracy"))
                        .thenComparing(e -> e.architecture().canonical()))
                .limit(keep(rung.size())).toList();
    }

    /**
     * Each candidate's evaluation at the highest rung it reached, in order of first appearance
     * (evaluations without a rung, such as screened-out ones, stand as they are).
     */
    static List<Evaluation> finals(List<Evaluation> journal) {
        Map<String, Evaluation> last = new LinkedHashMap<>();
        for (Evaluation e : journal) {
            String k = e.architecture().space() + ":" + e.architecture().canonical();
            Evaluation before = last.get(k);
            if (before == null || steps(e) >= steps(before)) {
                last.put(k, e);
            }
        }
        return List.copyOf(last.values());
    }

    /** The rung steps an evaluation was trained for, 0 when it has none. */
    static int steps(Evaluation e) {
        double s = e.metric(CandidateEvaluator.FIDELITY_STEPS);
        return Double.isNaN(s) ? 0 : (int) s;
    }
}
