package io.hwnas.core.proxy;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.core.table.BenchmarkTable;
import io.hwnas.core.space.SearchSpace;
import io.hwnas.core.space.SearchSpaces;
import org.apache.commons.math3.stat.correlation.SpearmansCorrelation;
import org.junit.jupiter.api.Test;

/** Our synflow against NASLib's published synflow scores (shipped table, first 200 cifar10 rows). */
class SynflowNaslibTest {

    @Test
    void spearmanWithNaslibSynflowIsAtLeast095() {
        BenchmarkTable t = BenchmarkTable.shipped(BenchmarkTable.NASLIB_ZEROCOST);
        int ds = t.column("dataset");
        int arch = t.column("arch_str");
        int col = t.column("synflow");
        SearchSpace space = SearchSpaces.get("nb201");
        Synflow synflow = new Synflow();
        double[] ours = new double[200];
        double[] theirs = new double[200];
        int n = 0;
        for (int r = 0; r < t.size() && n < 200; r++) {
            if (!t.text(r, ds).equals("cifar10")) {
                continue;
            }
            ours[n] = synflow.score(space.network(space.parse(t.text(r, arch))), null, r);
            theirs[n] = t.number(r, col);
            n++;
        }
        assertTrue(n == 200, "rows " + n);
        double rho = new SpearmansCorrelation().correlation(ours, theirs);
        System.out.println("synflow spearman vs NASLib (200 cifar10 rows): " + rho);
        assertTrue(rho >= 0.95, "spearman " + rho);
    }
}
