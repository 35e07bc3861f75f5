package io.hwnas.experiments.run;

import io.hwnas.experiments.setup.DeviceObjectives;
import io.hwnas.experiments.setup.RunSetup;
import io.hwnas.search.Evaluation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A run directory read without writing anything: its journal (in journal order) and each device's
 * Pareto set computed from it as a rebuild computes it, with the re-measured members' values where
 * {@code remeasured.jsonl} has them, and on a device measured through an agent the members' measured latencies
 * (from the run's cache, as the run wrote them). For reports of a finished run's figures and for live views of
 * a run that is still going (the live view binds agent devices to their cost model alone: predicted figures).
 *
 * @param evaluations every evaluation in journal order
 * @param fronts      the per-device Pareto sets
 */
public record RunView(List<Evaluation> evaluations, Map<String, List<Evaluation>> fronts) {

    /**
     * Reads a run.
     *
     * @param tolerateTornLine leave out a last line without its newline (a live run writing it),
     *                         instead of reporting it
     * @throws IllegalArgumentException naming the file and line of a torn or unreadable journal line
     */
    public static RunView read(RunSetup setup, Path dir, boolean tolerateTornLine) {
        List<Evaluation> journaled = Journal.read(dir, tolerateTornLine);
        List<Evaluation> finals = setup.config().fidelity() == null ? journaled : RungSchedule.finals(journaled);
        Map<String, Evaluation> measured = new HashMap<>();
        if (Files.isRegularFile(dir.resolve(Remeasure.FILE))) {
            for (Evaluation e : Journal.read(dir, Remeasure.FILE, true)) {
                measured.putIfAbsent(e.architecture().toString(), e);
            }
        }
        List<Evaluation> current = new ArrayList<>(finals.size());
        for (Evaluation e : finals) {
            current.add(measured.getOrDefault(e.architecture().toString(), e));
        }
        Map<String, List<Evaluation>> fronts = MeasuredFronts.of(setup, current, list -> {
            Map<String, List<Evaluation>> f = new LinkedHashMap<>();
            for (DeviceObjectives d : DeviceObjectives.of(setup.config())) {
                f.put(d.device(), ParetoSets.front(d, list));
            }
            return f;
        }, w -> { });
        return new RunView(journaled, fronts);
    }

    /**
     * Checks that a run's journal can be read whole: every line an entry, none torn.
     *
     * @throws IllegalArgumentException naming the file and line
     */
    public static void checkJournal(Path dir) {
        Journal.read(dir, false);
    }
}
