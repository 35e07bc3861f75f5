package io.hwnas.experiments.export;

import io.hwnas.core.data.Datasets;
import io.hwnas.core.data.FashionMnist;
import io.hwnas.experiments.config.ConfigLoader;
import io.hwnas.experiments.config.ExperimentConfig;
import io.hwnas.experiments.config.Problems;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hwnas.core.arch.Architecture;
import io.hwnas.core.space.SearchSpace;
import io.hwnas.core.space.compress.CompressedSpace;
import io.hwnas.experiments.export.int8.Int8Options;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Exports every model of a run directory: {@code config.yaml} ({@code space.name}, {@code space.options},
 * optional {@code space.input} CxHxW and {@code space.classes}), {@code models/<device>/<k>/architecture.json}
 * (a serialised {@link Architecture}) with an optional {@code weights.params} beside it; writes
 * {@code model.onnx} there and puts its size and measured ONNX Runtime latency in the export section of
 * {@code model-card.md} (replacing the section an earlier export wrote).
 * Device costs of the member in {@code pareto/<device>.json} go into the model's metadata.
 */
public final class RunDirectoryExport {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The weights file name beside architecture.json. */
    public static final String WEIGHTS = "weights.params";
    public static final String MODEL = "model.onnx";
    public static final String MODEL_INT8 = "model-int8.onnx";
    public static final String CARD = "model-card.md";

    /**
     * One exported member.
     *
     * @param device the device directory
     * @param member the member directory name
     * @param result the export result
     * @param test   the model's test top-1 in ONNX Runtime, or null when not measured
     * @param compressed the mixed-precision export of a compressed member (then {@code result} is null)
     */
    public record Exported(String device, String member, ModelExporter.Result result, TestAccuracy test,
            CompressedFileExport.Result compressed) {

        public Exported(String device, String member, ModelExporter.Result result, TestAccuracy test) {
            this(device, member, result, test, null);
        }

        public Exported(String device, String member, ModelExporter.Result result) {
            this(device, member, result, null, null);
        }
    }

    /**
     * The int8 export of every member beside the float one.
     *
     * @param calibration        calibration inputs; null: Fashion-MNIST when the run's dataset is, else synthetic
     * @param calibrationSamples images of the calibration batch
     * @param checkSamples       test images of the top-1 agreement check
     * @param dataDir            the Fashion-MNIST directory; null: the run's {@code dataset.dir} or the default
     * @param options            how the models are quantised; null: {@link Int8Options#defaults()}
     */
    public record Int8(CalibrationImages calibration, int calibrationSamples, int checkSamples, Path dataDir,
            Int8Options options) {

        public Int8 {
            if (calibrationSamples <= 0 || checkSamples <= 0) {
                throw new IllegalArgumentException("calibration and check samples must be positive");
            }
        }
    }

    private RunDirectoryExport() {
    }

    /** Exports the float models only; see {@link #export(Path, String, long, Int8)}. */
    public static List<Exported> export(Path run, String device, long seed) {
        return export(run, device, seed, null);
    }

    /**
     * Exports the members of one device, or of all devices when {@code device} is null.
     *
     * @throws IllegalArgumentException naming the file or field that does not fit the layout
     */
    public static List<Exported> export(Path run, String device, long seed, Int8 int8) {
        return export(run, device, seed, int8, true);
    }

    /**
     * Exports as {@link #export(Path, String, long, Int8)} does; with {@code testAccuracy}, each member whose final
     * training recorded its input normalisation ({@code trained/<key>.input.json}) also gets its top-1 on the
     * dataset's test split, measured in ONNX Runtime on each exported file ({@link TestAccuracy}).
     */
    public static List<Exported> export(Path run, String device, long seed, Int8 int8, boolean testAccuracy) {
        return export(run, device, seed, int8, testAccuracy, CompressedRunExport.Options.defaults());
    }

