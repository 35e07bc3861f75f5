package io.hwnas.experiments.exec.slurm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.core.arch.Architecture;
import io.hwnas.core.space.SearchSpace;
import io.hwnas.core.space.SearchSpaces;
import io.hwnas.experiments.exec.slurm.FakeSlurm.Outcome;
import io.hwnas.experiments.run.Journal;
import io.hwnas.search.Evaluation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Slurm executor's retry and resume logic against a scripted cluster ({@link FakeSlurm}): runs in
 * every {@code mvn verify}, where {@link SlurmClusterTest} needs a real cluster.
 */
class SlurmExecutorRetryTest {

    @TempDir
    Path tmp;

    static final SearchSpace NB201 = SearchSpaces.get("nb201");
    static final List<Architecture> BATCH = List.of(
            "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|",
            "|nor_conv_1x1~0|+|nor_conv_1x1~0|nor_conv_1x1~1|+|nor_conv_1x1~0|nor_conv_1x1~1|nor_conv_1x1~2|",
            "|nor_conv_3x3~0|+|skip_connect~0|avg_pool_3x3~1|+|none~0|nor_conv_1x1~1|skip_connect~2|",
            "|avg_pool_3x3~0|+|skip_connect~0|avg_pool_3x3~1|+|none~0|nor_conv_1x1~1|nor_conv_3x3~2|")
            .stream().map(NB201::parse).toList();

    static SlurmOptions options(int maxRetries) {
        return SlurmOptions.parse(Map.of("launcher", "/shared/hwnas/hwnas", "max_retries", maxRetries,
                "poll_interval_ms", 10, "tasks_per_array", 2), "exp.yaml", null);
    }

    /** Runs batch 0 as the search's driver does: every result journaled as it arrives. */
    static List<Evaluation> drive(Path run, FakeSlurm cluster, int maxRetries) {
        try (Journal journal = Journal.open(run)) {
            return new SlurmExecutor(options(maxRetries), run, new SlurmClient(cluster))
                    .evaluate(0, BATCH, (e, seconds) -> journal.append(e, seconds));
        }
    }

    static List<Evaluation> journal(Path run) {
        try (Journal j = Journal.open(run)) {
            return j.entries().stream().map(Journal.Entry::evaluation).toList();
        }
    }

    @Test
    void aTaskThatKeepsFailingIsResubmittedUpToMaxRetriesThenJournaledFailedWithItsStateAndLog() throws Exception {
        Path run = Files.createDirectories(tmp.resolve("run"));
        List<Outcome> task1 = List.of(Outcome.FAILED, Outcome.TIMEOUT, Outcome.NODE_FAIL, Outcome.COMPLETE);
        FakeSlurm cluster = new FakeSlurm(run, (b, k, attempt) -> k == 1 ? task1.get(attempt - 1) : Outcome.COMPLETE);
        List<Evaluation> out = drive(run, cluster, 2);

        // the first array runs both tasks; task 1 alone is resubmitted twice (max_retries 2), then given up
        assertEquals(List.of(List.of(0, 1), List.of(1), List.of(1)), cluster.submissions);
        assertEquals(3, Files.readAllLines(SlurmExecutor.submissionsLog(run)).size());
        List<BatchDir.Job> jobs = new BatchDir(run, 0).jobs();
        assertEquals(3, jobs.size());
        String lastJob = jobs.get(2).jobId();
        Path log = new BatchDir(run, 0).logs().resolve("task-1." + lastJob + ".out");

        List<Evaluation> journaled = journal(run);
        assertEquals(4, journaled.size());
        for (int i = 0; i < 4; i++) {
            Architecture a = BATCH.get(i);
            Evaluation e = out.get(i);
            assertEquals(a, e.architecture());
            assertEquals(e, journaled.stream().filter(j -> j.architecture().equals(a)).findFirst().orElseThrow());
            if (i < 2) { // task 0: the first two candidates
                assertEquals(Evaluation.Status.OK, e.status(), e.toString());
                assertEquals(FakeSlurm.accuracy(a), e.metric("accuracy"), 0.0);
            } else {
                assertEquals(Evaluation.Status.FAILED, e.status(), e.toString());
                assertEquals("Slurm task 1 of batch 0 failed 3 times (last: job " + lastJob + "_1 ended NODE_FAIL); see "
                        + log, e.error());
            }
        }
    }

