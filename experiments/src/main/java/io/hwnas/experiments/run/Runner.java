package io.hwnas.experiments.run;

import io.hwnas.experiments.setup.DeviceObjectives;
import io.hwnas.experiments.setup.RunSetup;
import io.hwnas.experiments.evaluate.DeviceTarget;
import io.hwnas.experiments.evaluate.DeviceUnavailableException;
import io.hwnas.experiments.evaluate.Lineage;
import io.hwnas.core.arch.Architecture;
import io.hwnas.experiments.config.ConfigException;
import io.hwnas.experiments.config.ConfigWriter;
import io.hwnas.experiments.exec.Executor;
import io.hwnas.experiments.exec.ExecutorProvider;
import io.hwnas.experiments.exec.ExecutorPlugins;
import io.hwnas.search.Evaluation;
import io.hwnas.search.SearchStrategies;
import io.hwnas.search.StrategyRun;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a search: drives the strategy (ask, evaluate on the executor, journal, tell) until its
 * budget is spent, then writes the per-device Pareto sets, model directories and the report, and
 * only then trains the Pareto members (final training), writing the models again with their weights.
 * A resumed run replays the strategy from the start, answering from the journal, then goes on live;
 * its final training skips the members an earlier attempt finished.
 */
public final class Runner {

    private final RunSetup setup;
    private final Path dir;
    private final Progress progress;

    private FinalTraining.Trainer trainer;
    private boolean force;
    private RunLock lock;

    public Runner(RunSetup setup, Path dir, Progress progress) {
        this.setup = setup;
        this.dir = dir;
        this.progress = progress;
    }

    /** Trains the Pareto members with {@code t} instead of the config's {@code train} estimator (tests). */
    Runner withFinalTrainer(FinalTraining.Trainer t) {
        this.trainer = t;
        return this;
    }

    /** Lets a new run write into a non-empty folder that is not a run ({@code --force}). */
    public Runner force(boolean f) {
        this.force = f;
        return this;
    }

    /** What a finished run produced. */
    public record Result(Path dir, int evaluations, int fromJournal, Map<String, List<Evaluation>> fronts,
            Map<String, Object> strategyReport) {
    }

    /**
     * Runs (or resumes) the search and writes the run directory.
     *
     * @param resume true to continue the run in {@code dir}
     */
    public Result run(boolean resume) {
        try (RunLock held = prepareDirectory(resume)) {
            this.lock = held;
            return searchAndWrite();
        }
    }

    /** The search, then its results and final training, with the run directory locked and checked. */
    private Result searchAndWrite() {
        Search search;
        try (Journal journal = Journal.open(dir);
                Executor executor = setup.executor().create(dir, setup.evaluator())) {
            search = new Search(journal, executor);
            search.drive();
        }
        List<Evaluation> all = search.all;
        int fromJournal = search.fromJournal;
        Map<String, Object> report = search.report;
        progress.finish();
        Map<String, List<Evaluation>> fronts = Remeasure.fronts(setup, dir, all,
                a -> MeasuredFronts.of(setup, a, x -> fronts(setup, x), progress::warn), progress);
        new RunOutputs(setup, dir).writeStrategyReport(report); // first: the HTML report shows it
        List<Evaluation> journaled = journalOrder(dir);
        // the search's results are on disk before final training, which may fail or be killed
        writeResults(setup, dir, fronts, FinalTraining.finished(dir, fronts), journaled);
        if (!setup.config().finalTraining().isEmpty()) {
            FinalTraining.Trainer t = trainer != null ? trainer : FinalTraining.trainer(setup);
            writeResults(setup, dir, fronts, FinalTraining.run(setup, dir, fronts, t), journaled);
        }
        return new Result(dir, all.size(), fromJournal, fronts, report);
    }

    /** One drive of the strategy: ask, answer from the journal or evaluate, journal, tell. */
    private final class Search {
        private final Journal journal;
        private final Executor executor;
        private final Map<String, Evaluation> known = new HashMap<>();
        private final List<Evaluation> all = new ArrayList<>();
        private int fromJournal;
        private Map<String, Object> report;
        private Lineage lineage;
        private FidelityBatches fidelity;

        Search(Journal journal, Executor executor) {
            this.journal = journal;
            this.executor = executor;
            for (Journal.Entry e : journal.entries()) {
                if (!DeviceUnavailableException.failedBy(e.evaluation())) { // evaluated again, the device back
                    known.putIfAbsent(FidelityBatches.key(e.evaluation()), e.evaluation());
                }
            }
        }

