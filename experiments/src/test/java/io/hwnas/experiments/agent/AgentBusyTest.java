package io.hwnas.experiments.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.hwnas.core.ir.Network;
import io.hwnas.core.ir.NetworkBuilder;
import io.hwnas.core.ir.Shape;
import io.hwnas.experiments.export.LayerWeights;
import io.hwnas.experiments.export.OnnxExporter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** With no waiting allowed, a request that arrives while one is measured gets 503; the first still gets its answer. */
class AgentBusyTest {

    @Test
    void aRequestBeyondTheQueueIs503() throws Exception {
        NetworkBuilder b = new NetworkBuilder(new Shape(32, 64, 64));
        b.conv("conv", b.input(), 32, 3, 1, 1, 1, false);
        Network net = b.build();
        byte[] model = OnnxExporter.folding().export(net, LayerWeights.random(net, 1), Map.of()).toByteArray();
        Token token = Token.of("busy-test-token");
        List<String> log = new CopyOnWriteArrayList<>();
        AgentLimits limits = new AgentLimits(1 << 20, 0, Duration.ofSeconds(3), Duration.ofSeconds(5), 100_000);
        try (AgentServer agent = AgentServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), token,
                new OrtMeasurer(1, EnergyMeter.none("test")), limits, log::add)) {
            AgentClient client = new AgentClient("http://127.0.0.1:" + agent.address().getPort(), token,
                    Duration.ofSeconds(60));
            CompletableFuture<Measurement> first = CompletableFuture.supplyAsync(() -> client.measure(model, 0, 100_000));
            long until = System.nanoTime() + 20_000_000_000L;
            while (client.info().get("in_flight").asInt() == 0 && System.nanoTime() < until) {
                Thread.sleep(20);
            }
            AgentClient.AgentError busy = org.junit.jupiter.api.Assertions.assertThrows(AgentClient.AgentError.class,
                    () -> client.measure(model, 0, 1));
            assertEquals(503, busy.status());
            Measurement m = first.get();
            org.junit.jupiter.api.Assertions.assertTrue(m.budgetSpent() && m.runs() > 0, m.toString());
            assertEquals(1, log.stream().filter(l -> l.contains("-> 503 ")).count(), log.toString());
        }
    }
}
