package io.hwnas.experiments.export;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.core.arch.Architecture;
import io.hwnas.core.space.SearchSpace;
import io.hwnas.core.space.SearchSpaces;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * A measurement, opt-in ({@code -Dhwnas.heavy=true}): what {@code hwnas export --verify} does, on 20
 * seeded architectures per space at the space's default input and class count, with initial
 * weights; prints the worst relative difference and fails when one exceeds
 * {@link Verification#RELATIVE_TOLERANCE}. (The CI suite's {@code OnnxExporterTest} checks 16x16
 * and 32x32 inputs with calibrated batch norms.)
 */
@EnabledIfSystemProperty(named = "hwnas.heavy", matches = "true")
class VerifySweepTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"nb201", "fbnet", "mobilenet"})
    void twentyArchitecturesAtDefaultInputs(String spaceName) {
        SearchSpace space = SearchSpaces.get(spaceName);
        SplittableRandom rng = new SplittableRandom(2026);
        double worst = 0;
        String worstArch = "";
        for (int i = 0; i < 20; i++) {
            Architecture a = space.sample(rng);
            ModelExporter.Result r = ModelExporter.export(ExportRequest.builder(space, a, dir.resolve(spaceName + i + ".onnx"))
                    .input(space.defaultInput()).classes(space.defaultClasses()).verify(true)
                    .calibration(CalibrationImages.SYNTHETIC, 8).checkSamples(8).dataDir(dir).seed(i).build());
            Verification v = r.verification();
            if (v.relativeDiff() >= worst) {
                worst = v.relativeDiff();
                worstArch = a.toString();
            }
        }
        System.out.printf("%s: 20 architectures at %s, worst relative difference %.3g (%s)%n", spaceName,
                space.defaultInput(), worst, worstArch);
        assertTrue(worst <= Verification.RELATIVE_TOLERANCE, spaceName + ": " + worst + " at " + worstArch);
    }
}
