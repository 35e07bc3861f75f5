package io.hwnas.search.evolution;

import io.hwnas.search.SearchStrategy;

/** Aging evolution on the joint NAS-Bench-201 + compression vector. */
class AgingEvolutionCompressedTest extends CompressedSpaceContract {

    @Override
    protected SearchStrategy strategy() {
        return new AgingEvolution();
    }
}
