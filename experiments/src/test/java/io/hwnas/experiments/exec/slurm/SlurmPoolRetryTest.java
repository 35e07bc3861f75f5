package io.hwnas.experiments.exec.slurm;

import static io.hwnas.experiments.exec.slurm.SlurmExecutorRetryTest.BATCH;
import static io.hwnas.experiments.exec.slurm.SlurmExecutorRetryTest.NB201;
import static io.hwnas.experiments.exec.slurm.SlurmExecutorRetryTest.journal;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.core.arch.Architecture;
import io.hwnas.experiments.exec.slurm.FakeSlurm.Outcome;
import io.hwnas.experiments.run.Journal;
import io.hwnas.search.Evaluation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The worker pool's retry and resume logic against a scripted cluster ({@link FakeSlurm}, whose pool workers
 * claim through the real {@link PoolQueue} and {@link PoolWorker}): runs in every {@code mvn verify}.
 */
class SlurmPoolRetryTest {

    @TempDir
    Path tmp;

    static final List<Architecture> SECOND = List.of(
            "|nor_conv_3x3~0|+|nor_conv_3x3~0|none~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|",
            "|skip_connect~0|+|nor_conv_1x1~0|nor_conv_1x1~1|+|nor_conv_1x1~0|nor_conv_1x1~1|nor_conv_1x1~2|",
            "|nor_conv_3x3~0|+|skip_connect~0|none~1|+|none~0|nor_conv_1x1~1|skip_connect~2|")
            .stream().map(NB201::parse).toList();

    static SlurmOptions options(int pool, int maxRetries) {
        return SlurmOptions.parse(Map.of("launcher", "/shared/hwnas/hwnas", "max_retries", maxRetries,
                "poll_interval_ms", 10, "pool", pool), "exp.yaml", null);
    }

    /**
     * Evaluates the batches in order as the search does, journaling each result and skipping journaled
     * candidates; closes the executor when done (a killed driver does not).
     */
    static List<List<Evaluation>> drive(Path run, FakeSlurm cluster, int pool, int maxRetries,
            List<List<Architecture>> batches) {
        try (Journal journal = Journal.open(run)) {
            SlurmExecutor ex = new SlurmExecutor(options(pool, maxRetries), run, new SlurmClient(cluster));
            Set<Architecture> known = journal.entries().stream().map(e -> e.evaluation().architecture())
                    .collect(Collectors.toSet());
            List<List<Evaluation>> out = new java.util.ArrayList<>();
            for (int b = 0; b < batches.size(); b++) {
                List<Architecture> todo = batches.get(b).stream().filter(a -> !known.contains(a)).toList();
                out.add(todo.isEmpty() ? List.of() : ex.evaluate(b, todo, (e, s) -> journal.append(e, s)));
            }
            ex.close();
            return out;
        }
    }

    static void assertOk(List<Evaluation> got, List<Architecture> expected) {
        assertEquals(expected, got.stream().map(Evaluation::architecture).toList());
        for (Evaluation e : got) {
            assertEquals(Evaluation.Status.OK, e.status(), e.toString());
            assertEquals(FakeSlurm.accuracy(e.architecture()), e.metric("accuracy"), 0.0);
        }
    }

