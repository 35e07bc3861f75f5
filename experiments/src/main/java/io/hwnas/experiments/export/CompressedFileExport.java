package io.hwnas.experiments.export;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hwnas.core.arch.Architecture;
import io.hwnas.core.io.AtomicFiles;
import io.hwnas.core.io.Json;
import io.hwnas.core.ir.Shape;
import io.hwnas.core.space.SearchSpace;
import io.hwnas.experiments.export.mixed.ActivationRangesFile;
import io.hwnas.experiments.export.mixed.MixedQdqRewriter;
import io.hwnas.experiments.export.mixed.RangeCalibration;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code hwnas export} of a compressed architecture: the mixed-precision QDQ file ({@link CompressedExport}), its
 * model card beside it ({@code NAME.card.md}: each MAC layer's bits, kept channels, storage and fallback), and the
 * check in ONNX Runtime against the simulated-quantisation reference.
 */
public final class CompressedFileExport {

    /**
     * One MAC layer of the export.
     *
     * @param layer  its bits and kept channels
     * @param stored how it was written
     */
    public record Row(CompressionLayers.Row layer, MixedQdqRewriter.Written stored) {
    }

    /**
     * The outcome.
     *
     * @param file       the ONNX file
     * @param bytes      its size
     * @param floatBytes the size of the float model of the same (compressed) network
     * @param card       the model card written
     * @param weights    where the weights came from
     * @param ranges     where the ranges came from
     * @param opset      the model's operator set
     * @param rows       per MAC layer
     * @param check      the check, or null without {@code verify}
     * @param input      the network's input shape (batch included), what the file is fed
     */
    public record Result(Path file, long bytes, long floatBytes, Path card, String weights, String ranges, long opset,
            List<Row> rows, CompressedExport.Check check, Shape input) {
    }

    private CompressedFileExport() {
    }

    /**
     * Exports {@code a} to {@code out}.
     *
     * @param weights     a weights file of the compressed or of the base network (null: seeded initial weights)
     * @param rangesFile  a ranges file (null: calibrate on {@code calSamples} images of {@code images})
     * @param percentile  the calibration percentile (100: min/max; {@link RangeCalibration})
     * @param checkCount  inputs of the check (with {@code verify})
     * @throws IllegalArgumentException naming the file for weights that fit neither network, or a bad or incomplete
     *                                  ranges file
     */
    public static Result export(SearchSpace space, Architecture a, Shape input, int classes, Path weights,
            Path rangesFile, CalibrationImages images, int calSamples, double percentile, int checkCount, Path dataDir,
            boolean verify, long seed, Path out) {
        ActivationRangesFile ranges = rangesFile == null ? null : ActivationRangesFile.read(rangesFile);
        try (NDManager m = NDManager.newBaseManager()) {
            CompressedWeights.Loaded w = CompressedWeights.load(space, a, input, classes, weights, seed, m);
            Shape in = w.block().network().inputShape();
            CalibrationImages.Batch cal = images.batch(in, calSamples, true, dataDir, seed);
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("hwnas.space", space.name());
            meta.put("hwnas.arch", a.canonical());
            meta.put("hwnas.input", in.toString());
            meta.put("hwnas.classes", Integer.toString(classes));
            meta.put("hwnas.weights", weights == null ? w.source() : weights.getFileName() + " (" + w.source() + ")");
            CompressedExport.Exported e = CompressedExport.export(space, a, input, classes, w.block(), ranges, cal.x(),
                    cal.count(), percentile, meta);
            List<Row> rows = rows(space, a, input, classes, e);
            String rangeSource = ranges == null
                    ? e.ranges().source() + " of " + images.name().toLowerCase(Locale.ROOT).replace('_', '-')
                    : rangesFile.toString();
            byte[] bytes = e.model().toBuilder().addMetadataProps(onnx.Onnx.StringStringEntryProto.newBuilder()
                    .setKey("hwnas.compression").setValue(json(rows).toString())).addMetadataProps(
                            onnx.Onnx.StringStringEntryProto.newBuilder().setKey("hwnas.activation_ranges")
                                    .setValue(rangeSource)).build().toByteArray();
            AtomicFiles.write(out, bytes);
            CompressedExport.Check check = null;
            if (verify) {
                CalibrationImages.Batch b = images.batch(in, checkCount, false, dataDir, seed);
                check = CompressedExport.check(w.block(), e, b.x(), b.count(),
                        images == CalibrationImages.SYNTHETIC ? "seeded Gaussian inputs" : "Fashion-MNIST test images");
            }
            Result r = new Result(out, bytes.length, e.floatModel().getSerializedSize(), card(out), w.source(),
                    rangeSource, e.model().getOpsetImport(0).getVersion(), rows, check, in);
            AtomicFiles.writeString(r.card(), cardText(a, r));
            return r;
        }
    }

    private static List<Row> rows(SearchSpace space, Architecture a, Shape input, int classes,
            CompressedExport.Exported e) {
        List<CompressionLayers.Row> layers = CompressionLayers.of(space, a, input, classes).orElseGet(() -> {
            List<CompressionLayers.Row> plain = new ArrayList<>();
            for (io.hwnas.core.ir.Layer l : CompressedExport.macLayers(space.network(a, input, classes))) {
                plain.add(new CompressionLayers.Row(l.name(), l.bits(), l.activationBits(), l.output().channels(),
                        l.output().channels()));
            }
            return plain;
        });
        Map<String, MixedQdqRewriter.Written> written = new HashMap<>();
        e.written().forEach(w -> written.put(w.layer(), w));
        List<Row> rows = new ArrayList<>();
        for (CompressionLayers.Row l : layers) {
            rows.add(new Row(l, written.getOrDefault(l.name(), new MixedQdqRewriter.Written(l.name(), "none", "none",
                    "not exported: only zero edges read its output"))));
        }
        return rows;
    }

    /** The model card beside an ONNX file: {@code m.onnx} gets {@code m.card.md}. */
    public static Path card(Path onnx) {
        String n = onnx.getFileName().toString();
        String stem = n.endsWith(".onnx") ? n.substring(0, n.length() - 5) : n;
        return onnx.resolveSibling(stem + ".card.md");
    }

    /** The rows as JSON: name, bits, kept channels, storage and fallback. */
    public static ArrayNode json(List<Row> rows) {
        ArrayNode out = Json.MAPPER.createArrayNode();
        for (Row r : rows) {
            ObjectNode o = out.addObject();
            o.put("name", r.layer().name());
            o.put("weight_bits", r.layer().weightBits());
            o.put("activation_bits", r.layer().activationBits());
            o.put("kept_channels", r.layer().kept());
            o.put("channels", r.layer().channels());
            o.put("weights_stored", r.stored().weights());
            o.put("input_stored", r.stored().activation());
            o.put("fallback", r.stored().fallback());
        }
        return out;
    }

    static String cardText(Architecture a, Result r) {
        StringBuilder s = new StringBuilder("# Compressed model " + r.file().getFileName() + "\n\n");
        s.append("- architecture: `").append(a.canonical()).append("`\n");
        s.append(String.format(Locale.ROOT, "- file: %,d bytes (float model of the same network %,d bytes), ONNX"
                + " opset %d%n", r.bytes(), r.floatBytes(), r.opset()));
        s.append("- weights: ").append(r.weights()).append("\n- activation ranges: ").append(r.ranges()).append('\n');
        CompressedExport.Check c = r.check();
        if (c != null) {
            s.append(String.format(Locale.ROOT, "- ONNX Runtime vs the simulated-quantisation DJL reference on %d %s:"
                    + " top-1 agreement %.4f (required %.2f), max abs logit diff %.3g of a logit range %.3g; with"
                    + " ONNX Runtime's default options (float weights behind quantised inputs become int8) %.4f;"
                    + " with the fake-quantised DJL network of quantisation-aware training %.4f%n",
                    c.samples(), c.inputs(), c.agreement(), CompressedExport.MIN_AGREEMENT, c.maxAbsDiff(),
                    c.logitRange(), c.defaultAgreement(), c.fakeQuantAgreement()));
        }
        s.append("\n| layer | weight bits | activation bits | kept channels | weights stored | input stored |"
                + " fallback |\n|---|---|---|---|---|---|---|\n");
        for (Row row : r.rows()) {
            s.append(String.format(Locale.ROOT, "| %s | %d | %d | %d/%d | %s | %s | %s |%n", row.layer().name(),
                    row.layer().weightBits(), row.layer().activationBits(), row.layer().kept(),
                    row.layer().channels(), row.stored().weights(), row.stored().activation(),
                    row.stored().fallback().isEmpty() ? "-" : row.stored().fallback()));
        }
        return s.toString();
    }
}
