package io.hwnas.cost.validation;

import io.hwnas.core.space.SearchSpace;
import io.hwnas.core.space.SearchSpaces;
import io.hwnas.cost.CostModel;
import io.hwnas.cost.CostModels;
import io.hwnas.cost.device.DeviceCatalog;
import io.hwnas.cost.device.DeviceProfile;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Validates every latency column of a measurement table against the catalog device it was measured
 * on, over several seeds: the data behind the validation table of the cost models.
 */
public final class ValidationSuite {

    private static final Map<String, String> DEVICES = new LinkedHashMap<>();

    static {
        DEVICES.put("raspi4", "raspi4");
        DEVICES.put("pixel3", "pixel3");
        DEVICES.put("eyeriss", "eyeriss");
        DEVICES.put("fpga", "fpga");
        DEVICES.put("1080ti", "gtx-1080ti");
        DEVICES.put("2080ti", "rtx-2080ti");
        DEVICES.put("titan_rtx", "titan-rtx");
        DEVICES.put("titanxp", "titan-xp");
        DEVICES.put("titanx", "titan-x");
        DEVICES.put("essential_ph", "essential-ph1");
        DEVICES.put("gold_6226", "xeon-gold-6226");
        DEVICES.put("gold_6240", "xeon-gold-6240");
        DEVICES.put("silver_4114", "xeon-silver-4114");
        DEVICES.put("silver_4210r", "xeon-silver-4210r");
        DEVICES.put("pixel2", "pixel2");
        DEVICES.put("samsung_a50", "samsung-a50");
        DEVICES.put("samsung_s7", "samsung-s7");
        DEVICES.put("h100", "h100");
        DEVICES.put("h200", "h200");
    }

    private ValidationSuite() {
    }

    /**
     * The catalog device a column of the shipped tables was measured on (e.g. {@code titan_rtx_256}
     * -> {@code titan-rtx}).
     *
     * @throws IllegalArgumentException if no catalog device matches
     */
    public static String deviceFor(String column) {
        String best = null;
        for (String prefix : DEVICES.keySet()) {
            if (column.startsWith(prefix) && (best == null || prefix.length() > best.length())) {
                best = prefix;
            }
        }
        if (best == null) {
            throw new IllegalArgumentException("no catalog device for column '" + column + "'; pass --device");
        }
        return DEVICES.get(best);
    }

    /** The latency columns of a table (all but the key columns). */
    public static List<String> latencyColumns(List<String> header) {
        List<String> out = new ArrayList<>();
        for (String c : header) {
            if (!List.of("dataset", "arch_index", "arch_str", "sample_id", "op_idx_list", "block_str").contains(c)) {
                out.add(c);
            }
        }
        return out;
    }

    /**
     * Runs the protocol for every latency column of {@code table}.
     *
     * @return one list of results (one per seed) per column
     */
    public static Map<String, List<ValidationResult>> run(String space, String table, String archColumn, int calibrate,
            int seeds) {
        SearchSpace s = SearchSpaces.get(space);
        List<String> columns = latencyColumns(Measurements.table(table).columns());
        Map<String, List<ValidationResult>> out = new LinkedHashMap<>();
        Map<String, Validation> compiled = new LinkedHashMap<>();
        for (String column : columns) {
            DeviceProfile d = DeviceCatalog.get(deviceFor(column));
            CostModel model = CostModels.forDevice(d);
            Measurements m = Measurements.read(table, column, archColumn);
            String key = io.hwnas.cost.AnalyticalModel.fuses(d) + "/" + io.hwnas.cost.AnalyticalModel.foldsZero(d);
            Validation v = compiled.get(key);
            if (v == null || !v.measurements().archs().equals(m.archs())) {
                v = new Validation(s, m, io.hwnas.cost.AnalyticalModel.fuses(d), io.hwnas.cost.AnalyticalModel.foldsZero(d));
                compiled.put(key, v);
            }
            Validation w = v.withMeasurements(m);
            List<ValidationResult> rs = new ArrayList<>();
            for (int seed = 0; seed < seeds; seed++) {
                rs.add(w.run(model, d, Measurements.batchOf(column), calibrate, seed));
            }
            out.put(column, rs);
        }
        return out;
    }

    /** Prints a table of means over seeds: {@code space table archColumn calibrate seeds}. */
    public static void main(String[] args) {
        Map<String, List<ValidationResult>> r = run(args[0], args[1], args[2], Integer.parseInt(args[3]),
                Integer.parseInt(args[4]));
        double sum = 0;
        int better = 0;
        double min = 1;
        System.out.printf("%-16s %-18s %5s %8s %8s %8s %8s %8s %8s%n", "column", "device", "batch", "spearman",
                "kendall", "mape%", "within10", "flops_sp", "flops_kt");
        for (Map.Entry<String, List<ValidationResult>> e : r.entrySet()) {
            List<ValidationResult> rs = e.getValue();
            double sp = rs.stream().mapToDouble(ValidationResult::spearman).average().orElse(0);
            double kt = rs.stream().mapToDouble(ValidationResult::kendall).average().orElse(0);
            double mape = rs.stream().mapToDouble(ValidationResult::mape).average().orElse(0);
            double w10 = rs.stream().mapToDouble(ValidationResult::within10).average().orElse(0);
            double fs = rs.stream().mapToDouble(ValidationResult::flopsSpearman).average().orElse(0);
            double fk = rs.stream().mapToDouble(ValidationResult::flopsKendall).average().orElse(0);
            System.out.printf("%-16s %-18s %5d %8.3f %8.3f %8.1f %8.3f %8.3f %8.3f%n", e.getKey(), rs.get(0).device(),
                    rs.get(0).batch(), sp, kt, mape, w10, fs, fk);
            sum += sp;
            min = Math.min(min, sp);
            better += sp > fs ? 1 : 0;
        }
        System.out.printf("mean spearman %.3f, min %.3f, better than FLOPs on %d of %d%n", sum / r.size(), min, better,
                r.size());
    }
}
