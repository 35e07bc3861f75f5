package io.hwnas.experiments.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.experiments.config.ConfigLoader;
import io.hwnas.experiments.config.ExperimentConfig;
import io.hwnas.experiments.evaluate.DeviceTarget;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The device comments of the quick-start configs say which kind of cost model the device really uses. */
class QuickstartCommentsTest {

    private static final Set<String> MEASURED = Set.of("table", "lut", "measured");

    @Test
    void eachDeviceCommentNamesTheKindOfModelTheDeviceIsBoundTo() throws Exception {
        for (String file : List.of("quickstart.yaml", "quickstart-slurm.yaml")) {
            Path path = Path.of("..", "examples", file).toAbsolutePath().normalize();
            List<String> lines = Files.readAllLines(path);
            ExperimentConfig c = ConfigLoader.load(path);
            for (ExperimentConfig.DeviceSpec spec : c.devices()) {
                DeviceTarget t = io.hwnas.experiments.setup.DeviceBinding.catalog().bind(spec);
                String model = t.description().split(", ")[1].replace(" model", "");
                String comment = lines.stream().filter(l -> l.contains("- name: " + spec.name())).findFirst()
                        .orElseThrow().replaceFirst("^[^#]*#", "");
                boolean saysMeasured = comment.contains("measured") && !comment.contains("model: table");
                assertEquals(MEASURED.contains(model), saysMeasured, file + ": " + spec.name() + " uses the " + model
                        + " model, but its comment says: " + comment);
                if (spec.name().equals("raspi4")) {
                    // measured latencies, so that energy (modelled from the work) and latency order the front differently
                    assertEquals("table", model, file);
                    assertTrue(comment.contains("measured on the board"), file + ": " + comment);
                }
            }
        }
    }
}
