package io.hwnas.experiments.study;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.math3.stat.descriptive.DescriptiveStatistics;
import org.apache.commons.math3.stat.inference.TTest;

/**
 * A paired comparison of two arms measured on the same seeds: the per-seed differences a - b, their
 * mean and sample standard deviation, and Commons Math's paired t-test (two-sided).
 *
 * @param n              the number of pairs (seeds)
 * @param meanDifference the mean of a - b
 * @param sdDifference   the sample standard deviation of a - b (NaN for one pair)
 * @param t              the paired t statistic (NaN when undefined: one pair, or every difference equal)
 * @param p              the two-sided p-value (NaN when undefined)
 */
public record PairedComparison(int n, double meanDifference, double sdDifference, double t, double p) {

    /** The significance level the text output and {@link #significant()} use. */
    public static final double ALPHA = 0.05;

    /**
     * Compares a with b pair by pair.
     *
     * @param a the first arm, one value per seed
     * @param b the second arm, same seeds in the same order
     * @return the comparison
     */
    public static PairedComparison of(List<Double> a, List<Double> b) {
        if (a.size() != b.size() || a.isEmpty()) {
            throw new IllegalArgumentException("a paired comparison needs two equally long, non-empty lists, but had "
                    + a.size() + " and " + b.size() + " values");
        }
        double[] x = a.stream().mapToDouble(Double::doubleValue).toArray();
        double[] y = b.stream().mapToDouble(Double::doubleValue).toArray();
        DescriptiveStatistics d = new DescriptiveStatistics();
        for (int i = 0; i < x.length; i++) {
            d.addValue(x[i] - y[i]);
        }
        double sd = x.length < 2 ? Double.NaN : d.getStandardDeviation();
        if (x.length < 2 || sd == 0) { // the t statistic divides by sd: undefined
            return new PairedComparison(x.length, d.getMean(), sd, Double.NaN, Double.NaN);
        }
        TTest test = new TTest();
        return new PairedComparison(x.length, d.getMean(), sd, test.pairedT(x, y), test.pairedTTest(x, y));
    }

    /** @return whether p is defined and below {@link #ALPHA} */
    public boolean significant() {
        return !Double.isNaN(p) && p < ALPHA;
    }

    /**
     * @param what the two arms, e.g. "netadapt - uniform"
     * @return the JSON-ready figures; undefined values are null
     */
    public Map<String, Object> toMap(String what) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("difference", what);
        m.put("test", "paired t-test, two-sided (Commons Math TTest.pairedTTest)");
        m.put("seeds", n);
        m.put("mean_difference", meanDifference);
        m.put("sd_difference", finite(sdDifference));
        m.put("t", finite(t));
        m.put("df", n - 1);
        m.put("p_value", finite(p));
        m.put("significant_at_0.05", significant());
        return m;
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
