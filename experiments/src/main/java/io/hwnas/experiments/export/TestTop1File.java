package io.hwnas.experiments.export;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hwnas.core.io.AtomicFiles;
import io.hwnas.core.io.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The machine-readable twin of a member's model-card test top-1 lines, {@code models/<device>/<k>/test-top1.json},
 * which {@code hwnas report --compare --accuracy test} reads:
 * <pre>{@code
 * {"arch": "<canonical architecture>",
 *  "test_split": "fashion-mnist (directory /usr/share/datasets/fashion-mnist)",
 *  "models": {"model.onnx": {"top1": 91.75, "correct": 9175, "images": 10000}, "model-int8.onnx": {...}}}
 * }</pre>
 * {@code test_split} is {@link InputNormalisation#describeDataset}: the dataset's name and resolved directory (its
 * seed for synthetic images), so two runs' members were measured on the same images exactly when it is equal.
 * Every export rewrites the file with the export section of the card, and removes it when it measured nothing.
 */
public final class TestTop1File {

    /** The file name in a member's model directory. */
    public static final String FILE = "test-top1.json";

    private TestTop1File() {
    }

    /** Writes the record of a member's float and int8 exports, those whose test top-1 was measured. */
    static void write(Path dir, String arch, InputNormalisation input, List<RunDirectoryExport.Exported> exported) {
        Map<String, TestAccuracy> models = new LinkedHashMap<>();
        exported.stream().filter(e -> e.test() != null).forEach(e -> models.put(e.result().file().getFileName()
                .toString(), e.test()));
        write(dir, arch, input, models);
    }

    /**
     * Writes (atomically) the record of {@code models} (file name to its test top-1, in card order) measured on
     * {@code input}'s test split into member directory {@code dir}; with no models, removes any earlier record.
     */
    static void write(Path dir, String arch, InputNormalisation input, Map<String, TestAccuracy> models) {
        Path file = dir.resolve(FILE);
        if (models.isEmpty()) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot remove " + file + ": " + e.getMessage(), e);
            }
            return;
        }
        ObjectNode root = Json.MAPPER.createObjectNode().put("arch", arch).put("test_split", input.describeDataset());
        ObjectNode m = root.putObject("models");
        models.forEach((name, t) -> {
            ObjectNode o = m.putObject(name).put("top1", t.top1()).put("correct", t.correct()).put("images",
                    t.images());
            if (!Double.isNaN(t.ortDefaultTop1())) {
                o.put("top1_ort_default_qdq", t.ortDefaultTop1());
            }
        });
        try {
            AtomicFiles.writeString(file, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
