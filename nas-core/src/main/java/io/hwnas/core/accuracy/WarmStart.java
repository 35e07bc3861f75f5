package io.hwnas.core.accuracy;

import io.hwnas.core.arch.Architecture;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Where an estimator that trains may keep a candidate's weights, and the candidate's parent: the
 * architecture the strategy derived it from (NetAdapt: the network it was shrunk from), whose saved
 * weights it may start from. Estimators that do not train ignore it.
 *
 * @param save          where this candidate's trained weights go
 * @param parent        the parent architecture, if the strategy named one
 * @param parentWeights where the parent's weights were saved (present with {@code parent})
 */
public record WarmStart(Path save, Optional<Architecture> parent, Optional<Path> parentWeights) {

    public WarmStart {
        Objects.requireNonNull(save, "save");
        Objects.requireNonNull(parent, "parent");
        Objects.requireNonNull(parentWeights, "parentWeights");
        if (parent.isPresent() != parentWeights.isPresent()) {
            throw new IllegalArgumentException("a parent needs its weights file, and a weights file its parent");
        }
    }
}
