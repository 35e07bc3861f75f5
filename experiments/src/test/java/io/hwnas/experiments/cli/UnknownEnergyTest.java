package io.hwnas.experiments.cli;

import io.hwnas.core.io.Json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hwnas.cost.Energy;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A device without energy data: its energy is unknown (null, "unknown"), and minimising it is a config error. */
class UnknownEnergyTest {

    @TempDir
    Path tmp;

    /** The raspi4 profile without its energy numbers, as a file. */
    private Path bareProfile() throws Exception {
        try (InputStream in = Energy.class.getResourceAsStream("/devices/raspi4.json")) {
            ObjectNode root = (ObjectNode) Json.MAPPER.readTree(in);
            root.put("name", "bare-pi");
            ObjectNode numbers = (ObjectNode) root.get("numbers");
            Energy.FIELDS.forEach(numbers::remove);
            Path file = tmp.resolve("bare-pi.json");
            Json.MAPPER.writeValue(file.toFile(), root);
            return file;
        }
    }

    private Path config(String objectives, String model) throws Exception {
        Path profile = bareProfile();
        Path c = tmp.resolve("unknown-energy.yaml");
        Files.writeString(c, """
                name: unknown-energy
                seed: 1
                space: {name: nb201}
                accuracy: {name: table, options: {dataset: cifar10}}
                devices:
                  - name: pi
                    profile: %s
                    model: %s
                  - name: edge-tpu
                objectives: %s
                strategy: {name: random}
                budget: 6
                executor: {name: local, parallelism: 1}
                output: %s
                """.formatted(profile, model, objectives, tmp.resolve("run")));
        return c;
    }

    @Test
    void minimisingUnknownEnergyExitsTwoNamingTheDeviceAndTheField() throws Exception {
        for (String model : new String[] {"table", "cpu"}) {
            CliRunner r = CliRunner.run("search", "--config", config("[latency_ms, energy_mj]", model).toString(),
                    "--quiet");
            assertEquals(2, r.exitCode(), model + ": " + r.err());
            assertTrue(r.err().contains("objectives") && r.err().contains("energy_mj") && r.err().contains("'pi'")
                    && r.err().contains("static_power_w"), r.err());
            assertFalse(r.err().contains("'edge-tpu'"), "edge-tpu has energy: " + r.err());
            assertFalse(Files.exists(tmp.resolve("run/evaluations.jsonl")), "no work before the error");
        }
    }

    @Test
    void unknownEnergyIsNullInJsonAndUnknownInTheModelCard() throws Exception {
        CliRunner r = CliRunner.run("search", "--config", config("[latency_ms]", "table").toString(), "--quiet");
        assertEquals(0, r.exitCode(), r.err());
        JsonNode front = Json.MAPPER.readTree(tmp.resolve("run/pareto/pi.json").toFile());
        JsonNode member = front.get("members").get(0);
        assertTrue(member.get("latency_ms").asDouble() > 0);
        assertTrue(member.get("energy_mj").isNull(), member.toString());
        JsonNode tpu = Json.MAPPER.readTree(tmp.resolve("run/pareto/edge-tpu.json").toFile()).get("members").get(0);
        assertTrue(tpu.get("energy_mj").asDouble() > 0, tpu.toString());
        String card = Files.readString(tmp.resolve("run/models/pi/1/model-card.md"));
        assertTrue(card.contains("| unknown |"), card);
        JsonNode cost = Json.MAPPER.readTree(CliRunner.run("cost", "--space", "nb201", "--arch", "11472", "--device",
                bareProfile().toString(), "--model", "table", "--json").out());
        assertTrue(cost.get("energy_mj").isNull() && cost.get("energy_unknown").asText().contains("e_mac_pj"),
                cost.toString());
    }
}
