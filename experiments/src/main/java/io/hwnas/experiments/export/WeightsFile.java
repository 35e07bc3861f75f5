package io.hwnas.experiments.export;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import io.hwnas.core.build.NetworkBlock;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Trained weights in DJL's block parameter format ({@code NetworkBlock.saveParameters} /
 * {@code loadParameters}), checked against the architecture they are loaded into.
 */
public final class WeightsFile {

    private WeightsFile() {
    }

    /** Writes the block's parameters (including batch-norm running statistics). */
    public static void save(NetworkBlock block, Path file) throws IOException {
        try (OutputStream os = Files.newOutputStream(file);
                DataOutputStream out = new DataOutputStream(new BufferedOutputStream(os))) {
            block.saveParameters(out);
        }
    }

    /**
     * Loads a weights file into an initialised block; the arrays live in {@code manager}.
     *
     * @throws UnsupportedArchitectureException when the file is not one of this architecture, naming the
     *                                          first parameter that differs (expected vs found)
     */
    public static void load(NetworkBlock block, Path file, NDManager manager) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("weights file " + file + " does not exist");
        }
        Map<String, long[]> expected = shapes(block);
        try (InputStream is = Files.newInputStream(file);
                DataInputStream in = new DataInputStream(new BufferedInputStream(is))) {
            block.loadParameters(manager, in);
            if (in.read() != -1) {
                throw mismatch(file, "the file holds more parameters than the architecture has");
            }
        } catch (MalformedModelException e) {
            throw mismatch(file, e.getMessage());
        } catch (IOException e) {
            throw mismatch(file, "the file ended before all of the architecture's parameters were read ("
                    + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")");
        } catch (UnsupportedArchitectureException e) {
            throw e;
        } catch (RuntimeException e) {
            throw mismatch(file, "it does not parse as this architecture's parameters (" + e + ")");
        }
        Map<String, long[]> found = shapes(block);
        List<String> bad = new ArrayList<>();
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            long[] f = found.get(e.getKey());
            if (!Arrays.equals(e.getValue(), f)) {
                bad.add("parameter " + readable(e.getKey()) + ": expected shape " + Arrays.toString(e.getValue())
                        + ", found " + (f == null ? "none" : Arrays.toString(f)));
            }
        }
        if (!bad.isEmpty()) {
            throw mismatch(file, bad.size() + " parameter(s) differ, first " + bad.get(0));
        }
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
