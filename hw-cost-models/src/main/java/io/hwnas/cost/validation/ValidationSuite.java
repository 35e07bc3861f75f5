package io.hwnas.cost.validation;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which catalog device each latency column of the shipped measurement tables was measured on, so
 * that {@code hwnas cost validate --column all} can validate a whole table.
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
}
