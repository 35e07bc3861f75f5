package io.hwnas.experiments.cli;

import io.hwnas.core.io.Json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.hwnas.core.arch.Architecture;
import io.hwnas.core.space.SearchSpace;
import io.hwnas.core.space.SearchSpaces;
import io.hwnas.cost.CostModels;
import io.hwnas.cost.device.DeviceCatalog;
import io.hwnas.cost.device.DeviceProfile;
import io.hwnas.cost.neuromorphic.FiringRates;
import io.hwnas.cost.neuromorphic.NeuromorphicModel;
import io.hwnas.experiments.evaluate.MeasuredFiringRates;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run that trains measures each candidate's firing rates through its weights; one that does not says so. */
class FiringRatesRunTest {

    @TempDir
    Path tmp;

    private Path run(String accuracy) throws Exception {
        Path c = tmp.resolve("rates.yaml");
        Path out = tmp.resolve("run");
        Files.writeString(c, """
                name: rates
                seed: 2
                space: {name: nb201}
                dataset: {name: synthetic}
                accuracy: %s
                devices:
                  - name: loihi2
                objectives: [latency_ms, energy_mj]
                strategy: {name: random}
                budget: 2
                executor: {name: local, parallelism: 1}
                output: %s
                """.formatted(accuracy, out));
        CliRunner r = CliRunner.run("search", "--config", c.toString(), "--quiet");
        assertEquals(0, r.exitCode(), r.err());
        return out;
    }

    private static List<JsonNode> journal(Path run) throws Exception {
        return Files.readAllLines(run.resolve("evaluations.jsonl")).stream().map(l -> {
            try {
                return Json.MAPPER.readTree(l);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).toList();
    }

    @Test
    void aTrainingRunMeasuresRatesThroughEachCandidatesWeightsAndCostsTheChipWithThem() throws Exception {
        Path run = run("{name: train, options: {steps: 3, batch: 16, train_size: 128, val_size: 64, threads: 1}}");
        SearchSpace s = SearchSpaces.get("nb201");
        DeviceProfile loihi = DeviceCatalog.get("loihi2");
        for (JsonNode e : journal(run)) {
            JsonNode m = e.get("metrics");
            assertEquals(64, m.get(MeasuredFiringRates.IMAGES).asInt(), e.toString());
            Map<String, Double> all = new LinkedHashMap<>();
            m.fields().forEachRemaining(f -> all.put(f.getKey(), f.getValue().asDouble()));
            Map<String, Double> rates = MeasuredFiringRates.of(all);
            assertTrue(rates.size() >= 5, rates.toString()); // stem-less head and reductions at least
            assertTrue(rates.values().stream().allMatch(r -> r >= 0 && r <= 1));
            assertTrue(rates.values().stream().distinct().count() > 1, "per-layer rates, not one constant");
            Architecture a = s.parse(e.get("architecture").get("arch").asText());
            double measured = NeuromorphicModel.withRates(new FiringRates(rates, 0.1, "test"))
                    .estimate(a, s.network(a), loihi, 1).energyMj();
            double byDefault = CostModels.get("neuromorphic").estimate(a, s.network(a), loihi, 1).energyMj();
            assertEquals(measured, m.get("energy_mj@loihi2").asDouble(), 1e-9 * measured);
            assertNotEquals(byDefault, measured, 1e-6 * measured);
        }
        String card = Files.readString(run.resolve("models/loihi2/1/model-card.md"));
        assertTrue(card.contains("firing rates: measured per layer on 64 validation images of synthetic through the "
                + "candidate's trained weights"), card);
        assertTrue(card.contains("| cores_used |") && card.contains("| peak_neurons_per_core |")
                && card.contains("| neurons_per_core | 8192 |"), card);
    }

    @Test
    void aRunThatDoesNotTrainUsesTheProfileDefaultAndSaysSo() throws Exception {
        Path run = run("{name: table, options: {dataset: cifar10}}");
        for (JsonNode e : journal(run)) {
            assertTrue(!e.get("metrics").has(MeasuredFiringRates.IMAGES), e.toString());
        }
        String card = Files.readString(run.resolve("models/loihi2/1/model-card.md"));
        assertTrue(card.contains("firing rates: the profile's default rate for every layer (loihi2: 0.1), not "
                + "measured"), card);
        assertTrue(card.contains("| mean_firing_rate | 0.1000 |"), card);
    }
}
