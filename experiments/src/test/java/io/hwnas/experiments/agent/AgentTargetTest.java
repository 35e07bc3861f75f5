package io.hwnas.experiments.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.core.arch.Architecture;
import io.hwnas.core.ir.Network;
import io.hwnas.core.space.SearchSpace;
import io.hwnas.core.space.SearchSpaces;
import io.hwnas.cost.CostReport;
import io.hwnas.experiments.agent.device.AgentBinding;
import io.hwnas.experiments.agent.device.AgentSample;
import io.hwnas.experiments.config.ExperimentConfig;
import io.hwnas.experiments.evaluate.DeviceTarget;
import io.hwnas.experiments.evaluate.DeviceUnavailableException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An agent device on a loopback agent, calibrate_after 3: the first three asked candidates are measured whatever
 * order they are costed in, the rest predicted; a reopened cache (a resumed run) measures nothing twice and
 * survives a torn last line; a lost agent fails with {@link DeviceUnavailableException} and works again once back.
 */
class AgentTargetTest {

    private static final Token TOKEN = Token.of("agent-target-test-token");

    private static AgentServer agent(int port, List<String> log) throws Exception {
        return AgentServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), TOKEN,
                new OrtMeasurer(1, EnergyMeter.none("test")), AgentLimits.defaults(),
                line -> {
                    if (line.contains("POST /v1/measure") && line.contains("-> 200")) {
                        log.add(line);
                    }
                });
    }

    private static DeviceTarget device(Path dir, int port, SearchSpace space, List<Architecture> asked)
            throws Exception {
        Path token = Files.writeString(dir.resolve("token"), "agent-target-test-token");
        ExperimentConfig.DeviceSpec spec = new ExperimentConfig.DeviceSpec("box", "raspi4", null, 1, null, Map.of(),
                new ExperimentConfig.Agent("http://127.0.0.1:" + port, token, 3, 1, 1, 2, "cpu", "model"));
        DeviceTarget t = AgentBinding.of(dir.resolve("run")).bind(spec);
        Files.createDirectories(dir.resolve("run"));
        t.asked(asked, space::network);
        return t;
    }

    private static boolean measured(CostReport c) {
        return c.details().get(DeviceTarget.LATENCY_MEASURED) == 1.0;
    }

    @Test
    void measuresTheFirstAskedThenPredictsAndResumesWithoutRemeasuring(@TempDir Path dir) throws Exception {
        SearchSpace space = SearchSpaces.get("nb201");
        List<Architecture> archs = AgentSample.draw(space, 5, 7);
        List<String> log = new CopyOnWriteArrayList<>();
        Path run = dir.resolve("run");
        int port;
        try (AgentServer a = agent(0, log)) {
            port = a.address().getPort();
            DeviceTarget d = device(dir, port, space, archs);
            Network fourth = space.network(archs.get(3));
            CostReport predicted = d.cost(archs.get(3), fourth); // costed first, asked fourth: predicted
            assertEquals(0.0, predicted.details().get(DeviceTarget.LATENCY_MEASURED));
            assertTrue(predicted.latencyMs() > 0);
            assertEquals(3, log.size(), "the three asked first were measured to calibrate: " + log);
            assertTrue(Files.isRegularFile(run.resolve("agent-calibration/box.json")));
            for (int i = 0; i < 3; i++) {
                assertTrue(measured(d.cost(archs.get(i), space.network(archs.get(i)))), "cached: " + i);
            }
            assertEquals(3, log.size());
            CostReport member = d.measured(archs.get(3), fourth); // a Pareto member is measured
            assertTrue(measured(member));
            assertEquals(4, log.size());
        }
        // a torn last line, as a kill mid-write leaves it, is dropped
        Files.writeString(run.resolve(MeasurementCache.FILE), "{\"device\":\"box\",\"ke", StandardCharsets.UTF_8,
                StandardOpenOption.APPEND);
        DeviceTarget resumed = device(dir, port, space, archs);
        for (int i = 0; i < 4; i++) {
            assertTrue(measured(resumed.cost(archs.get(i), space.network(archs.get(i)))), "cached: " + i);
        }
        Network fifth = space.network(archs.get(4));
        assertEquals(0.0, resumed.cost(archs.get(4), fifth).details().get(DeviceTarget.LATENCY_MEASURED));
        DeviceUnavailableException lost = assertThrows(DeviceUnavailableException.class,
                () -> resumed.measured(archs.get(4), fifth));
        assertTrue(lost.getMessage().startsWith("box: agent http://127.0.0.1:" + port + " lost: "), lost.getMessage());
        try (AgentServer back = agent(port, log)) {
            assertTrue(measured(resumed.measured(archs.get(4), fifth)));
            assertEquals(5, log.size());
        }
        assertEquals(5, MeasurementCache.open(run).keys("box").size());
    }
}