    @Test
    void onePoolServesEveryBatchEvaluatesEachCandidateOnceAndIsToldToExit() throws Exception {
        Path run = Files.createDirectories(tmp.resolve("run"));
        FakeSlurm cluster = new FakeSlurm(run, (b, k, attempt) -> Outcome.COMPLETE);
        List<List<Evaluation>> out = drive(run, cluster, 2, 2, List.of(BATCH, SECOND));
        assertOk(out.get(0), BATCH);
        assertOk(out.get(1), SECOND);
        assertEquals(List.of(List.of(0, 1)), cluster.submissions, "one array of two workers for both batches");
        List<String> log = Files.readAllLines(SlurmExecutor.submissionsLog(run));
        assertEquals(1, log.size());
        assertTrue(log.get(0).contains(" batch=pool ") && log.get(0).contains(" array=0-1 attempt=1 ")
                && log.get(0).contains("--output=" + run.toAbsolutePath().resolve("slurm/pool/logs/worker-%a.%A.out")),
                log.get(0));
        assertTrue(cluster.evaluations.values().stream().allMatch(n -> n == 1), cluster.evaluations.toString());
        assertEquals(7, cluster.evaluations.size());
        assertEquals(7, journal(run).size());
        PoolQueue queue = new PoolQueue(run);
        assertTrue(queue.done(), "closing the executor tells the workers to exit");
        assertEquals(List.of(), queue.queued());
        assertEquals(List.of(), queue.claims());
        String script = Files.readString(BatchDir.pool(run).script());
        assertTrue(script.contains("/shared/hwnas/hwnas worker --run " + run.toAbsolutePath()
                + " --pool --idle-timeout 120\n"), script);
        cluster.advance(1);
        assertEquals(1, cluster.calls("squeue"), "the driver looked once for a pool of an earlier driver");
        // the workers saw the marker and ended: a new driver of the run clears it and submits a pool again
        drive(run, cluster, 2, 2, List.of(BATCH, SECOND, List.of(NB201.parse(
                "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|"))));
        assertEquals(2, cluster.submissions.size());
        assertEquals(8, journal(run).size());
    }