    /** As above; compressed members ({@code #q=...#p=...}) go to {@link CompressedRunExport} (not with int8). */
    public static List<Exported> export(Path run, String device, long seed, Int8 int8, boolean testAccuracy,
            CompressedRunExport.Options compressed) {
        if (!Files.isDirectory(run)) {
            throw new IllegalArgumentException("run directory " + run + " does not exist");
        }
        RunConfig config = RunConfig.read(run.resolve("config.yaml"));
        CompressedRunExport.requireUsed(config.space() instanceof CompressedSpace, int8 != null, compressed);
        CalibrationImages asked = int8 != null ? int8.calibration() : compressed.calibration();
        CalibrationImages calibration = asked != null ? asked : int8 == null && !(config.space() instanceof CompressedSpace)
                ? CalibrationImages.SYNTHETIC : config.dataset().equals("fashion-mnist")
                        ? CalibrationImages.FASHION_MNIST : CalibrationImages.SYNTHETIC;
        Path asks = int8 != null ? int8.dataDir() : compressed.dataDir();
        Path dataDir = asks != null ? asks : config.dataDir();
        Path models = run.resolve("models");
        List<Exported> out = new ArrayList<>();
        for (String d : devices(run, models, device)) {
            Map<String, JsonNode> costs = paretoCosts(run.resolve("pareto").resolve(d + ".json"));
            for (String k : list(models.resolve(d))) {
                Path dir = models.resolve(d).resolve(k);
                if (Files.isRegularFile(dir.resolve("architecture.json"))) {
                    Member m = new Member(run, d, k, dir);
                    out.addAll(exportMember(m, config, costs, seed, int8, calibration, dataDir, testAccuracy,
                            compressed));
                }
            }
        }
        return out;
    }

    /** The space, input, classes and dataset of a run's {@code config.yaml}. */
    private record RunConfig(SearchSpace space, io.hwnas.core.ir.Shape input, int classes, String dataset,
            Path dataDir) {

        /**
         * The space, input, classes and dataset of the run's resolved {@code config.yaml}, read by the
         * config layer; problems of sections export does not use are not its business.
         */
        static RunConfig read(Path file) {
            if (!Files.isRegularFile(file)) {
                throw new IllegalArgumentException("file " + file + " does not exist");
            }
            Problems problems = new Problems(file.toString());
            ExperimentConfig c = ConfigLoader.read(file, problems);
            ExperimentConfig.SpaceSpec spec = c.space();
            if (spec == null || spec.name() == null) {
                throw new IllegalArgumentException("run config " + file + " has no text field space.name");
            }
            SearchSpace space = io.hwnas.core.space.compress.CompressedSpaces.get(spec.name(), spec.options());
            String dataset = c.dataset().get("name") == null ? "" : c.dataset().get("name").toString();
            int classes = spec.classes() != null ? spec.classes()
                    : Datasets.NAMES.contains(dataset) ? Datasets.classes(dataset) : space.defaultClasses();
            Path dataDir = c.dataset().get("dir") != null ? Path.of(c.dataset().get("dir").toString())
                    : FashionMnist.DEFAULT_DIR;
            return new RunConfig(space, spec.input() != null ? spec.input() : space.defaultInput(), classes, dataset,
                    dataDir);
        }
    }

    /** One member directory, {@code models/<device>/<member>}. */
    private record Member(Path run, String device, String name, Path dir) {
    }

    /** The device directories to export: the one asked for, or all of them. */
    private static List<String> devices(Path run, Path models, String device) {
        List<String> devices = new ArrayList<>();
        if (device != null) {
            if (!Files.isDirectory(models.resolve(device))) {
                throw new IllegalArgumentException("run " + run + " has no models for device '" + device
                        + "' (no directory " + models.resolve(device) + "); devices: " + list(models));
            }
            devices.add(device);
        } else {
            devices.addAll(list(models));
            if (devices.isEmpty()) {
                throw new IllegalArgumentException("run " + run + " has no models/<device>/ directories");
            }
        }
        return devices;
    }

