package io.hwnas.core.data;

import java.util.Objects;

/** A dataset's published training and test parts. */
public record DataSplits(ImageDataset train, ImageDataset test) {

    public DataSplits {
        Objects.requireNonNull(train, "train");
        Objects.requireNonNull(test, "test");
    }
}
