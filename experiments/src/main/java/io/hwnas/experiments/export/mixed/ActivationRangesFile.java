package io.hwnas.experiments.export.mixed;

import io.hwnas.core.quant.ActivationRange;
import io.hwnas.core.quant.RangesFile;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The activation ranges of a network's MAC-layer inputs, as the quantisation convention's JSON file holds them:
 * {@code {"format": "hwnas-activation-ranges/1", "layers": {"<IR layer name>": {"lo": -0.1, "hi": 3.2}}}}, keyed
 * by the MAC layer whose input the range is; written by calibration or QAT, read strictly. Each range is the
 * {@link ActivationRange} quantisation-aware training uses, so the export quantises on training's grid.
 */
public final class ActivationRangesFile {

    /** The value of the {@code format} field. */
    public static final String FORMAT = "hwnas-activation-ranges/1";

    private final String source;
    private final Map<String, ActivationRange> layers;

    /**
     * @param source how messages name where the ranges came from (a file, or "calibration")
     * @param layers the ranges by layer name
     */
    public ActivationRangesFile(String source, Map<String, ActivationRange> layers) {
        this.source = source;
        this.layers = Collections.unmodifiableMap(new LinkedHashMap<>(layers));
    }

    /** The ranges by layer name, in file order. */
    public Map<String, ActivationRange> layers() {
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
    public ActivationRange require(String name) {
        ActivationRange r = layers.get(name);
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
        return new ActivationRangesFile("ranges file " + file, RangesFile.read(file));
    }

    /** Writes the ranges in the convention's format (atomically, {@link RangesFile#write}). */
    public void write(Path file) {
        RangesFile.write(file, layers);
    }
}
