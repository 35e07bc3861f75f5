package io.hwnas.experiments.agent;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * 100 sequential measurement requests to one agent, with the resident set size (VmRSS of this JVM,
 * which runs the agent and the client) printed before, after 20 and after 100; a leak of the model
 * bytes or of ONNX Runtime sessions (a few MB each) would grow it by hundreds of MB.
 */
class AgentMemoryTest {

    static long rssKb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return -1;
    }

    @Test
    void hundredSequentialRequestsKeepMemoryFlat() throws Exception {
        Token token = Token.of("memory-test-token");
        byte[] model = TinyModels.tiny();
        try (AgentServer agent = AgentServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), token,
                new OrtMeasurer(1, EnergyMeter.none("test")), AgentLimits.defaults(), line -> { })) {
            AgentClient client = new AgentClient("http://127.0.0.1:" + agent.address().getPort(), token,
                    Duration.ofSeconds(30));
            long before = rssKb();
            long at20 = 0;
            for (int i = 1; i <= 100; i++) {
                client.measure(model, 1, 3);
                if (i == 20) {
                    System.gc();
                    at20 = rssKb();
                }
            }
            System.gc();
            long after = rssKb();
            System.out.printf("agent RSS (VmRSS): %d MiB before, %d MiB after 20 requests, %d MiB after 100%n",
                    before >> 10, at20 >> 10, after >> 10);
            assertTrue(after - at20 < 200 * 1024, "RSS grew from " + at20 + " kB to " + after + " kB in 80 requests");
        }
    }
}
