package io.hwnas.cost.validation;

import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.IntStream;

/** Rank correlations and error shares between predictions and measurements. */
public final class Ranks {

    private Ranks() {
    }

    /** Average ranks (ties share the mean of their positions). */
    public static double[] ranks(double[] x) {
        Integer[] order = IntStream.range(0, x.length).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingDouble(i -> x[i]));
        double[] r = new double[x.length];
        int i = 0;
        while (i < x.length) {
            int j = i;
            while (j + 1 < x.length && x[order[j + 1]] == x[order[i]]) {
                j++;
            }
            double avg = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) {
                r[order[k]] = avg;
            }
            i = j + 1;
        }
        return r;
    }

    /** Spearman's rho (Pearson correlation of average ranks). */
    public static double spearman(double[] x, double[] y) {
        return pearson(ranks(x), ranks(y));
    }

    public static double pearson(double[] x, double[] y) {
        double mx = 0, my = 0;
        for (int i = 0; i < x.length; i++) {
            mx += x[i];
            my += y[i];
        }
        mx /= x.length;
        my /= y.length;
        double sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < x.length; i++) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }
        return sxx == 0 || syy == 0 ? 0 : sxy / Math.sqrt(sxx * syy);
    }

    /** Kendall's tau-b, O(n log n) (Knight's algorithm). */
    public static double kendall(double[] x, double[] y) {
        int n = x.length;
        Integer[] idx = IntStream.range(0, n).boxed().toArray(Integer[]::new);
        Arrays.sort(idx, Comparator.<Integer>comparingDouble(i -> x[i]).thenComparingDouble(i -> y[i]));
        long n0 = (long) n * (n - 1) / 2;
        long n1 = 0, n3 = 0;
        int i = 0;
        while (i < n) { // ties in x, and joint ties
            int j = i;
            while (j + 1 < n && x[idx[j + 1]] == x[idx[i]]) {
                j++;
            }
            long t = j - i + 1;
            n1 += t * (t - 1) / 2;
            int a = i;
            while (a <= j) {
                int b = a;
                while (b + 1 <= j && y[idx[b + 1]] == y[idx[a]]) {
                    b++;
                }
                long u = b - a + 1;
                n3 += u * (u - 1) / 2;
                a = b + 1;
            }
            i = j + 1;
        }
        double[] ys = new double[n];
        for (int k = 0; k < n; k++) {
            ys[k] = y[idx[k]];
        }
        long swaps = mergeCount(ys, new double[n], 0, n);
        long n2 = 0;
        i = 0;
        while (i < n) { // ys is now sorted
            int j = i;
            while (j + 1 < n && ys[j + 1] == ys[i]) {
                j++;
            }
            long t = j - i + 1;
            n2 += t * (t - 1) / 2;
            i = j + 1;
        }
        double num = (double) (n0 - n1 - n2 + n3) - 2.0 * swaps;
        double den = Math.sqrt((double) (n0 - n1) * (n0 - n2));
        return den == 0 ? 0 : num / den;
    }

    private static long mergeCount(double[] a, double[] tmp, int lo, int hi) {
        if (hi - lo < 2) {
            return 0;
        }
        int mid = (lo + hi) >>> 1;
        long s = mergeCount(a, tmp, lo, mid) + mergeCount(a, tmp, mid, hi);
        int i = lo, j = mid, k = lo;
        while (i < mid && j < hi) {
            if (a[j] < a[i]) {
                s += mid - i;
                tmp[k++] = a[j++];
            } else {
                tmp[k++] = a[i++];
            }
        }
        while (i < mid) {
            tmp[k++] = a[i++];
        }
        while (j < hi) {
            tmp[k++] = a[j++];
        }
        System.arraycopy(tmp, lo, a, lo, hi - lo);
        return s;
    }

    /** Mean absolute percentage error, in percent. */
    public static double mape(double[] predicted, double[] measured) {
        double s = 0;
        for (int i = 0; i < measured.length; i++) {
            s += Math.abs(predicted[i] - measured[i]) / measured[i];
        }
        return 100 * s / measured.length;
    }

    /** Share of predictions within {@code tolerance} (relative) of the measurement. */
    public static double within(double[] predicted, double[] measured, double tolerance) {
        int k = 0;
        for (int i = 0; i < measured.length; i++) {
            if (Math.abs(predicted[i] - measured[i]) <= tolerance * measured[i]) {
                k++;
            }
        }
        return (double) k / measured.length;
    }
}
