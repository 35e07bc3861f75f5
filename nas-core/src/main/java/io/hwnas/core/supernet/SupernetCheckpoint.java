package io.hwnas.core.supernet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import com.fasterxml.jackson.databind.JsonNode;
import io.hwnas.core.io.AtomicFiles;
import io.hwnas.core.io.Json;
import io.hwnas.core.io.StrictJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A supernet checkpoint directory: {@code checkpoint.json} (the space and its options, the supernet spec, input
 * shape, classes, dataset, seed, training options, steps done, and the name, size and SHA-256 of each data file),
 * the supernet's parameters ({@code parameters-STEP.bin}: every parameter and batch-norm running statistic) and
 * the SGD momentum buffers ({@code optimizer-STEP.bin}).
 *
 * <p>Written so that a kill at any point leaves the previous checkpoint whole: the data files of a step have
 * names of their own and are written atomically ({@link AtomicFiles}) first; then {@code checkpoint.json} is
 * replaced atomically, which switches the checkpoint to them; only then are the previous step's files deleted.
 * A reader follows {@code checkpoint.json} and ignores stray files (temporaries, a later step's data files).
 *
 * @param dir        the checkpoint directory
 * @param run        the training the checkpoint belongs to
 * @param stepsDone  the sandwich steps the parameters have had
 * @param parameters the parameters file
 * @param optimizer  the momentum-buffers file
 */
public record SupernetCheckpoint(Path dir, SupernetRun run, int stepsDone, FileHash parameters,
        FileHash optimizer) {

    /** The name of the manifest in a checkpoint directory. */
    public static final String MANIFEST = "checkpoint.json";

    /** A data file of the checkpoint: its name in the directory, its lower-case hex SHA-256 and its size. */
    public record FileHash(String file, String sha256, long bytes) {
    }

    public SupernetCheckpoint {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(run, "run");
    }

    /** The supernet's spec. */
    public SupernetSpec spec() {
        return run.spec();
    }

    /**
     * Writes the checkpoint of {@code supernet} and {@code training}'s momentum after {@code stepsDone} steps of
     * {@code run} into {@code dir} (created if needed), as the class describes.
     *
     * @throws UncheckedIOException naming the file that cannot be written
     */
    public static SupernetCheckpoint write(Path dir, SupernetRun run, int stepsDone, MobilenetSupernet supernet,
            SandwichTraining training) {
        String suffix = String.format(Locale.ROOT, "-%08d.bin", stepsDone);
        FileHash params = writeData(dir.resolve("parameters" + suffix), ArrayStream.encode(parameterNames(supernet),
                parameterArrays(supernet)));
        FileHash velocity = writeData(dir.resolve("optimizer" + suffix), ArrayStream.encode(velocityNames(supernet),
                training.velocity()));
        SupernetCheckpoint c = new SupernetCheckpoint(dir, run, stepsDone, params, velocity);
        try {
            AtomicFiles.writeString(dir.resolve(MANIFEST), Json.MAPPER.writeValueAsString(CheckpointJson.write(c))
                    + "\n");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + dir.resolve(MANIFEST), e);
        }
        deleteOthers(dir, List.of(params.file(), velocity.file()));
        return c;
    }

    private static FileHash writeData(Path file, byte[] bytes) {
        AtomicFiles.write(file, bytes);
        return new FileHash(file.getFileName().toString(), ArrayStream.sha256(bytes), bytes.length);
    }

    /** Deletes the data files of other steps (best effort: a leftover file is ignored by readers). */
    private static void deleteOthers(Path dir, List<String> keep) {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "{parameters,optimizer}-*.bin")) {
            for (Path f : files) {
                if (!keep.contains(f.getFileName().toString())) {
                    Files.deleteIfExists(f);
                }
            }
        } catch (IOException e) {
            // a leftover file of an older step does not change what checkpoint.json names
        }
    }

    /**
     * Reads the checkpoint in {@code dir} and checks the size and SHA-256 of every file it names.
     *
     * @throws IllegalArgumentException naming the file and what is wrong: no manifest, a missing field, a
     *         missing data file, or a size or hash that does not match the manifest
     */
    public static SupernetCheckpoint read(Path dir) {
        Path manifest = dir.resolve(MANIFEST);
        if (!Files.exists(manifest)) {
            throw new IllegalArgumentException(manifest + ": no such file; " + dir + " is not a supernet checkpoint");
        }
        JsonNode root = StrictJson.read(manifest, "supernet checkpoint manifest");
        SupernetCheckpoint c = CheckpointJson.read(dir, root, manifest.toString());
        c.bytes(c.parameters());
        c.bytes(c.optimizer());
        return c;
    }

    /**
     * Reads the checkpoint as {@link #read(Path)} does and checks that it is a supernet of {@code expected}.
     *
     * @throws IllegalArgumentException also when the space, its options, the input or the classes differ
     */
    public static SupernetCheckpoint read(Path dir, SupernetSpec expected) {
        SupernetCheckpoint c = read(dir);
        c.requireSpec(expected);
        return c;
    }

    /**
     * Checks that this checkpoint's supernet is {@code expected}.
     *
     * @throws IllegalArgumentException naming the manifest and every field that differs, as checkpoint vs expected
     */
    public void requireSpec(SupernetSpec expected) {
        List<String> diff = spec().differences(expected, "in the checkpoint", "expected");
        if (!diff.isEmpty()) {
            throw new IllegalArgumentException(dir.resolve(MANIFEST) + ": a checkpoint of another supernet ("
                    + String.join("; ", diff) + ")");
        }
    }

    /** A supernet of this checkpoint's spec in {@code manager}, with the checkpoint's parameters. */
    public MobilenetSupernet load(NDManager manager) {
        MobilenetSupernet s = MobilenetSupernet.create(spec(), manager);
        loadParameters(s);
        return s;
    }

    /** Sets {@code supernet}'s parameters (and batch-norm statistics) to the checkpoint's, in place. */
    public void loadParameters(MobilenetSupernet supernet) {
        ArrayStream.decode(dir.resolve(parameters.file()), bytes(parameters), parameterNames(supernet),
                parameterArrays(supernet));
    }

    /**
     * Sets those of {@code supernet}'s parameters the checkpoint holds (by name, shapes checked) to the checkpoint's.
     *
     * @return the names of {@code supernet}'s parameters the checkpoint does not hold
     */
    List<String> loadParametersByName(MobilenetSupernet supernet) {
        List<String> names = parameterNames(supernet);
        java.util.Set<String> held = new java.util.HashSet<>(ArrayStream.decodeByName(dir.resolve(parameters.file()),
                bytes(parameters), names, parameterArrays(supernet)));
        return names.stream().filter(n -> !held.contains(n)).toList();
    }

    /** Sets {@code training}'s momentum buffers to the checkpoint's, in place. */
    public void loadOptimizer(MobilenetSupernet supernet, SandwichTraining training) {
        ArrayStream.decode(dir.resolve(optimizer.file()), bytes(optimizer), velocityNames(supernet),
                training.velocity());
    }

    /** A data file's bytes, checked against the manifest's size and hash. */
    private byte[] bytes(FileHash f) {
        Path file = dir.resolve(f.file());
        byte[] b;
        try {
            b = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(file + ": no such file, but " + MANIFEST + " names it");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        String sha = ArrayStream.sha256(b);
        if (b.length != f.bytes() || !sha.equals(f.sha256())) {
            throw new IllegalArgumentException(file + ": SHA-256 " + sha + " (" + b.length + " bytes) does not match "
                    + MANIFEST + "'s " + f.sha256() + " (" + f.bytes() + " bytes); the file is corrupt or was "
                    + "replaced");
        }
        return b;
    }

    private static List<String> parameterNames(MobilenetSupernet s) {
        return s.getParameters().keys();
    }

    private static List<NDArray> parameterArrays(MobilenetSupernet s) {
        return s.getParameters().values().stream().map(Parameter::getArray).toList();
    }

    private static List<String> velocityNames(MobilenetSupernet s) {
        List<Parameter> p = s.trainable();
        List<String> out = new ArrayList<>();
        for (int i = 0; i < p.size(); i++) {
            out.add("velocity " + i + " " + p.get(i).getName());
        }
        return out;
    }
}
