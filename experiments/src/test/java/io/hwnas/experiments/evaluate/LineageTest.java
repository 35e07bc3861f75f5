package io.hwnas.experiments.evaluate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.core.accuracy.WarmStart;
import io.hwnas.core.arch.Architecture;
import io.hwnas.core.space.SearchSpace;
import io.hwnas.core.space.SearchSpaces;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LineageTest {

    private static final SearchSpace SPACE = SearchSpaces.get("mobilenet", Map.of("resolutions", List.of(32),
            "widths", List.of(0.5)));

    @Test
    void recordsParentsAndPlacesWeights(@TempDir Path run) throws Exception {
        Architecture parent = SPACE.parse("r32-w0.5|k3e6,k3e6|k3e6,k3e6|k3e6,k3e6|k3e6,k3e6|k3e6,k3e6");
        Architecture child = SPACE.parse("r32-w0.5|k3e6,k3e6|k3e6,k3e6|k3e6@0.5,k3e6@0.5|k3e6,k3e6|k3e6,k3e6");
        Lineage lineage = new Lineage(run, SPACE);
        WarmStart none = lineage.warmStart(child);
        assertTrue(none.parent().isEmpty());
        assertEquals(run.resolve("candidates"), none.save().getParent());
        lineage.record(child, parent);
        // a worker process sees the same record through its own Lineage
        WarmStart w = new Lineage(run, SPACE).warmStart(child);
        assertEquals(parent, w.parent().orElseThrow());
        assertEquals(lineage.weights(parent), w.parentWeights().orElseThrow());
        assertNotEquals(lineage.weights(parent), lineage.weights(child));
        assertTrue(lineage.warmStart(parent).parent().isEmpty());

        Files.writeString(run.resolve("candidates").resolve(child.fileKey() + ".parent"), "not an architecture\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> lineage.warmStart(child));
        assertTrue(e.getMessage().contains(child.fileKey() + ".parent") && e.getMessage().contains("not an architecture"),
                e.getMessage());
    }
}
