package io.hwnas.experiments.agent;

/** The query of {@code POST /v1/measure}: {@code warmup} (default 5) and {@code runs} (default 30). */
final class Query {

    static final int WARMUP = 5;
    static final int RUNS = 30;

    private Query() {
    }

    /**
     * {warmup, runs} from a raw query string.
     *
     * @throws IllegalArgumentException naming the parameter and what is allowed
     */
    static int[] counts(String raw, int maxRuns) {
        int[] out = {WARMUP, RUNS};
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String kv : raw.split("&")) {
            int eq = kv.indexOf('=');
            String k = eq < 0 ? kv : kv.substring(0, eq);
            String v = eq < 0 ? "" : kv.substring(eq + 1);
            int i = switch (k) {
                case "warmup" -> 0;
                case "runs" -> 1;
                default -> throw new IllegalArgumentException("unknown query parameter '" + k + "'; allowed: warmup, "
                        + "runs");
            };
            int n;
            try {
                n = Integer.parseInt(v);
            } catch (NumberFormatException e) {
                n = -1;
            }
            if (n < (i == 0 ? 0 : 1) || n > maxRuns) {
                throw new IllegalArgumentException("query parameter " + k + " = '" + v + "' must be an integer in "
                        + (i == 0 ? 0 : 1) + ".." + maxRuns);
            }
            out[i] = n;
        }
        return out;
    }
}
