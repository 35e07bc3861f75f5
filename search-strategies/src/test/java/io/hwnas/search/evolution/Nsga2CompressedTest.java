package io.hwnas.search.evolution;

import io.hwnas.search.SearchStrategy;

/** NSGA-II on the joint NAS-Bench-201 + compression vector. */
class Nsga2CompressedTest extends CompressedSpaceContract {

    @Override
    protected SearchStrategy strategy() {
        return new Nsga2();
    }
}
