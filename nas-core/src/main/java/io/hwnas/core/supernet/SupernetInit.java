package io.hwnas.core.supernet;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A supernet training that starts from another checkpoint's weights (a warm start) rather than from a fresh
 * initialisation: a longer or lower-rate schedule on trained weights, or new elastic choices on them (more
 * resolutions, kernels, expansions or group widths), the way Once-for-All's progressive shrinking starts each phase
 * from the weights of the one before. The new training loads the checkpoint's parameters and batch-norm statistics
 * (not its momentum buffers; kernel transforms the checkpoint lacks start at the identity), then runs its own
 * schedule from step 0, and its batch order and random subnets go on from the checkpoint's last step, so the
 * weights see the epochs that would have come next rather than the first ones again.
 *
 * <p>The weights must fit: the same space and options (the space's {@code resolutions} aside), input channels,
 * classes, width, largest kernel and largest expansion; and the same dataset and seed, because the held-out
 * validation images derive from the seed and another one would validate on images the weights were trained on.
 *
 * @param dir              the checkpoint's directory (absolute)
 * @param parametersSha256 the SHA-256 of its parameters file when the training started; checked when loading
 * @param stepsDone        its steps done
 */
public record SupernetInit(String dir, String parametersSha256, int stepsDone) {

    public SupernetInit {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(parametersSha256, "parametersSha256");
        if (stepsDone < 0) {
            throw new IllegalArgumentException("steps done must be >= 0, not " + stepsDone);
        }
    }

    /**
     * The warm start of {@code run} from the checkpoint in {@code dir}.
     *
     * @throws IllegalArgumentException if the checkpoint cannot be read (naming the file), or naming every way its
     *         weights do not fit {@code run}
     */
    public static SupernetInit of(Path dir, SupernetRun run) {
        SupernetCheckpoint c = SupernetCheckpoint.read(dir);
        List<String> diff = differences(c.run(), run);
        if (!diff.isEmpty()) {
            throw new IllegalArgumentException(dir.resolve(SupernetCheckpoint.MANIFEST) + ": its weights do not fit "
                    + "this supernet (" + String.join("; ", diff) + ")");
        }
        return new SupernetInit(dir.toAbsolutePath().normalize().toString(), c.parameters().sha256(),
                c.stepsDone());
    }

    /** Every way the weights of a training {@code init} do not fit a training {@code run}, as init vs run. */
    static List<String> differences(SupernetRun init, SupernetRun run) {
        SupernetSpec a = init.spec();
        SupernetSpec b = run.spec();
        List<String> diff = new ArrayList<>();
        differ(diff, "space", a.space().name(), b.space().name());
        differ(diff, "space options (resolutions aside)", withoutResolutions(a.space().options()),
                withoutResolutions(b.space().options()));
        differ(diff, "input channels", a.channels(), b.channels());
        differ(diff, "classes", a.classes(), b.classes());
        differ(diff, "width", a.width(), b.width());
        differ(diff, "largest kernel", Collections.max(a.kernels()), Collections.max(b.kernels()));
        differ(diff, "largest expansion", Collections.max(a.expansions()), Collections.max(b.expansions()));
        differ(diff, "dataset", init.dataset(), run.dataset());
        if (init.seed() != run.seed()) {
            diff.add("seed " + init.seed() + " there, but " + run.seed() + " here: the held-out images derive from "
                    + "the seed, so another one would validate on images these weights were trained on");
        }
        return diff;
    }

    private static Map<String, Object> withoutResolutions(Map<String, Object> options) {
        Map<String, Object> m = new HashMap<>(options);
        m.remove("resolutions");
        return m;
    }

    private static void differ(List<String> diff, String what, Object there, Object here) {
        SupernetSpec.differ(diff, what, there, here, "there", "here");
    }

    /**
     * Sets {@code supernet}'s parameters and batch-norm statistics to the checkpoint's (by name; kernel transforms
     * it lacks keep their values), after checking that its parameters are still the ones recorded.
     *
     * @throws IllegalArgumentException if the checkpoint cannot be read, its parameters changed, or it lacks a
     *         weight of the supernet other than a kernel transform
     */
    void load(MobilenetSupernet supernet) {
        Path path = Path.of(dir);
        SupernetCheckpoint c = SupernetCheckpoint.read(path);
        if (!c.parameters().sha256().equals(parametersSha256)) {
            throw new IllegalArgumentException(path.resolve(SupernetCheckpoint.MANIFEST) + ": its parameters (SHA-256 "
                    + c.parameters().sha256() + ") are no longer the ones this training started from ("
                    + parametersSha256 + ")");
        }
        List<String> missing = new ArrayList<>(c.loadParametersByName(supernet));
        missing.removeAll(supernet.transformNames());
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException(path.resolve(c.parameters().file()) + ": lacks " + missing.size()
                    + " weights of this supernet, the first " + missing.get(0));
        }
    }
}
