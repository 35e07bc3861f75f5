package io.hwnas.core.space;

import io.hwnas.core.arch.Architecture;
import io.hwnas.core.ir.Network;
import io.hwnas.core.ir.Shape;
import io.hwnas.core.plugin.Named;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * A search space: a decision-vector encoding of architectures, their canonical strings, seeded
 * sampling and mutation, validity, and the network each architecture denotes. Implementations are
 * immutable and thread-safe; they are found by name with {@link SearchSpaces}.
 */
public interface SearchSpace extends Named {

    /** One line on what the space is. */
    String description();

    /** The number of choices at every decision position (the search domain). */
    int[] choices();

    /** A name for every decision position, e.g. {@code edge(0-1)}. */
    List<String> positions();

    /** The number of distinct architectures (canonical strings) in the search domain. */
    BigInteger size();

    /**
     * Parses a canonical (or accepted alternative) string.
     *
     * @throws ArchitectureFormatException saying where the text does not parse
     */
    Architecture parse(String text);

    /**
     * Every reason the vector is not an architecture of this space; empty when it is one.
     * Positions that the vector leaves inactive (e.g. layers beyond a stage's depth) are ignored.
     */
    List<String> violations(int[] vector);

    /**
     * The architecture a decision vector denotes, with inactive positions set to 0 so that equal
     * architectures have equal vectors.
     *
     * @throws InvalidArchitectureException listing every violation
     */
    Architecture decode(int[] vector);

    /** The decision vector of an architecture of this space. */
    default int[] encode(Architecture architecture) {
        requireOwn(architecture);
        return architecture.vectorArray();
    }

    /** Every reason the architecture is not valid here; empty when it is. */
    default List<String> violations(Architecture architecture) {
        if (!architecture.space().equals(name())) {
            return List.of("architecture is of space '" + architecture.space() + "', not '" + name() + "'");
        }
        return violations(architecture.vectorArray());
    }

    /** A uniformly random choice at every position of the search domain. */
    default Architecture sample(RandomGenerator random) {
        int[] c = choices();
        int[] v = new int[c.length];
        for (int i = 0; i < c.length; i++) {
            v[i] = random.nextInt(c[i]);
        }
        return decode(v);
    }

    /**
     * One random position changed to another of its choices, retried until the architecture
     * differs (positions can be inactive). Returns the input only if no position can change.
     */
    default Architecture mutate(Architecture parent, RandomGenerator random) {
        int[] c = choices();
        int[] base = encode(parent);
        for (int attempt = 0; attempt < 64; attempt++) {
            int pos = random.nextInt(c.length);
            if (c[pos] < 2) {
                continue;
            }
            int[] v = base.clone();
            int next = random.nextInt(c[pos] - 1);
            v[pos] = next >= base[pos] ? next + 1 : next;
            Architecture child = decode(v);
            if (!child.equals(parent)) {
                return child;
            }
        }
        return parent;
    }

    /** The input shape the space's reference networks take (per sample). */
    Shape defaultInput();

    /** The number of classes of the space's reference networks. */
    int defaultClasses();

    /**
     * The network of an architecture for an input shape and a class count.
     *
     * @throws InvalidArchitectureException if the architecture is not valid here
     * @throws IllegalArgumentException if the input shape cannot be fed to it
     */
    Network network(Architecture architecture, Shape input, int classes);

    default Network network(Architecture architecture) {
        return network(architecture, defaultInput(), defaultClasses());
    }

    /** The options in force, with their defaults filled in. */
    Map<String, Object> options();

    /**
     * A copy of this space with options set.
     *
     * @throws IllegalArgumentException naming an unknown option, or a bad value and what is allowed
     */
    SearchSpace withOptions(Map<String, ?> options);

    /**
     * The decision vector of an architecture about to be built, after checking that it belongs to
     * this space, is valid, and that the class count is positive.
     *
     * @throws InvalidArchitectureException listing every violation
     */
    default int[] buildableVector(Architecture architecture, int classes) {
        requireOwn(architecture);
        int[] v = architecture.vectorArray();
        List<String> bad = violations(v);
        if (!bad.isEmpty()) {
            throw new InvalidArchitectureException(architecture.canonical(), bad);
        }
        if (classes <= 0) {
            throw new IllegalArgumentException("classes must be positive, but was " + classes);
        }
        return v;
    }

    /** Fails unless the architecture belongs to this space. */
    default void requireOwn(Architecture architecture) {
        if (!architecture.space().equals(name())) {
            throw new InvalidArchitectureException(architecture.canonical(),
                    List.of("architecture is of space '" + architecture.space() + "', not '" + name() + "'"));
        }
    }
}