        void drive() {
            StrategyRun run = setup.strategy().start(setup.problem(), setup.config().seed());
            lineage = new Lineage(dir, setup.space());
            fidelity = setup.config().fidelity() == null ? null : new FidelityBatches(
                    new RungSchedule(setup.config().fidelity()), lineage, executor, journal, progress, known);
            int used = 0;
            for (int batchIndex = 0;; batchIndex++) {
                lock.requireHeld();
                List<Architecture> batch = run.ask();
                if (batch.isEmpty()) {
                    break;
                }
                if (used + batch.size() > setup.config().budget()) {
                    throw new IllegalStateException("strategy " + setup.config().strategy().name() + " asked for "
                            + (used + batch.size()) + " evaluations, over the budget of " + setup.config().budget());
                }
                used += batch.size();
                List<Evaluation> told = evaluate(run, batchIndex, batch);
                all.addAll(told);
                run.tell(told);
            }
            report = run.report();
            fromJournal += fidelity == null ? 0 : fidelity.fromJournal();
        }

        /** The batch's evaluations, in batch order: from the journal, screened out, or evaluated now. */
        private List<Evaluation> evaluate(StrategyRun run, int batchIndex, List<Architecture> batch) {
            for (DeviceTarget d : setup.devices()) {
                d.asked(batch, setup.evaluator()::network);
            }
            Map<String, Evaluation> results = new HashMap<>();
            List<Architecture> todo = new ArrayList<>();
            for (Architecture a : batch) {
                Evaluation j = known.get(key(a));
                if (j != null) {
                    results.put(key(a), j);
                    progress.replayed(j);
                    fromJournal++;
                } else {
                    todo.add(a);
                }
            }
            for (Evaluation e : screenOut(batch, todo)) {
                todo.remove(e.architecture());
                journal.append(e, 0);
                progress.evaluated(e);
                results.put(key(e.architecture()), e);
                known.put(key(e.architecture()), e);
            }
            for (Architecture a : todo) {
                run.parentOf(a).ifPresent(p -> lineage.record(a, p));
            }
            if (!todo.isEmpty() && fidelity != null) { // multi-fidelity: rungs, each candidate's last one told
                fidelity.run(batchIndex, todo).forEach((a, e) -> results.put(key(a), e));
            } else if (!todo.isEmpty()) {
                for (Evaluation e : executor.evaluate(batchIndex, todo, (e, seconds) -> {
                    journal.append(e, seconds);
                    progress.evaluated(e);
                })) {
                    results.put(key(e.architecture()), e);
                    known.put(key(e.architecture()), e);
                }
            }
            List<Evaluation> told = new ArrayList<>(batch.size());
            for (Architecture a : batch) {
                told.add(results.get(key(a)));
            }
            return told;
        }
    }

    /**
     * Proxy screening of a batch: scores every candidate of the batch (journaled or not, so that a
     * replay screens identically) and returns FAILED evaluations for the new ones below the cut.
     */
    private List<Evaluation> screenOut(List<Architecture> batch, List<Architecture> todo) {
        if (setup.screen() == null || todo.isEmpty()) {
            return List.of();
        }
        List<Map.Entry<Architecture, Double>> scored = new ArrayList<>();
        for (Architecture a : batch) {
            double s;
            try {
                s = setup.screen().estimate(setup.space(), a, setup.evaluator().seedFor(a)).value();
            } catch (RuntimeException e) {
                s = Double.NaN;
            }
            scored.add(Map.entry(a, Double.isFinite(s) ? s : Double.NEGATIVE_INFINITY));
        }
        scored.sort(java.util.Comparator.comparing((Map.Entry<Architecture, Double> e) -> -e.getValue())
                .thenComparing(e -> e.getKey().canonical()));
        int keep = (int) Math.ceil(setup.config().screen().keep() * batch.size());
        double cut = scored.get(keep - 1).getValue();
        List<Evaluation> out = new ArrayList<>();
        for (int i = keep; i < scored.size(); i++) {
            Architecture a = scored.get(i).getKey();
            if (todo.contains(a)) {
                out.add(Evaluation.failed(a, "screened out: " + setup.screen().name() + " = "
                        + scored.get(i).getValue() + " is below the batch's cut " + cut + " (keep "
                        + setup.config().screen().keep() + ")"));
            }
        }
        return out;
    }

    /**
     * Rebuilds the Pareto sets, model directories and report of a run from its journal (for
     * {@code hwnas report}); returns the report file.
     */
    public static Path rebuild(RunSetup setup, Path dir) {
        return rebuild(setup, dir, w -> { });
    }

    /** As {@link #rebuild(RunSetup, Path)}; {@code warn} gets a line per Pareto member an agent could not measure. */
    public static Path rebuild(RunSetup setup, Path dir, java.util.function.Consumer<String> warn) {
        try (RunLock lock = RunLock.acquire(dir, "report")) {
            RunIdentity.check(setup, dir);
            List<Evaluation> journaled = journalOrder(dir);
            requireOwnSpace(setup, dir, journaled);
            Map<String, List<Evaluation>> fronts = Remeasure.fronts(setup, dir, setup.config().fidelity() == null
                    ? journaled : RungSchedule.finals(journaled),
                    a -> MeasuredFronts.of(setup, a, x -> fronts(setup, x), warn));
            writeResults(setup, dir, fronts, FinalTraining.finished(dir, fronts), journaled);
            return dir.resolve(io.hwnas.experiments.report.ReportWriter.FILE);
        }
    }