    /** Exports one member, float and (with {@code int8}) int8, and replaces its card's export section. */
    private static List<Exported> exportMember(Member m, RunConfig config, Map<String, JsonNode> costs, long seed,
            Int8 int8, CalibrationImages calibration, Path dataDir, boolean testAccuracy,
            CompressedRunExport.Options compressed) {
        Architecture a = architecture(m.dir().resolve("architecture.json"), config.space());
        InputNormalisation input = inputOf(m, a, config);
        if (config.space() instanceof CompressedSpace) {
            if (int8 != null) {
                throw new IllegalArgumentException("--int8 applies to uncompressed runs; member " + m.dir() + " is "
                        + "compressed and its bits come from its #q= suffix");
            }
            return List.of(CompressedRunExport.member(config.space(), config.input(), config.classes(), m.run(),
                    m.device(), m.dir(), a, compressed, calibration, dataDir, seed, testAccuracy ? input : null));
        }
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("hwnas.run", m.run().toAbsolutePath().normalize().getFileName().toString());
        meta.put("hwnas.device", m.device());
        JsonNode member = costs.get(a.canonical());
        if (member != null) {
            flatten("hwnas.cost", member, meta);
        }
        Path weights = m.dir().resolve(WEIGHTS);
        Path w = Files.isRegularFile(weights) ? weights : null;
        if (w != null && input != null) {
            meta.put("hwnas.input_normalisation", input.describe());
        }
        input = w != null && testAccuracy ? input : null;
        List<Exported> out = new ArrayList<>();
        ModelExporter.Result r = ModelExporter.export(ExportRequest.builder(config.space(), a, m.dir().resolve(MODEL))
                .input(config.input()).classes(config.classes()).weights(w).verify(true).calibration(calibration, 1)
                .checkSamples(1).dataDir(dataDir).metadata(meta).seed(seed).build());
        StringBuilder section = new StringBuilder(cardSection(r));
        TestAccuracy test = input == null ? null : TestAccuracy.measure(bytes(r.file()), input);
        section.append(test == null ? "" : test.cardLine(MODEL, input));
        out.add(new Exported(m.device(), m.name(), r, test));
        if (int8 != null) {
            ModelExporter.Result q = ModelExporter.export(ExportRequest.builder(config.space(), a,
                    m.dir().resolve(MODEL_INT8)).input(config.input()).classes(config.classes()).weights(w).verify(true)
                    .int8(true).int8Options(int8.options()).calibration(calibration, int8.calibrationSamples())
                    .checkSamples(int8.checkSamples()).dataDir(dataDir).metadata(meta).seed(seed).build());
            section.append(int8CardLine(q, calibration));
            TestAccuracy qTest = input == null ? null : TestAccuracy.measure(bytes(q.file()), input);
            section.append(qTest == null ? "" : qTest.cardLine(MODEL_INT8, input));
            out.add(new Exported(m.device(), m.name(), q, qTest));
        }
        replaceExportSection(m.dir().resolve(CARD), section.toString());
        TestTop1File.write(m.dir(), a.canonical(), input, out);
        return out;
    }

    /**
     * The input normalisation the member's final training recorded, or null when it recorded none.
     *
     * @throws IllegalArgumentException naming the record when it is for another input than the member's network
     */
    private static InputNormalisation inputOf(Member m, Architecture a, RunConfig config) {
        Path file = m.run().resolve("trained").resolve(a.fileKey() + InputNormalisation.SUFFIX);
        InputNormalisation input = InputNormalisation.read(file);
        io.hwnas.core.ir.Shape want = config.space().network(a, config.input(), config.classes()).inputShape();
        if (input != null && !input.target().equals(want.toString())) {
            throw new IllegalArgumentException(file + ": inputs of " + input.target() + ", but the member's network "
                    + "takes " + want);
        }
        return input;
    }

    private static byte[] bytes(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static Architecture architecture(Path file, SearchSpace space) {
        Architecture a;
        try {
            a = JSON.readValue(file.toFile(), Architecture.class);
        } catch (IOException e) {
            throw new IllegalArgumentException("architecture file " + file + " is not a serialised architecture"
                    + " {\"space\", \"vector\", \"arch\"}: " + e.getMessage(), e);
        }
        if (!a.space().equals(space.name())) {
            throw new IllegalArgumentException("architecture file " + file + " is of space '" + a.space()
                    + "' but the run's config says '" + space.name() + "'");
        }
        Architecture parsed = space.parse(a.canonical());
        if (!parsed.vector().equals(a.vector())) {
            throw new IllegalArgumentException("architecture file " + file + ": vector " + a.vector()
                    + " does not denote arch '" + a.canonical() + "' (" + parsed.vector() + ")");
        }
        return parsed;
    }

    private static Map<String, JsonNode> paretoCosts(Path file) {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        if (!Files.isRegularFile(file)) {
            return out;
        }
        JsonNode root = read(JSON, file);
        JsonNode members = root.isArray() ? root : root.path("members");
        for (JsonNode m : members) {
            if (m.hasNonNull("arch")) {
                out.put(m.get("arch").asText(), m);
            }
        }
        return out;
    }

    /** Numeric and text leaves of a Pareto member (its costs and objectives), except the architecture itself. */
    private static void flatten(String prefix, JsonNode node, Map<String, String> into) {
        Iterator<Map.Entry<String, JsonNode>> it = node.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = e.getKey();
            if (key.equals("arch") || key.equals("vector") || key.equals("space")) {
                continue;
            }
            JsonNode v = e.getValue();
            if (v.isObject()) {
                flatten(prefix + "." + key, v, into);
            } else if (v.isValueNode()) {
                into.put(prefix + "." + key, v.asText());
            }
        }
    }

