package io.hwnas.core.predictor;

import java.util.SplittableRandom;

/** Minibatch Adam on an {@link Mlp}'s mean squared error with L2 weight decay; a step at a time, in place. */
final class Adam {

    private static final double BETA1 = 0.9;
    private static final double BETA2 = 0.999;
    private static final double EPS = 1e-8;

    private final Mlp m;
    private final Mlp.Training t;
    private final int[] sizes;
    private final double[][][] moments; // [0 w m, 1 w v, 2 b m, 3 b v][layer][]
    private final double[][] gw;
    private final double[][] gb;
    private long step;

    Adam(Mlp m, Mlp.Training t) {
        this.m = m;
        this.t = t;
        this.sizes = m.sizes();
        int layers = sizes.length - 1;
        moments = new double[4][layers][];
        gw = new double[layers][];
        gb = new double[layers][];
        for (int l = 0; l < layers; l++) {
            moments[0][l] = new double[m.weights()[l].length];
            moments[1][l] = new double[m.weights()[l].length];
            moments[2][l] = new double[sizes[l + 1]];
            moments[3][l] = new double[sizes[l + 1]];
            gw[l] = new double[m.weights()[l].length];
            gb[l] = new double[sizes[l + 1]];
        }
    }

    void run(double[][] x, double[] y, SplittableRandom r) {
        int n = x.length;
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int e = 0; e < t.epochs(); e++) {
            for (int i = n - 1; i > 0; i--) { // Fisher-Yates with the seeded generator
                int j = r.nextInt(i + 1);
                int s = order[i];
                order[i] = order[j];
                order[j] = s;
            }
            for (int from = 0; from < n; from += t.batch()) {
                int to = Math.min(n, from + t.batch());
                for (int l = 0; l < gw.length; l++) {
                    java.util.Arrays.fill(gw[l], 0);
                    java.util.Arrays.fill(gb[l], 0);
                }
                for (int k = from; k < to; k++) {
                    backward(x[order[k]], y[order[k]], 1.0 / (to - from));
                }
                update();
            }
        }
    }

    /** Adds one sample's gradient of {@code scale * (prediction - target)^2 / 2}. */
    private void backward(double[] x, double target, double scale) {
        int layers = sizes.length - 1;
        double[][] acts = new double[layers + 1][];
        acts[0] = x;
        for (int l = 0; l < layers; l++) {
            acts[l + 1] = m.layer(l, acts[l], l < layers - 1);
        }
        double[] delta = {(acts[layers][0] - target) * scale};
        for (int l = layers - 1; l >= 0; l--) {
            int in = sizes[l];
            double[] a = acts[l];
            double[] w = m.weights()[l];
            double[] back = l > 0 ? new double[in] : null;
            for (int j = 0; j < delta.length; j++) {
                double d = delta[j];
                if (d == 0) {
                    continue;
                }
                gb[l][j] += d;
                int row = j * in;
                for (int i = 0; i < in; i++) {
                    gw[l][row + i] += d * a[i];
                    if (back != null) {
                        back[i] += d * w[row + i];
                    }
                }
            }
            if (back != null) {
                for (int i = 0; i < in; i++) {
                    back[i] = a[i] > 0 ? back[i] : 0; // ReLU
                }
            }
            delta = back;
        }
    }

    private void update() {
        step++;
        double c1 = 1 - Math.pow(BETA1, step);
        double c2 = 1 - Math.pow(BETA2, step);
        for (int l = 0; l < gw.length; l++) {
            double[] w = m.weights()[l];
            for (int i = 0; i < w.length; i++) {
                w[i] -= adam(moments[0][l], moments[1][l], i, gw[l][i] + t.weightDecay() * w[i], c1, c2);
            }
            double[] b = m.biases()[l];
            for (int i = 0; i < b.length; i++) {
                b[i] -= adam(moments[2][l], moments[3][l], i, gb[l][i], c1, c2);
            }
        }
    }

    private double adam(double[] mean, double[] var, int i, double g, double c1, double c2) {
        mean[i] = BETA1 * mean[i] + (1 - BETA1) * g;
        var[i] = BETA2 * var[i] + (1 - BETA2) * g * g;
        return t.rate() * (mean[i] / c1) / (Math.sqrt(var[i] / c2) + EPS);
    }
}
