package io.hwnas.core.train;

import io.hwnas.core.ir.Network;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A trained network whose weights start another one (see {@link Training#train(Network,
 * io.hwnas.core.data.ImageDataset.Split, TrainOptions, long, Path, ParentWeights)}).
 *
 * @param network the parent network
 * @param file    its weights, as {@link Weights#save} wrote them
 */
public record ParentWeights(Network network, Path file) {

    public ParentWeights {
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(file, "file");
    }
}
