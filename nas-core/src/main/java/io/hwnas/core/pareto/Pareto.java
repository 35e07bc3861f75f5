package io.hwnas.core.pareto;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Pareto dominance, fast non-dominated sorting and crowding distance (Deb et al., NSGA-II) on
 * points whose every objective is minimised.
 */
public final class Pareto {

    private Pareto() {
    }

    /** True when {@code a} is no worse than {@code b} in every objective and better in one. */
    public static boolean dominates(double[] a, double[] b) {
        requireSameLength(a, b);
        boolean better = false;
        for (int i = 0; i < a.length; i++) {
            if (a[i] > b[i]) {
                return false;
            }
            if (a[i] < b[i]) {
                better = true;
            }
        }
        return better;
    }

    /**
     * The fronts of a non-dominated sorting: front 0 holds the indices of the points no other point
     * dominates, front 1 those dominated only by front 0, and so on. Equal points share a front.
     */
    public static List<int[]> fronts(double[][] points) {
        int n = points.length;
        List<List<Integer>> dominated = new ArrayList<>(n);
        int[] count = new int[n];
        for (int i = 0; i < n; i++) {
            dominated.add(new ArrayList<>());
        }
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                if (dominates(points[i], points[j])) {
                    dominated.get(i).add(j);
                    count[j]++;
                } else if (dominates(points[j], points[i])) {
                    dominated.get(j).add(i);
                    count[i]++;
                }
            }
        }
        List<int[]> fronts = new ArrayList<>();
        int[] current = indicesWhere(count);
        while (current.length > 0) {
            fronts.add(current);
            List<Integer> next = new ArrayList<>();
            for (int i : current) {
                for (int j : dominated.get(i)) {
                    if (--count[j] == 0) {
                        next.add(j);
                    }
                }
            }
            current = next.stream().mapToInt(Integer::intValue).sorted().toArray();
        }
        return fronts;
    }

    /** The front index (rank, 0 = non-dominated) of every point. */
    public static int[] ranks(double[][] points) {
        int[] rank = new int[points.length];
        List<int[]> fronts = fronts(points);
        for (int f = 0; f < fronts.size(); f++) {
            for (int i : fronts.get(f)) {
                rank[i] = f;
            }
        }
        return rank;
    }

    /** The indices of the non-dominated points, ascending. */
    public static int[] nonDominated(double[][] points) {
        if (points.length > 0 && points[0].length == 2) {
            return nonDominated2d(points);
        }
        return points.length == 0 ? new int[0] : fronts(points).get(0);
    }

    /** O(n log n) first front for two objectives. */
    private static int[] nonDominated2d(double[][] points) {
        Integer[] order = new Integer[points.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> {
            int c = Double.compare(points[a][0], points[b][0]);
            return c != 0 ? c : Double.compare(points[a][1], points[b][1]);
        });
        List<Integer> out = new ArrayList<>();
        double bestY = Double.POSITIVE_INFINITY;
        double[] last = null;
        for (int i : order) {
            double[] p = points[i];
            if (p[1] < bestY || last != null && p[0] == last[0] && p[1] == last[1]) {
                out.add(i);
                if (p[1] < bestY) {
                    bestY = p[1];
                    last = p;
                }
            }
        }
        return out.stream().mapToInt(Integer::intValue).sorted().toArray();
    }

    /**
     * The crowding distance of every point of one front (infinite at the boundary of each
     * objective); a larger distance means a less crowded region.
     */
    public static double[] crowding(double[][] front) {
        int n = front.length;
        double[] d = new double[n];
        if (n == 0) {
            return d;
        }
        if (n <= 2) {
            Arrays.fill(d, Double.POSITIVE_INFINITY);
            return d;
        }
        int m = front[0].length;
        Integer[] order = new Integer[n];
        for (int k = 0; k < m; k++) {
            final int obj = k;
            for (int i = 0; i < n; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (a, b) -> Double.compare(front[a][obj], front[b][obj]));
            double lo = front[order[0]][k];
            double hi = front[order[n - 1]][k];
            d[order[0]] = Double.POSITIVE_INFINITY;
            d[order[n - 1]] = Double.POSITIVE_INFINITY;
            if (hi == lo) {
                continue;
            }
            for (int i = 1; i < n - 1; i++) {
                d[order[i]] += (front[order[i + 1]][k] - front[order[i - 1]][k]) / (hi - lo);
            }
        }
        return d;
    }

    private static int[] indicesWhere(int[] count) {
        return java.util.stream.IntStream.range(0, count.length).filter(i -> count[i] == 0).toArray();
    }

    static void requireSameLength(double[] a, double[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("points must have the same number of objectives, but had "
                    + a.length + " and " + b.length);
        }
    }
}
