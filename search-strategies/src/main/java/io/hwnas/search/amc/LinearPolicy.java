package io.hwnas.search.amc;

import java.util.random.RandomGenerator;

/**
 * A softmax policy over one decision's choices whose logits are linear in a state's features
 * ({@code logit_c = w_c . s}), trained by REINFORCE: d log pi(a|s) / d w_c = (1[c = a] - pi_c) s.
 */
final class LinearPolicy {

    private final double[][] weights;

    LinearPolicy(int choices, int features) {
        weights = new double[choices][features];
    }

    int choices() {
        return weights.length;
    }

    double[] probabilities(double[] state) {
        double[] p = new double[weights.length];
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < p.length; c++) {
            double z = 0;
            for (int f = 0; f < state.length; f++) {
                z += weights[c][f] * state[f];
            }
            p[c] = z;
            max = Math.max(max, z);
        }
        double sum = 0;
        for (int c = 0; c < p.length; c++) {
            p[c] = Math.exp(p[c] - max);
            sum += p[c];
        }
        for (int c = 0; c < p.length; c++) {
            p[c] /= sum;
        }
        return p;
    }

    /** A choice drawn from pi(.|state); uniform when {@code uniform}. */
    int sample(double[] state, RandomGenerator random, boolean uniform) {
        if (uniform) {
            return random.nextInt(weights.length);
        }
        double[] p = probabilities(state);
        double u = random.nextDouble();
        int c = 0;
        for (double acc = p[0]; u >= acc && c < p.length - 1; acc += p[++c]) {
            // walk the cumulative distribution
        }
        return c;
    }

    /** One gradient-ascent step on {@code advantage x log pi(action | state)} plus an entropy bonus. */
    void update(double[] state, int action, double advantage, double learningRate, double entropyWeight) {
        double[] p = probabilities(state);
        double h = 0;
        for (double q : p) {
            h -= q > 0 ? q * Math.log(q) : 0;
        }
        for (int c = 0; c < p.length; c++) {
            double g = advantage * ((c == action ? 1 : 0) - p[c]);
            g += entropyWeight * -p[c] * ((p[c] > 0 ? Math.log(p[c]) : 0) + h);
            for (int f = 0; f < state.length; f++) {
                weights[c][f] += learningRate * g * state[f];
            }
        }
    }
}
