package io.hwnas.experiments.run;

import io.hwnas.core.arch.Architecture;
import io.hwnas.experiments.evaluate.CandidateEvaluator;
import io.hwnas.experiments.evaluate.Lineage;
import io.hwnas.experiments.exec.Executor;
import io.hwnas.search.Evaluation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs one batch of candidates through the rungs of a {@link RungSchedule}: each rung is one call of
 * the executor (batch number {@code batchIndex * K + rung}, stable across resumes), every rung
 * evaluation is journaled with its steps ({@code fidelity.steps}), and a resumed run answers the rungs
 * the journal holds and trains only the rest, each continuing from the checkpoint of its rung before.
 */
final class FidelityBatches {

    private final RungSchedule schedule;
    private final Lineage lineage;
    private final Executor executor;
    private final Journal journal;
    private final Progress progress;
    private final Map<String, Evaluation> known;
    private int fromJournal;
    /** The candidates whose evaluation at the current rung came from the journal. */
    private final java.util.Set<Architecture> replayed = new java.util.HashSet<>();

    /**
     * @param known journaled evaluations by {@link #key}, added to as rungs finish
     */
    FidelityBatches(RungSchedule schedule, Lineage lineage, Executor executor, Journal journal, Progress progress,
            Map<String, Evaluation> known) {
        this.schedule = schedule;
        this.lineage = lineage;
        this.executor = executor;
        this.journal = journal;
        this.progress = progress;
        this.known = known;
    }

    /** The key of an evaluation in the journal: the architecture, and the rung steps when it has them. */
    static String key(Evaluation e) {
        int steps = RungSchedule.steps(e);
        return steps == 0 ? plain(e.architecture()) : key(e.architecture(), steps);
    }

    static String key(Architecture a, int steps) {
        return plain(a) + "@" + steps;
    }

    private static String plain(Architecture a) {
        return a.space() + ":" + a.canonical();
    }

    /** Candidates whose last rung was answered from the journal so far. */
    int fromJournal() {
        return fromJournal;
    }

    /** Trains {@code todo} through the rungs; returns each candidate's last evaluation, keyed by architecture. */
    Map<Architecture, Evaluation> run(int batchIndex, List<Architecture> todo) {
        List<Integer> rungs = schedule.rungs();
        Map<Architecture, Evaluation> last = new LinkedHashMap<>();
        List<Architecture> alive = new ArrayList<>(new java.util.LinkedHashSet<>(todo));
        int first = schedule.firstRung(batchIndex);
        for (int k = first; k < rungs.size() && !alive.isEmpty(); k++) {
            int from = k == first ? 0 : rungs.get(k - 1);
            List<Evaluation> rung = rung(batchIndex * rungs.size() + k, alive, from, rungs.get(k));
            rung.forEach(e -> last.put(e.architecture(), e));
            alive = k + 1 < rungs.size() ? schedule.promote(rung).stream().map(Evaluation::architecture).toList()
                    : List.of();
            java.util.Set<Architecture> going = new java.util.HashSet<>(alive);
            for (Evaluation e : rung) {
                if (!going.contains(e.architecture()) && replayed.contains(e.architecture())) {
                    progress.replayed(e); // this candidate stops here
                    fromJournal++;
                } else if (!going.contains(e.architecture())) {
                    progress.evaluated(e);
                }
            }
        }
        return last;
    }

    /** One rung: the journaled evaluations, and the rest trained from {@code from} to {@code to} steps. */
    private List<Evaluation> rung(int dispatch, List<Architecture> alive, int from, int to) {
        Map<Architecture, Evaluation> results = new HashMap<>();
        List<Architecture> todo = new ArrayList<>();
        replayed.clear();
        for (Architecture a : alive) {
            Evaluation j = known.get(key(a, to));
            if (j != null) {
                results.put(a, j);
                replayed.add(a);
            } else {
                lineage.recordRung(a, new Lineage.Rung(from, to, schedule.maxSteps()));
                todo.add(a);
            }
        }
        if (!todo.isEmpty()) {
            for (Evaluation e : executor.evaluate(dispatch, todo, (e, seconds) -> journal.append(tag(e, to), seconds))) {
                Evaluation t = tag(e, to);
                results.put(t.architecture(), t);
                known.put(key(t), t);
            }
        }
        return alive.stream().map(results::get).toList();
    }

    /** The evaluation with its rung steps (a failed one has no metrics of its own). */
    private static Evaluation tag(Evaluation e, int steps) {
        if (RungSchedule.steps(e) == steps) {
            return e;
        }
        Map<String, Double> m = new LinkedHashMap<>(e.metrics());
        m.put(CandidateEvaluator.FIDELITY_STEPS, (double) steps);
        return new Evaluation(e.architecture(), e.status(), m, e.error());
    }
}
