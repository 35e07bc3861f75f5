package io.hwnas.experiments.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.hwnas.core.io.Json;
import io.hwnas.cost.device.DeviceCatalog;
import io.hwnas.cost.device.DeviceProfile;
import io.hwnas.experiments.cli.HwnasCli;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code hwnas device probe --quick} against a real agent on loopback: a loadable profile and a kernel table. */
class DeviceProbeTest {

    @Test
    void probeWritesAMeasuredProfileAndKernelTable(@TempDir Path dir) throws Exception {
        Path tokenFile = dir.resolve("token");
        Files.writeString(tokenFile, "probe-test-token\n");
        try (AgentServer agent = AgentServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                Token.read(tokenFile), new OrtMeasurer(1, EnergyMeter.none("test")), AgentLimits.defaults(),
                line -> { })) {
            Path out = dir.resolve("dev.json");
            int code = HwnasCli.execute("device", "probe", "--agent", "http://127.0.0.1:" + agent.address().getPort(),
                    "--token-file", tokenFile.toString(), "--out", out.toString(), "--quick", "--runs", "3",
                    "--warmup", "1", "--name", "probed");
            assertEquals(0, code);
            DeviceProfile p = DeviceCatalog.get(out.toString());
            assertEquals("probed", p.name());
            assertTrue(p.number("peak_gflops") > 0 && p.number("bandwidth_gbs") > 0);
            assertTrue(p.isUnmeasured("power_w"));
            JsonNode json = Json.MAPPER.readTree(out.toFile());
            for (String f : List.of("peak_gflops", "bandwidth_gbs", "eff_dense", "overhead_us_depthwise", "fixed_ms")) {
                assertTrue(json.get("numbers").get(f).get("measured").asBoolean(), f);
            }
            List<String> kernels = Files.readAllLines(dir.resolve("dev.kernels.csv"));
            assertEquals("kernel,name,ops,bytes,median_ms,p10_ms,p90_ms,cpu_median_ms,runs,gflops,gbs,energy_mj,measured",
                    kernels.get(0));
            assertEquals(6, kernels.size(), kernels.toString());
            assertFalse(kernels.stream().skip(1).anyMatch(l -> !l.endsWith(",true")));
        }
    }

    @Test
    void aMissingTokenFileExits2(@TempDir Path dir) {
        assertEquals(2, HwnasCli.execute("device", "probe", "--agent", "http://127.0.0.1:9", "--token-file",
                dir.resolve("none").toString(), "--out", dir.resolve("p.json").toString()));
    }
}
