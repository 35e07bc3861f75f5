package io.hwnas.experiments.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.core.arch.Architecture;
import io.hwnas.core.space.SearchSpace;
import io.hwnas.core.space.SearchSpaces;
import io.hwnas.experiments.agent.device.AgentBinding;
import io.hwnas.experiments.config.ConfigLoader;
import io.hwnas.experiments.config.ExperimentConfig;
import io.hwnas.experiments.evaluate.CandidateEvaluator;
import io.hwnas.experiments.setup.DeviceBinding;
import io.hwnas.experiments.setup.RunSetup;
import io.hwnas.search.Evaluation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A device measured through an agent, with the evaluation split as a cluster run splits it: a worker binds the
 * device to its cost model alone and evaluates; the driver completes the result. The completed evaluation is the
 * one the local executor gives (metrics, their order, status and reasons), and each candidate is measured once.
 */
class DriverCompletionTest {

    @TempDir
    Path tmp;

    @Test
    void aWorkersEvaluationCompletedInTheDriverIsTheLocalEvaluation() throws Exception {
        try (AgentServer agent = AgentSearchTest.agent(0)) {
            // every candidate measured; a latency limit on the agent device no network meets, so that the reasons
            // name the measured latency, not the worker's prediction
            Path cfg = AgentSearchTest.config(tmp, agent.address().getPort(), "");
            Files.writeString(cfg, Files.readString(cfg).replace("    profile: raspi4\n",
                    "    profile: raspi4\n    constraints: {latency_ms: 0.000001}\n"));
            ExperimentConfig c = ConfigLoader.load(cfg);
            Path run = Files.createDirectories(tmp.resolve("run"));
            CandidateEvaluator driver = RunSetup.bind(c, AgentBinding.of(run)).evaluator();
            CandidateEvaluator worker = RunSetup.bind(c, DeviceBinding.catalog()).evaluator();
            assertTrue(driver.measuresInDriver());
            assertFalse(worker.measuresInDriver());

            SearchSpace nb201 = SearchSpaces.get("nb201");
            SplittableRandom random = new SplittableRandom(5);
            for (int i = 0; i < 5; i++) {
                Architecture a = nb201.sample(random);
                Evaluation local = driver.evaluate(a);
                Evaluation partial = worker.evaluate(a);
                assertSame(partial, worker.complete(partial), "nothing to complete without a measured device");
                assertNotEquals(local.metrics().get("latency_ms@" + AgentSearchTest.DEVICE),
                        partial.metrics().get("latency_ms@" + AgentSearchTest.DEVICE), "the worker predicts");
                Evaluation done = driver.complete(partial);
                assertEquals(Evaluation.Status.INFEASIBLE, done.status(), done.toString());
                assertTrue(done.error().startsWith(AgentSearchTest.DEVICE + ": latency_ms = "), done.error());
                assertEquals(local, done);
                assertEquals(List.copyOf(local.metrics().keySet()), List.copyOf(done.metrics().keySet()));
                assertEquals(1.0, done.metrics().get("latency_measured@" + AgentSearchTest.DEVICE));
            }
            assertEquals(5, AgentSearchTest.cache(run).size(), "each candidate measured once, the second from the "
                    + "cache");

            Evaluation failed = Evaluation.failed(nb201.sample(random), "the worker's training diverged");
            assertSame(failed, driver.complete(failed), "a failed evaluation stays as the worker wrote it");
        }
    }

    @Test
    void aLostAgentFailsTheCompletionAsDeviceUnavailableSoThatAResumeEvaluatesItAgain() throws Exception {
        int port;
        try (AgentServer gone = AgentSearchTest.agent(0)) {
            port = gone.address().getPort();
        }
        Path cfg = AgentSearchTest.config(tmp, port, ", retry_seconds: 0");
        ExperimentConfig c = ConfigLoader.load(cfg);
        Path run = Files.createDirectories(tmp.resolve("run"));
        Architecture a = SearchSpaces.get("nb201").sample(new SplittableRandom(1));
        Evaluation partial = RunSetup.bind(c, DeviceBinding.catalog()).evaluator().evaluate(a);
        assertEquals(Evaluation.Status.OK, partial.status(), partial.toString());
        Evaluation done = RunSetup.bind(c, AgentBinding.of(run)).evaluator().complete(partial);
        assertEquals(Evaluation.Status.FAILED, done.status());
        assertTrue(io.hwnas.experiments.evaluate.DeviceUnavailableException.failedBy(done), done.error());
    }
}
