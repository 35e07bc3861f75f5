package io.hwnas.experiments.study;

import io.hwnas.experiments.report.ComparePage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code hwnas report --compare A... --against B...}: two arms of runs paired by seed (run i of one arm with run
 * i of the other), each pair's fronts scored by hypervolume within the bounds of that pair's members, per device,
 * and the differences a - b tested over the pairs with {@link PairedComparison} (a paired t-test from Commons Math).
 * This is how one asks whether one search setting beats another over seeds, not on one lucky seed.
 *
 * @param device     the device whose fronts are compared (accuracy against its first objective)
 * @param pairs      one entry per pair, in the order given
 * @param comparison the paired test of a - b over the pairs
 */
public record PairedFronts(String device, List<Pair> pairs, PairedComparison comparison) {

    /** One pair: the shared seed, both runs and their hypervolumes within the pair's bounds. */
    public record Pair(long seed, Path a, Path b, double aHypervolume, double bHypervolume) {
    }

    /**
     * Scores every pair and tests the differences, per device that every run has.
     *
     * @param a      the first arm's run directories
     * @param b      the second arm's, as many, pair i with the same seed as a's run i
     * @param margin the hypervolume reference point's distance beyond the pair's worst member, a share of each range
     * @param accuracy the accuracy the fronts are scored with
     * @return one comparison per device of the first run, in its order
     * @throws IllegalArgumentException when the arms differ in length, a pair's seeds differ, a run cannot be read
     *         or a pair's runs search different spaces (naming the runs)
     */
    public static List<PairedFronts> of(List<Path> a, List<Path> b, double margin, ComparePage.Accuracy accuracy) {
        if (a.size() != b.size()) {
            throw new IllegalArgumentException("--against needs as many run directories as are compared, paired in"
                    + " order: " + a.size() + " runs against " + b.size());
        }
        Map<String, List<Pair>> byDevice = new LinkedHashMap<>();
        Map<String, Integer> seen = new LinkedHashMap<>();
        for (int i = 0; i < a.size(); i++) {
            List<ComparePage.Scored> s = ComparePage.hypervolumes(List.of(a.get(i), b.get(i)), margin, accuracy);
            ComparePage.Scored x = s.get(0);
            ComparePage.Scored y = s.get(1);
            if (x.seed() != y.seed()) {
                throw new IllegalArgumentException("--against pairs runs of the same seed: " + a.get(i) + " has seed "
                        + x.seed() + ", " + b.get(i) + " has seed " + y.seed());
            }
            for (Map.Entry<String, Double> e : x.hypervolume().entrySet()) {
                Double other = y.hypervolume().get(e.getKey());
                if (other != null) {
                    byDevice.computeIfAbsent(e.getKey(), k -> new ArrayList<>())
                            .add(new Pair(x.seed(), a.get(i), b.get(i), e.getValue(), other));
                    seen.merge(e.getKey(), 1, Integer::sum);
                }
            }
        }
        List<PairedFronts> out = new ArrayList<>();
        byDevice.forEach((device, pairs) -> {
            if (pairs.size() == a.size()) { // a device some pair lacks is not compared
                out.add(new PairedFronts(device, List.copyOf(pairs),
                        PairedComparison.of(pairs.stream().map(Pair::aHypervolume).toList(),
                                pairs.stream().map(Pair::bHypervolume).toList())));
            }
        });
        if (out.isEmpty()) {
            throw new IllegalArgumentException("--against: no device is in every run of every pair with the same"
                    + " first objective; devices per pair: " + seen);
        }
        return out;
    }

    /** @return in how many pairs the first arm's hypervolume is the larger */
    public int aAhead() {
        return (int) pairs.stream().filter(p -> p.aHypervolume() > p.bHypervolume()).count();
    }

    /** @return in how many pairs the second arm's hypervolume is the larger */
    public int bAhead() {
        return (int) pairs.stream().filter(p -> p.bHypervolume() > p.aHypervolume()).count();
    }

    /** @return the JSON-ready figures: each pair, the counts ahead and the paired test */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("device", device);
        List<Map<String, Object>> ps = new ArrayList<>();
        for (Pair p : pairs) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("seed", p.seed());
            row.put("a", p.a().toString());
            row.put("b", p.b().toString());
            row.put("a_hypervolume", p.aHypervolume());
            row.put("b_hypervolume", p.bHypervolume());
            ps.add(row);
        }
        m.put("pairs", ps);
        m.put("a_ahead", aAhead());
        m.put("b_ahead", bAhead());
        m.put("paired", comparison.toMap("a - b hypervolume"));
        return m;
    }

    /** @return one line: the device, the counts ahead, the mean difference and the test */
    public String summary() {
        PairedComparison c = comparison;
        return String.format(Locale.ROOT, "%s: first arm ahead on %d of %d pairs (behind on %d), hypervolume mean"
                + " difference %+.4f (sd %.4f), paired t %.2f, p %.3g%s", device, aAhead(), pairs.size(), bAhead(),
                c.meanDifference(), c.sdDifference(), c.t(), c.p(), c.significant() ? " (significant at 0.05)" : "");
    }
}
