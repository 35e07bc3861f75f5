package io.hwnas.experiments.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.hwnas.core.io.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import io.hwnas.core.space.compress.CompressedSpaces;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code space.compression}: bad bit widths and ratios exit 2 naming the field; a good section searches. */
class CompressionConfigTest {

    static final String BASE = """
            space:
              name: mobilenet
              options: {resolutions: [32], widths: [0.5]}
              compression: %s
            dataset: {name: synthetic}
            accuracy: {name: flops}
            devices: [{name: raspi4}]
            strategy: {name: random, batch_size: 4}
            budget: 4
            """;

    @TempDir
    Path tmp;

    private CliRunner search(String compression) throws Exception {
        Path f = tmp.resolve("c.yaml");
        Files.writeString(f, BASE.formatted(compression));
        return CliRunner.run("search", "--config", f.toString(), "--out", tmp.resolve("run").toString());
    }

    @Test
    void unknownBitsAndRatiosExit2NamingTheField() throws Exception {
        Path f = tmp.resolve("c.yaml");
        CliRunner r = search("{bits: [4, 6], activation_bits: [8], prune: [0, 0.3333], binary: maybe, sparse: 1}");
        assertEquals(2, r.exitCode(), r.err());
        for (String e : List.of(f + ": space.compression.bits[1] = 6 is not allowed; expected one of [2, 4, 8, 16, 32]",
                f + ": space.compression.prune[1] = 0.3333 is not allowed; expected a multiple of 0.05 from 0 to 0.95",
                f + ": space.compression.binary = maybe is not allowed",
                f + ": space.compression.sparse is not a field")) {
            assertTrue(r.err().contains(e), "missing '" + e + "' in:\n" + r.err());
        }
        assertFalse(Files.exists(tmp.resolve("run")), "nothing is written for a bad config");
    }

    @Test
    void aGoodSectionSearchesCompressedArchitectures() throws Exception {
        CliRunner r = search("{bits: [4, 8], activation_bits: [8], prune: [0, 0.5]}");
        assertEquals(0, r.exitCode(), r.err());
        JsonNode pareto = Json.MAPPER.readTree(tmp.resolve("run/pareto/raspi4.json").toFile());
        JsonNode members = pareto.isArray() ? pareto : pareto.path("members");
        assertTrue(members.size() > 0, pareto.toString());
        for (JsonNode m : members) {
            String arch = m.path("arch").asText();
            assertTrue(arch.contains("#q=") && arch.contains("#p="), arch);
            JsonNode layers = m.path("compression");
            assertTrue(layers.size() > 10, m.toString());
            for (JsonNode l : layers) {
                assertTrue(List.of(4, 8).contains(l.path("weight_bits").asInt()), l.toString());
                assertEquals(8, l.path("activation_bits").asInt(), l.toString());
                assertTrue(l.path("kept_channels").asInt() <= l.path("channels").asInt(), l.toString());
            }
        }
    }

    @Test
    void inspectAndCostShowEachLayersBitsAndKeptChannels() throws Exception {
        String[] opts = {"--option", "resolutions=[32]", "--option", "widths=[0.5]"};
        String plain = "r32-w0.5|k3e3,k3e3|k3e3,k3e3|k3e3,k3e3|k3e3,k3e3|k3e3,k3e3";
        String full = CompressedSpaces.get("mobilenet", Map.of("resolutions", List.of(32), "widths", List.of(0.5),
                "compression", Map.of("bits", List.of(4, 32), "activation_bits", List.of(8, 32), "prune",
                        List.of(0, 0.5)))).parse(plain).canonical();
        String arch = full.replace("32/32", "4/8").replaceFirst("#p=0", "#p=50");
        JsonNode p = inspect(plain, opts);
        JsonNode c = inspect(arch, opts);
        JsonNode first = c.path("compression").get(0);
        assertEquals(4, first.path("weight_bits").asInt());
        assertEquals(8, first.path("activation_bits").asInt());
        boolean halved = false;
        for (JsonNode l : c.path("compression")) {
            halved |= l.path("kept_channels").asInt() * 2 == l.path("channels").asInt();
        }
        assertTrue(halved, c.path("compression").toString());
        assertTrue(c.path("params").asLong() < p.path("params").asLong());
        assertTrue(c.path("bit_ops").asLong() < p.path("bit_ops").asLong() / 16);
        CliRunner cost = CliRunner.run("cost", "--space", "mobilenet", opts[0], opts[1], opts[2], opts[3], "--arch",
                arch, "--device", "edge-tpu");
        assertEquals(0, cost.exitCode(), cost.err());
        assertTrue(cost.out().contains("compressed layer") && cost.out().contains("wbits"), cost.out());
    }

    private static JsonNode inspect(String arch, String[] opts) throws Exception {
        CliRunner r = CliRunner.run("inspect", "--space", "mobilenet", opts[0], opts[1], opts[2], opts[3], "--arch",
                arch, "--json");
        assertEquals(0, r.exitCode(), r.err());
        return Json.MAPPER.readTree(r.out());
    }
}
