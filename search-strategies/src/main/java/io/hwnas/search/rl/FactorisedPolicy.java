package io.hwnas.search.rl;

import java.util.random.RandomGenerator;

/** Independent softmax distributions over the choices of every decision position, with REINFORCE updates. */
final class FactorisedPolicy {

    private final double[][] logits;

    FactorisedPolicy(int[] choices) {
        logits = new double[choices.length][];
        for (int i = 0; i < choices.length; i++) {
            logits[i] = new double[choices[i]];
        }
    }

    int[] sample(RandomGenerator random) {
        int[] v = new int[logits.length];
        for (int i = 0; i < v.length; i++) {
            double[] p = probabilities(i);
            double u = random.nextDouble();
            int c = 0;
            for (double acc = p[0]; u >= acc && c < p.length - 1; acc += p[++c]) {
                // walk the cumulative distribution
            }
            v[i] = c;
        }
        return v;
    }

    double[] probabilities(int position) {
        double[] l = logits[position];
        double max = Double.NEGATIVE_INFINITY;
        for (double x : l) {
            max = Math.max(max, x);
        }
        double[] p = new double[l.length];
        double sum = 0;
        for (int c = 0; c < l.length; c++) {
            p[c] = Math.exp(l[c] - max);
            sum += p[c];
        }
        for (int c = 0; c < l.length; c++) {
            p[c] /= sum;
        }
        return p;
    }

    /**
     * One gradient-ascent step on {@code advantage x log pi(v)} plus {@code entropyWeight x H(pi)}:
     * d log pi / d logit_c = 1[c = v_i] - pi_c at every position.
     */
    void update(int[] v, double advantage, double learningRate, double entropyWeight) {
        for (int i = 0; i < logits.length; i++) {
            double[] p = probabilities(i);
            double h = 0;
            for (double q : p) {
                h -= q > 0 ? q * Math.log(q) : 0;
            }
            for (int c = 0; c < p.length; c++) {
                double grad = advantage * ((c == v[i] ? 1 : 0) - p[c]);
                double logP = p[c] > 0 ? Math.log(p[c]) : 0;
                grad += entropyWeight * -p[c] * (logP + h); // dH/dlogit_c
                logits[i][c] += learningRate * grad;
            }
        }
    }

    /** Mean entropy per position, in nats. */
    double entropy() {
        double total = 0;
        for (int i = 0; i < logits.length; i++) {
            for (double q : probabilities(i)) {
                total -= q > 0 ? q * Math.log(q) : 0;
            }
        }
        return total / Math.max(1, logits.length);
    }
}
