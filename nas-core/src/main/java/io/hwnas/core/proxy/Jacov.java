package io.hwnas.core.proxy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.hwnas.core.djl.NetworkBlock;

/**
 * Jacobian covariance (Mellor et al. 2020, as in NASLib): the input gradients of the summed
 * outputs for one batch, their correlation matrix C across inputs, and
 * {@code -sum(ln(v + 1e-5) + 1 / (v + 1e-5))} over C's eigenvalues v.
 */
public final class Jacov extends BatchProxy {

    @Override
    public String name() {
        return "jacov";
    }

    @Override
    double score(NDManager m, NetworkBlock block, NDArray x, ProxyBatch batch) {
        x.setRequiresGradient(true);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray y = block.forward(new ParameterStore(m, false), new NDList(x), true).singletonOrThrow();
            gc.backward(y.sum());
        }
        int n = batch.size();
        return score(x.getGradient().reshape(n, -1).toType(DataType.FLOAT64, false).toDoubleArray(), n);
    }

    static double score(double[] jacobian, int n) {
        int d = jacobian.length / n;
        double[] centred = jacobian.clone();
        double[] norm = new double[n];
        for (int i = 0; i < n; i++) {
            double mean = 0;
            for (int k = 0; k < d; k++) {
                mean += centred[i * d + k];
            }
            mean /= d;
            double ss = 0;
            for (int k = 0; k < d; k++) {
                centred[i * d + k] -= mean;
                ss += centred[i * d + k] * centred[i * d + k];
            }
            if (!(ss > 0)) {
                return Matrices.DEGENERATE;
            }
            norm[i] = Math.sqrt(ss);
        }
        double[] corr = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = i; j < n; j++) {
                double s = 0;
                for (int k = 0; k < d; k++) {
                    s += centred[i * d + k] * centred[j * d + k];
                }
                corr[i * n + j] = corr[j * n + i] = s / (norm[i] * norm[j]);
            }
        }
        double score = 0;
        for (double v : Matrices.symmetricEigenvalues(Matrices.square(corr, n))) {
            double e = Math.max(v, 0) + 1e-5;
            score -= Math.log(e) + 1 / e;
        }
        return score;
    }
}
