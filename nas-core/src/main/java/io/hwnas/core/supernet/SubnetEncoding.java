package io.hwnas.core.supernet;

import io.hwnas.core.arch.Architecture;
import io.hwnas.core.space.mobilenet.MobilenetSpace;

/**
 * Once-for-All's architecture encoding for the accuracy predictor: for each of the 5 stages' 4 layer slots, a
 * one-hot of the kernel (over the supernet's kernels), of the expansion (over its expansions), of squeeze-excite
 * off/on and, where the space searches them, of the channel scale; a slot beyond the stage's depth is all zeros;
 * then, with {@link SupernetSpec#elasticResolutions() elastic resolutions}, a one-hot of the resolution (as OFA's
 * predictor takes the resolution).
 */
public final class SubnetEncoding {

    private final SupernetSpec spec;
    private final int scales;
    private final int perLayer;

    public SubnetEncoding(SupernetSpec spec) {
        this.spec = spec;
        this.scales = spec.space().choices()[MobilenetSpace.position(0, 0, 3)];
        this.perLayer = spec.kernels().size() + spec.expansions().size() + 2 + (scales > 1 ? scales : 0);
    }

    /** The encoding's length. */
    public int features() {
        return 5 * 4 * perLayer + (spec.elasticResolutions() ? spec.resolutions().size() : 0);
    }

    /**
     * The encoding of a subnet.
     *
     * @throws IllegalArgumentException if the subnet is outside the supernet's elastic range
     */
    public double[] encode(Architecture subnet) {
        spec.check(subnet);
        int[] v = subnet.vectorArray();
        double[] x = new double[features()];
        int kernels = spec.kernels().size();
        int expansions = spec.expansions().size();
        for (int s = 0; s < 5; s++) {
            int depth = v[MobilenetSpace.depthPosition(s)] + 2;
            for (int l = 0; l < depth; l++) {
                int at = (s * 4 + l) * perLayer;
                x[at + spec.kernels().indexOf(3 + 2 * v[MobilenetSpace.position(s, l, 0)])] = 1;
                x[at + kernels + spec.expansions().indexOf(MobilenetSpace.EXPANSIONS[v[MobilenetSpace.position(s, l,
                        1)]])] = 1;
                x[at + kernels + expansions + v[MobilenetSpace.position(s, l, 2)]] = 1;
                if (scales > 1) {
                    x[at + kernels + expansions + 2 + v[MobilenetSpace.position(s, l, 3)]] = 1;
                }
            }
        }
        if (spec.elasticResolutions()) {
            x[5 * 4 * perLayer + spec.resolutions().indexOf(spec.space().resolution(subnet))] = 1;
        }
        return x;
    }
}
