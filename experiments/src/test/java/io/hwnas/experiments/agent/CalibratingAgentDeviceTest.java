package io.hwnas.experiments.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.core.arch.Architecture;
import io.hwnas.core.space.SearchSpace;
import io.hwnas.core.space.SearchSpaces;
import io.hwnas.cost.cpu.CpuModel;
import io.hwnas.cost.device.DeviceCatalog;
import io.hwnas.experiments.agent.device.AgentSample;
import io.hwnas.experiments.agent.device.CalibratingAgentDevice;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Measured, then calibrated latencies of nb201 networks on a loopback agent; a reopened cache (a resumed
 * run) measures nothing twice; a lost agent fails after the retry patience and works again once back.
 */
class CalibratingAgentDeviceTest {

    private static final Token TOKEN = Token.of("calibrating-test-token");

    private static AgentServer agent(int port, List<String> log) throws Exception {
        return AgentServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), TOKEN,
                new OrtMeasurer(1, EnergyMeter.none("test")), AgentLimits.defaults(), log::add);
    }

    private static CalibratingAgentDevice device(SearchSpace space, int port, Path run) {
        RetryingAgent retrying = new RetryingAgent(new AgentClient("http://127.0.0.1:" + port, TOKEN,
                Duration.ofSeconds(30)), Duration.ofMillis(600), Duration.ofMillis(100), Duration.ofMillis(200));
        return new CalibratingAgentDevice(DeviceCatalog.get("raspi4"), new CpuModel(), space, retrying,
                MeasurementCache.open(run), 3, "cpu", 2);
    }

    @Test
    void measuresThenPredictsAndResumesWithoutRemeasuring(@TempDir Path run) throws Exception {
        SearchSpace space = SearchSpaces.get("nb201");
        List<Architecture> archs = AgentSample.draw(space, 5, 7);
        List<String> log = new CopyOnWriteArrayList<>();
        int port;
        try (AgentServer a = agent(0, log)) {
            port = a.address().getPort();
            CalibratingAgentDevice d = device(space, port, run);
            for (int i = 0; i < 3; i++) {
                assertTrue(d.latency(archs.get(i)).measured());
            }
            CalibratingAgentDevice.Latency predicted = d.latency(archs.get(3));
            assertFalse(predicted.measured());
            assertTrue(predicted.ms() > 0);
            assertEquals(3, log.size());
            d.measure(archs.get(3)); // a Pareto member is measured
            assertEquals(4, log.size());
        }
        // a torn last line, as a kill mid-write leaves it, is dropped
        Files.writeString(run.resolve(MeasurementCache.FILE), "{\"device\":\"raspi4\",\"ke", StandardCharsets.UTF_8,
                StandardOpenOption.APPEND);
        CalibratingAgentDevice resumed = device(space, port, run);
        for (int i = 0; i < 4; i++) {
            assertTrue(resumed.latency(archs.get(i)).measured(), "cached: " + i);
        }
        RetryingAgent.AgentLost lost = assertThrows(RetryingAgent.AgentLost.class, () -> resumed.measure(archs.get(4)));
        assertTrue(lost.getMessage().contains("lost"), lost.getMessage());
        try (AgentServer back = agent(port, log)) {
            assertTrue(resumed.measure(archs.get(4)) > 0);
            assertEquals(5, log.size());
        }
        assertEquals(5, MeasurementCache.open(run).keys("raspi4").size());
    }
}
