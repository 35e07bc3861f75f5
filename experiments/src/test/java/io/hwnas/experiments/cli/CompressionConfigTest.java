package io.hwnas.experiments.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.hwnas.core.io.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
            String arch = m.toString();
            assertTrue(arch.contains("#q=") && arch.contains("#p="), arch);
        }
    }
}
