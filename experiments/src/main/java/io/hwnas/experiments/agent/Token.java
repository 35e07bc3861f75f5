package io.hwnas.experiments.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** The shared secret of an agent and its clients, read from a file (surrounding white space dropped). */
public final class Token {

    private final byte[] digest;
    private final String text;

    private Token(String text) {
        this.text = text;
        this.digest = sha256(text);
    }

    /**
     * The token in {@code file}.
     *
     * @throws IllegalArgumentException naming the file when it cannot be read or holds no token
     */
    public static Token read(Path file) {
        String t;
        try {
            t = Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new IllegalArgumentException("token file " + file + " cannot be read: " + e.getMessage(), e);
        }
        if (t.isEmpty()) {
            throw new IllegalArgumentException("token file " + file + " is empty; write a secret (e.g. 32 random hex "
                    + "characters) into it");
        }
        if (t.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
            throw new IllegalArgumentException("token file " + file + ": the token must be printable ASCII without "
                    + "spaces");
        }
        return new Token(t);
    }

    /** A token from text (tests). */
    public static Token of(String text) {
        return new Token(text);
    }

    /** The header value a client sends: {@code Bearer <token>}. */
    public String header() {
        return "Bearer " + text;
    }

    /**
     * Whether an {@code Authorization} header carries this token; compares digests in constant time,
     * so neither the token's length nor its prefix leaks through timing.
     */
    public boolean matches(String authorization) {
        String given = authorization == null || !authorization.startsWith("Bearer ") ? ""
                : authorization.substring("Bearer ".length());
        return MessageDigest.isEqual(digest, sha256(given));
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