    /** The heading that starts the export's section of a model card; the section runs to the card's end. */
    public static final String SECTION = "\n## ONNX export\n";

    /** The export section of a model card (from {@link #SECTION} to the end), or "" when it has none or is absent. */
    public static String exportSection(Path card) {
        String text = readCard(card);
        int at = text.indexOf(SECTION);
        return at < 0 ? "" : text.substring(at);
    }

    /** Writes the card with {@code section} in place of its export section: exporting again replaces, never appends. */
    static void replaceExportSection(Path card, String section) {
        String text = readCard(card);
        int at = text.indexOf(SECTION);
        io.hwnas.core.io.AtomicFiles.writeString(card, (at < 0 ? text : text.substring(0, at)) + section);
    }

    private static String readCard(Path card) {
        try {
            return Files.isRegularFile(card) ? Files.readString(card, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + card + ": " + e.getMessage(), e);
        }
    }

    private static String cardSection(ModelExporter.Result r) {
        Verification v = r.verification();
        return SECTION + String.format(Locale.ROOT, "%n"
                + "- file: %s (%,d bytes, opset %d, batch-norm folded)%n"
                + "- ONNX Runtime %s vs DJL: max abs diff %.3g on %d seeded inputs%n"
                + "- measured ONNX Runtime latency on this host: %.3f ms (median of %d single-sample runs,"
                + " 1 thread, CPU)%n", r.file().getFileName(), r.bytes(), OnnxExporter.OPSET, ortVersion(),
                v.maxAbsDiff(), v.batch(), v.latencyMs(), ModelExporter.LATENCY_RUNS);
    }

    private static String int8CardLine(ModelExporter.Result r, CalibrationImages calibration) {
        ModelExporter.Int8Check c = r.int8();
        return String.format(Locale.ROOT, "- int8 (QDQ, per-channel weights, %s calibration; %s): %s (%,d bytes,"
                + " %.3f of the float file); top-1 agreement with the DJL model on %d %s inputs: int8 %.1f%%,"
                + " float ONNX %.1f%%; max abs logit difference %.3g (%.1f%% of the logit range, tolerance %.0f%%);"
                + " ONNX Runtime median latency int8 %.3f ms, float %.3f ms%n", calibration.name().toLowerCase(Locale.ROOT)
                .replace('_', '-'), c.options().describe(), r.file().getFileName(), r.bytes(),
                (double) r.bytes() / c.floatBytes(), c.samples(), calibration == CalibrationImages.FASHION_MNIST
                        ? "Fashion-MNIST test" : "seeded", 100 * c.top1(), 100 * c.floatTop1(), c.maxAbsDiff(),
                100 * c.maxAbsDiff() / c.logitRange(), 100 * ModelExporter.Int8Check.TOLERANCE, c.latencyMs(),
                c.floatLatencyMs());
    }

    static String ortVersion() {
        String v = ai.onnxruntime.OrtEnvironment.class.getPackage().getImplementationVersion();
        return v == null ? "" : v;
    }

    private static JsonNode read(ObjectMapper mapper, Path file) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("file " + file + " does not exist");
        }
        try {
            return mapper.readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot parse " + file + ": " + e.getMessage(), e);
        }
    }

    private static List<String> list(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            // member directories 0, 1, ..., 10 in numeric order; other names after them, alphabetically
            return s.filter(Files::isDirectory).map(p -> p.getFileName().toString())
                    .sorted(java.util.Comparator.comparing((String n) -> !n.matches("[0-9]{1,9}"))
                            .thenComparing(n -> n.matches("[0-9]{1,9}") ? Integer.parseInt(n) : 0)
                            .thenComparing(java.util.Comparator.naturalOrder()))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }
}
