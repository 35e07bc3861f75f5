package io.hwnas.core.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.hwnas.core.djl.NetworkBlock;
import io.hwnas.core.io.AtomicFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A training checkpoint: the weights in {@code FILE} ({@link Weights}, so anything that reads weights
 * reads it) and the SGD momentum of every trainable parameter in {@code FILE.momentum}. Both are
 * written atomically, the momentum first, so a complete weights file always has its momentum beside it.
 */
public final class Checkpoint {

    private Checkpoint() {
    }

    /** The momentum file beside a checkpoint's weights file. */
    public static Path momentum(Path weights) {
        return weights.resolveSibling(weights.getFileName() + ".momentum");
    }

    /** Writes the block's weights and {@code velocity} (in {@link NetworkBlock#trainable()} order). */
    static void save(NetworkBlock block, NDArray[] velocity, Path file) {
        NDList list = new NDList(velocity);
        byte[] bytes = list.encode();
        AtomicFiles.write(momentum(file), bytes);
        Weights.save(block, file);
    }

    /**
     * Loads the weights of {@code file} into {@code block} and returns the momentum, in {@code manager}.
     *
     * @throws IllegalArgumentException naming the file if either part is missing or does not fit
     */
    static NDArray[] load(NetworkBlock block, NDManager manager, Path file) {
        Weights.loadInto(block, manager, file);
        Path m = momentum(file);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(m);
        } catch (IOException e) {
            throw new IllegalArgumentException(m + ": cannot read the checkpoint's momentum (" + e.getMessage() + ")");
        }
        NDList list = NDList.decode(manager, bytes);
        var params = block.trainable();
        for (var p : params) { // loaded arrays are new ones: they must collect gradients as initialised ones do
            p.getArray().setRequiresGradient(true);
        }
        if (list.size() != params.size()) {
            throw new IllegalArgumentException(m + ": momentum of " + list.size() + " parameters, but the network has "
                    + params.size());
        }
        NDArray[] velocity = new NDArray[list.size()];
        for (int i = 0; i < velocity.length; i++) {
            velocity[i] = list.get(i);
            if (!velocity[i].getShape().equals(params.get(i).getArray().getShape())) {
                throw new IllegalArgumentException(m + ": momentum " + i + " has shape " + velocity[i].getShape()
                        + ", but its parameter " + params.get(i).getArray().getShape());
            }
        }
        return velocity;
    }
}