    @Test
    void theClaimOfAWorkerThatDiesIsTakenByAnotherWorkerWithoutASubmission() throws Exception {
        for (Outcome death : List.of(Outcome.FAILED, Outcome.TIMEOUT, Outcome.NODE_FAIL)) {
            Path run = Files.createDirectories(tmp.resolve("run-" + death));
            FakeSlurm cluster = new FakeSlurm(run, (b, k, attempt) -> k == 1 ? death : Outcome.COMPLETE);
            List<List<Evaluation>> out = drive(run, cluster, 2, 2, List.of(BATCH));
            assertOk(out.get(0), BATCH);
            assertEquals(List.of(List.of(0, 1)), cluster.submissions, death + ": worker 0 goes on alone");
            assertEquals(Map.of(), cluster.evaluations.entrySet().stream().filter(e -> e.getValue() != 1)
                    .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)), death.toString());
            assertEquals(4, cluster.evaluations.size());
            assertEquals(4, journal(run).size());
        }
    }

    @Test
    void aCandidateWhoseWorkersKeepDyingIsPutBackUpToMaxRetriesThenFailedWithTheStateAndLog() throws Exception {
        Path run = Files.createDirectories(tmp.resolve("run"));
        // a pool of one worker that dies holding the first candidate three times (failed, forgotten by the
        // controller, node lost), then works
        List<Outcome> deaths = List.of(Outcome.FAILED, Outcome.FORGOTTEN, Outcome.NODE_FAIL);
        FakeSlurm cluster = new FakeSlurm(run, (b, k, attempt) -> attempt <= 3 ? deaths.get(attempt - 1)
                : Outcome.COMPLETE);
        List<Evaluation> out = drive(run, cluster, 1, 2, List.of(BATCH)).get(0);
        assertEquals(4, cluster.submissions.size(), "the lost pool is submitted again each time");
        List<BatchDir.Job> jobs = BatchDir.pool(run).jobs();
        assertEquals(4, jobs.size());
        Architecture first = BATCH.stream().min((x, y) -> PoolQueue.name(0, x).compareTo(PoolQueue.name(0, y)))
                .orElseThrow();
        for (Evaluation e : out) {
            if (e.architecture().equals(first)) {
                assertEquals(Evaluation.Status.FAILED, e.status(), e.toString());
                assertEquals("Slurm pool worker failed 3 times on this candidate of batch 0 (last: job "
                        + jobs.get(2).jobId() + "_0 ended NODE_FAIL); see " + BatchDir.pool(run).logs().resolve(
                                "worker-0." + jobs.get(2).jobId() + ".out"), e.error());
            } else {
                assertEquals(Evaluation.Status.OK, e.status(), e.toString());
            }
        }
        assertFalse(cluster.evaluations.containsKey(first));
        assertEquals(4, journal(run).size());
        assertEquals(Set.copyOf(out), Set.copyOf(journal(run)));
    }

    @Test
    void aPoolThatFailsBeforeClaimingIsSubmittedAgainUpToMaxRetriesThenItsCandidatesFail() throws Exception {
        Path run = Files.createDirectories(tmp.resolve("run"));
        FakeSlurm cluster = new FakeSlurm(run, (b, k, attempt) -> Outcome.BROKEN);
        List<Evaluation> out = drive(run, cluster, 2, 1, List.of(BATCH)).get(0);
        assertEquals(List.of(List.of(0, 1), List.of(0, 1)), cluster.submissions);
        String last = BatchDir.pool(run).jobs().get(1).jobId();
        for (Evaluation e : out) {
            assertEquals(Evaluation.Status.FAILED, e.status(), e.toString());
            assertEquals("the Slurm worker pool ended 2 times without evaluating this candidate of batch 0 (last: job "
                    + last + " ended FAILED, exit code 1:0 (tasks 0-1)); see " + BatchDir.pool(run).logs(), e.error());
        }
        assertEquals(4, journal(run).size());

        // a pool that fails once, then works: nothing failed
        Path again = Files.createDirectories(tmp.resolve("again"));
        FakeSlurm once = new FakeSlurm(again, (b, k, attempt) -> attempt == 1 ? Outcome.BROKEN : Outcome.COMPLETE);
        assertOk(drive(again, once, 2, 1, List.of(BATCH)).get(0), BATCH);
        assertEquals(2, once.submissions.size());
    }

    @Test
    void aResumedDriverAdoptsTheRunningPoolAndEvaluatesNothingTwice() throws Exception {
        Path run = Files.createDirectories(tmp.resolve("run"));
        FakeSlurm cluster = new FakeSlurm(run, (b, k, attempt) -> Outcome.COMPLETE);
        cluster.killAt("scontrol", 3); // the pool runs and has claimed work
        assertThrows(FakeSlurm.Killed.class, () -> drive(run, cluster, 2, 2, List.of(BATCH, SECOND)));
        int journaled = journal(run).size();
        assertTrue(journaled < 4, "killed mid-batch: " + journaled);
        cluster.advance(1); // the workers go on while no driver runs
        List<List<Evaluation>> out = drive(run, cluster, 2, 2, List.of(BATCH, SECOND));
        assertEquals(1, cluster.calls("sbatch"), "the running pool is adopted, not submitted again");
        assertOk(out.get(1), SECOND);
        List<Evaluation> all = journal(run);
        assertEquals(7, all.size());
        assertEquals(7, all.stream().map(Evaluation::architecture).distinct().count(), "nothing journaled twice");
        assertTrue(cluster.evaluations.values().stream().allMatch(n -> n == 1), cluster.evaluations.toString());
        for (Evaluation e : all) {
            assertEquals(FakeSlurm.accuracy(e.architecture()), e.metric("accuracy"), 0.0);
        }
    }

    @Test
    void aPoolSubmittedButNotRecordedIsFoundByNameAndAdopted() throws Exception {
        Path run = Files.createDirectories(tmp.resolve("run"));
        FakeSlurm cluster = new FakeSlurm(run, (b, k, attempt) -> Outcome.COMPLETE);
        cluster.killAt("sbatch", 1);
        assertThrows(FakeSlurm.Killed.class, () -> drive(run, cluster, 2, 2, List.of(BATCH)));
        assertEquals(List.of(), BatchDir.pool(run).jobs(), "the job id was never recorded");
        assertOk(drive(run, cluster, 2, 2, List.of(BATCH)).get(0), BATCH);
        assertEquals(1, cluster.calls("sbatch"));
        assertEquals(1, BatchDir.pool(run).jobs().size());
        assertTrue(cluster.evaluations.values().stream().allMatch(n -> n == 1), cluster.evaluations.toString());
    }
}
