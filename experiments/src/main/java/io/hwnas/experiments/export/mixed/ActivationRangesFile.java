package io.hwnas.experiments.export.mixed;

import io.hwnas.core.quant.RangesFile;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The activation ranges of a network's MAC-layer inputs, as the quantisation convention's JSON file holds them:
 * {@code {"format": "hwnas-activation-ranges/1", "layers": {"<IR layer name>": {"lo": -0.1, "hi": 3.2}}}}, keyed
 * by the MAC layer whose input the range is; written by calibration or QAT, read strictly.
 */
public final class ActivationRangesFile {

    /** The value of the {@code format} field. */
    public static final String FORMAT = "hwnas-activation-ranges/1";

    /**
     * One layer's input range.
     *
     * @param lo the lower end
     * @param hi the upper end, at least {@code lo}
     */
    public record Range(float lo, float hi) {
    }

    private final String source;
    private final Map<String, Range> layers;

    /**
     * @param source how messages name where the ranges came from (a file, or "calibration")
     * @param layers the ranges by layer name
     */
    public ActivationRangesFile(String source, Map<String, Range> layers) {
        this.source = source;
        this.layers = Collections.unmodifiableMap(new LinkedHashMap<>(layers));
    }

    /** The ranges by layer name, in file order. */
    public Map<String, Range> layers() {
        return layers;
    }

    /** Where the ranges came from. */
    public String source() {
        return source;
    }

    /**
     * The range of layer {@code name}.
     *
     * @throws IllegalArgumentException naming the source and the layer when it has none
     */
    public Range require(String name) {
        Range r = layers.get(name);
        if (r == null) {
            throw new IllegalArgumentException(source + ": layers." + name + " is missing; the network quantises the"
                    + " input of MAC layer " + name + " and needs its range {lo, hi}");
        }
        return r;
    }

    /**
     * Reads a ranges file strictly ({@link RangesFile#read}, the format's one reader).
     *
     * @throws IllegalArgumentException naming the file, the field and the value
     */
    public static ActivationRangesFile read(Path file) {
        Map<String, Range> out = new LinkedHashMap<>();
        RangesFile.read(file).forEach((k, r) -> out.put(k, new Range((float) r.lo(), (float) r.hi())));
        return new ActivationRangesFile("ranges file " + file, out);
    }

    /** Writes the ranges in the convention's format (atomically, {@link RangesFile#write}). */
    public void write(Path file) {
        Map<String, io.hwnas.core.quant.ActivationRange> out = new LinkedHashMap<>();
        layers.forEach((k, r) -> out.put(k, new io.hwnas.core.quant.ActivationRange(r.lo(), r.hi())));
        RangesFile.write(file, out);
    }
}
