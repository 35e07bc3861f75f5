package io.hwnas.cost.device;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The profiles cite docs/cost-models.md, which ships in the repository and lists every number of every device. */
class CostModelsDocTest {

    private static final Path DOC = Path.of("..", "docs", "cost-models.md");

    @Test
    void theDocumentTheProfilesCiteIsInTheRepositoryAndListsEveryNumber() throws Exception {
        assertTrue(Files.isRegularFile(DOC), DOC.toAbsolutePath() + " is missing");
        String doc = Files.readString(DOC);
        for (String name : DeviceCatalog.names()) {
            DeviceProfile d = DeviceCatalog.get(name);
            int at = doc.indexOf("\n### " + name + "\n");
            assertTrue(at >= 0, "no section for " + name);
            int end = doc.indexOf("\n### ", at + 5);
            String section = doc.substring(at, end < 0 ? doc.length() : end);
            for (Map.Entry<String, Quantity> n : d.numbers().entrySet()) {
                assertTrue(section.contains("| `" + n.getKey() + "` |"), name + ": " + n.getKey() + " is not listed");
                String source = n.getValue().source();
                assertFalse(source.contains("COST-MODELS.md"), name + "." + n.getKey() + " cites a missing document");
                assertTrue(section.contains(source.replace("|", "/")), name + "." + n.getKey() + ": source differs");
            }
        }
    }
}
