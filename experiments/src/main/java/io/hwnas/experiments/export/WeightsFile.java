package io.hwnas.experiments.export;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.hwnas.core.djl.DjlNetworks;
import io.hwnas.core.djl.NetworkBlock;
import io.hwnas.core.ir.Network;
import io.hwnas.core.train.Weights;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Trained weights as nas-core's training writes them ({@link Weights}: a header, then DJL's block
 * parameters), loaded with {@link Weights#load} and checked parameter by parameter against the
 * architecture they are loaded into, so that a file of another architecture is named precisely.
 */
public final class WeightsFile {

    private WeightsFile() {
    }

    /** Writes the block's parameters (including batch-norm running statistics) with {@link Weights#save}. */
    public static void save(NetworkBlock block, Path file) {
        Weights.save(block, file);
    }

    /**
     * A block of {@code network} holding the weights of {@code file}; its arrays live in {@code manager}.
     *
     * @throws UnsupportedArchitectureException when the file is not one of this architecture, naming the
     *                                          first parameter that differs (expected vs found)
     * @throws IllegalArgumentException         when the file does not exist
     */
    public static NetworkBlock load(Network network, Path file, NDManager manager) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("weights file " + file + " does not exist");
        }
        Map<String, long[]> expected;
        try (NDManager probe = manager.newSubManager()) {
            expected = shapes(DjlNetworks.initialized(network, probe, DataType.FLOAT32, 1));
        }
        NetworkBlock block;
        try {
            block = Weights.load(network, manager, file);
        } catch (IllegalArgumentException e) {
            String first = firstDifference(network, file, expected, manager);
            throw mismatch(file, e.getMessage() + (first == null ? "" : "; first differing " + first));
        }
        String first = compare(expected, shapes(block));
        if (first != null) {
            throw mismatch(file, first);
        }
        return block;
    }

    /** Reads the file's parameters past the {@link Weights} header into a scratch block to name a difference. */
    private static String firstDifference(Network network, Path file, Map<String, long[]> expected,
            NDManager manager) {
        try (NDManager scratch = manager.newSubManager();
                InputStream is = Files.newInputStream(file);
                DataInputStream in = new DataInputStream(new BufferedInputStream(is))) {
            in.readUTF();
            in.readLong();
            in.readInt();
            NetworkBlock b = DjlNetworks.initialized(network, scratch, DataType.FLOAT32, 1);
            b.loadParameters(scratch, in);
            return compare(expected, shapes(b));
        } catch (Exception e) {
            return null; // the header message already says what is wrong
        }
    }

    private static String compare(Map<String, long[]> expected, Map<String, long[]> found) {
        List<String> bad = new ArrayList<>();
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            long[] f = found.get(e.getKey());
            if (!Arrays.equals(e.getValue(), f)) {
                bad.add("parameter " + readable(e.getKey()) + ": expected shape " + Arrays.toString(e.getValue())
                        + ", found " + (f == null ? "none" : Arrays.toString(f)));
            }
        }
        return bad.isEmpty() ? null : bad.size() + " parameter(s) differ, first " + bad.get(0);
    }

    private static UnsupportedArchitectureException mismatch(Path file, String why) {
        return new UnsupportedArchitectureException("weights file " + file + " does not match the architecture: "
                + why);
    }

    private static Map<String, long[]> shapes(NetworkBlock block) {
        Map<String, long[]> out = new LinkedHashMap<>();
        for (Pair<String, Parameter> p : block.getParameters()) {
            Parameter param = p.getValue();
            out.put(p.getKey(), param.isInitialized() ? param.getArray().getShape().getShape() : null);
        }
        return out;
    }

    /** A DJL parameter path without the child-order prefixes, e.g. {@code stage1.cell0.conv_weight}. */
    static String readable(String key) {
        return key.replaceAll("(^|_)[0-9]{2,}", "$1");
    }
}