    @Test
    void aTaskThatSucceedsWithinMaxRetriesIsNotFailed() throws Exception {
        Path run = Files.createDirectories(tmp.resolve("run"));
        List<Outcome> task1 = List.of(Outcome.TIMEOUT, Outcome.FORGOTTEN, Outcome.COMPLETE);
        FakeSlurm cluster = new FakeSlurm(run, (b, k, attempt) -> k == 1 ? task1.get(attempt - 1) : Outcome.COMPLETE);
        List<Evaluation> out = drive(run, cluster, 2);
        assertEquals(List.of(List.of(0, 1), List.of(1), List.of(1)), cluster.submissions);
        for (int i = 0; i < 4; i++) {
            assertEquals(Evaluation.Status.OK, out.get(i).status(), out.get(i).toString());
            assertEquals(FakeSlurm.accuracy(BATCH.get(i)), out.get(i).metric("accuracy"), 0.0);
        }
        assertEquals(4, journal(run).size());
        // with max_retries 1 the same cluster gives up after the forgotten job
        Path strict = Files.createDirectories(tmp.resolve("strict"));
        FakeSlurm again = new FakeSlurm(strict, (b, k, attempt) -> k == 1 ? task1.get(attempt - 1) : Outcome.COMPLETE);
        List<Evaluation> failed = drive(strict, again, 1);
        assertEquals(List.of(List.of(0, 1), List.of(1)), again.submissions);
        assertTrue(failed.get(3).error().contains("failed 2 times") && failed.get(3).error().contains(
                "is no longer known to Slurm"), failed.get(3).error());
    }

    @Test
    void aResumedDriverCollectsFinishedResultsAndDoesNotResubmitARunningArray() throws Exception {
        Path run = Files.createDirectories(tmp.resolve("run"));
        FakeSlurm cluster = new FakeSlurm(run, (b, k, attempt) -> k == 0 ? Outcome.COMPLETE : Outcome.SLOW);
        // the first driver submits, sees both tasks running, and is killed at its next look
        cluster.killAt("scontrol", 2);
        assertThrows(FakeSlurm.Killed.class, () -> drive(run, cluster, 2));
        assertEquals(List.of(), journal(run));
        // while no driver runs, task 0 finishes and writes its results; task 1 is still running
        cluster.advance(1);
        List<Evaluation> out = drive(run, cluster, 2);
        assertEquals(List.of(List.of(0, 1)), cluster.submissions, "nothing is submitted again");
        assertEquals(1, cluster.calls("sbatch"));
        List<Evaluation> journaled = journal(run);
        assertEquals(4, journaled.size());
        // task 0's results were on disk when the driver came back: they are journaled first
        assertEquals(List.of(BATCH.get(0), BATCH.get(1)), List.of(journaled.get(0).architecture(),
                journaled.get(1).architecture()));
        for (int i = 0; i < 4; i++) {
            assertEquals(Evaluation.Status.OK, out.get(i).status(), out.get(i).toString());
            assertEquals(FakeSlurm.accuracy(BATCH.get(i)), out.get(i).metric("accuracy"), 0.0);
        }
    }

    @Test
    void aDriverKilledBetweenSbatchAndRecordingTheJobAdoptsItOnResume() throws Exception {
        Path run = Files.createDirectories(tmp.resolve("run"));
        FakeSlurm cluster = new FakeSlurm(run, (b, k, attempt) -> Outcome.SLOW);
        cluster.killAt("sbatch", 1);
        assertThrows(FakeSlurm.Killed.class, () -> drive(run, cluster, 2));
        assertEquals(List.of(), new BatchDir(run, 0).jobs(), "the job id was never recorded");
        List<Evaluation> out = drive(run, cluster, 2);
        assertEquals(1, cluster.calls("sbatch"), "the queued array is adopted, not submitted again");
        assertEquals(1, new BatchDir(run, 0).jobs().size());
        List<Architecture> got = new ArrayList<>();
        out.forEach(e -> got.add(e.architecture()));
        assertEquals(BATCH, got);
        assertTrue(out.stream().allMatch(e -> e.status() == Evaluation.Status.OK), out.toString());
    }
}