    /** The per-device Pareto sets; they depend only on the set of evaluations, not on their order. */
    private static Map<String, List<Evaluation>> fronts(RunSetup setup, List<Evaluation> all) {
        Map<String, List<Evaluation>> fronts = new LinkedHashMap<>();
        for (DeviceObjectives d : DeviceObjectives.of(setup.config())) {
            fronts.put(d.device(), ParetoSets.front(d, all));
        }
        return fronts;
    }

    /** Writes the Pareto sets, models and report. */
    private static void writeResults(RunSetup setup, Path dir, Map<String, List<Evaluation>> fronts,
            Map<String, FinalTraining.Trained> trained, List<Evaluation> journalOrder) {
        RunOutputs outputs = new RunOutputs(setup, dir);
        outputs.writeFronts(fronts);
        outputs.writeModels(fronts, trained);
        io.hwnas.experiments.report.ReportWriter.write(setup, dir, journalOrder, fronts);
    }

    /**
     * Refuses a journal with an architecture that is not of the run's space (an edited journal) before anything
     * is written, so that a report that fails leaves the run as it was.
     */
    private static void requireOwnSpace(RunSetup setup, Path dir, List<Evaluation> journaled) {
        for (int i = 0; i < journaled.size(); i++) {
            Architecture a = journaled.get(i).architecture();
            List<String> wrong;
            try {
                wrong = setup.space().violations(a);
            } catch (RuntimeException e) {
                wrong = List.of(String.valueOf(e.getMessage()));
            }
            if (!wrong.isEmpty()) {
                throw new IllegalArgumentException(dir.resolve(Journal.FILE) + ": entry " + (i + 1) + ": "
                        + a.canonical() + " is not an architecture of this run's space " + setup.space().name() + ": "
                        + String.join("; ", wrong));
            }
        }
    }

    /** Every evaluation of the run in journal (completion) order. */
    private static List<Evaluation> journalOrder(Path dir) {
        try (Journal j = Journal.open(dir)) {
            return j.entries().stream().map(Journal.Entry::evaluation).toList();
        }
    }

    private static String key(Architecture a) {
        return a.space() + ":" + a.canonical();
    }

    /** A new run writes only into an empty folder or a run's own, unless forced. */
    private void refuseForeignFolder() throws IOException {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new ConfigException(List.of(dir + " is a file, not a folder; choose another --out"));
        }
        if (force || !Files.isDirectory(dir) || Files.exists(dir.resolve("config.yaml"))
                || Files.exists(dir.resolve(Journal.FILE))) {
            return;
        }
        try (var files = Files.list(dir)) {
            if (files.anyMatch(f -> !f.getFileName().toString().startsWith(RunLock.FILE))) {
                throw new ConfigException(List.of(dir + " is a folder that is not a run (no config.yaml, no "
                        + Journal.FILE + ") and is not empty; choose another --out, or give --force to write the "
                        + "run into it"));
            }
        }
    }

    /**
     * Locks the run directory and checks it: a resumed run must be the run its manifest records; a
     * new run must not overwrite another run's journal. Returns the lock, held until the run ends.
     */
    private RunLock prepareDirectory(boolean resume) {
        Path config = dir.resolve("config.yaml");
        if (resume && !Files.isRegularFile(config)) {
            throw new ConfigException(List.of(dir + ": not a run directory (no config.yaml); nothing to resume"));
        }
        RunLock lock = null;
        try {
            if (!resume) {
                refuseForeignFolder();
                Files.createDirectories(dir);
            }
            lock = RunLock.acquire(dir, resume ? "search --resume" : "search");
            if (resume) {
                RunIdentity.check(setup, dir);
                return lock;
            }
            if (Files.exists(dir.resolve(Journal.FILE)) && Files.size(dir.resolve(Journal.FILE)) > 0) {
                throw new ConfigException(List.of(dir + " already holds a run (" + Journal.FILE + " is not empty); "
                        + "continue it with --resume " + dir + " or choose another --out"));
            }
            io.hwnas.core.io.AtomicFiles.writeString(config, ConfigWriter.yaml(setup.config()));
            Manifest.write(setup, dir);
            return lock;
        } catch (IOException | RuntimeException e) {
            if (lock != null) {
                lock.close();
            }
            if (e instanceof IOException io) {
                throw new UncheckedIOException("cannot prepare the run directory " + dir, io);
            }
            throw (RuntimeException) e;
        }
    }
}
