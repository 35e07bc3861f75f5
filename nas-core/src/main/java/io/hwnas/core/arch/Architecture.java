package io.hwnas.core.arch;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * The only currency between modules: the id of a search space, the decision vector (one choice index
 * per position) and the canonical string of that space. Two architectures are the same candidate
 * exactly when they are equal.
 *
 * @param space     the search space name, e.g. {@code nb201}
 * @param vector    one choice index per decision position
 * @param canonical the space's canonical string, e.g. an NB201 cell string
 */
public record Architecture(
        @JsonProperty("space") String space,
        @JsonProperty("vector") List<Integer> vector,
        @JsonProperty("arch") String canonical) {

    @JsonCreator
    public Architecture {
        Objects.requireNonNull(space, "space");
        Objects.requireNonNull(canonical, "canonical");
        vector = List.copyOf(Objects.requireNonNull(vector, "vector"));
    }

    public static Architecture of(String space, int[] vector, String canonical) {
        Integer[] boxed = new Integer[vector.length];
        for (int i = 0; i < vector.length; i++) {
            boxed[i] = vector[i];
        }
        return new Architecture(space, List.of(boxed), canonical);
    }

    /** A fresh copy of the decision vector. */
    public int[] vectorArray() {
        int[] out = new int[vector.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = vector.get(i);
        }
        return out;
    }

    /**
     * A stable file-name key: 32 hex digits of the SHA-256 of {@code space:canonical}, the same on
     * every machine and JVM (run directories name per-candidate files by it).
     */
    public String fileKey() {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(h, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    @Override
    public String toString() {
        return space + ":" + canonical;
    }
}
