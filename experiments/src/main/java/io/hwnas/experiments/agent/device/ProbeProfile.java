package io.hwnas.experiments.agent.device;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hwnas.core.io.Json;
import io.hwnas.cost.GraphRewrites;
import io.hwnas.cost.ZeroLayers;
import java.util.List;

/** The JSON of a probed profile: the catalog's form, every number with {@code measured} and its source. */
final class ProbeProfile {

    /**
     * What ONNX Runtime does to hwnas's deployment export (all graph optimisations): it fuses convolutions with the
     * batch norms and activations after them, runs the zeros the export keeps, and computes a repeated pooling or
     * activation of the same input once.
     */
    static final GraphRewrites REWRITES = new GraphRewrites(true, ZeroLayers.SKIPPED_IN_SUMS, true);

    private ProbeProfile() {
    }

    static ObjectNode start(String name, JsonNode info, String url, String kernelsFile) {
        ObjectNode root = Json.object();
        root.put("name", name);
        root.put("kind", "cpu");
        root.put("description", "a device measured through the hwnas agent at " + url + " (" + info.path("cpus").asInt()
                + " CPUs, " + info.path("os_arch").asText("?") + ", " + info.path("threads").asInt()
                + " ONNX Runtime threads)");
        root.put("default_model", "cpu");
        root.putObject("numbers");
        ObjectNode s = root.putObject("settings");
        s.put("runtime", "onnxruntime");
        s.put("fuse", Boolean.toString(REWRITES.fuse()));
        s.put("fold_zero", REWRITES.zeros().setting());
        s.put("cse", Boolean.toString(REWRITES.cse()));
        s.put("measured_by", "hwnas device probe via " + url);
        s.put("measured_threads", Integer.toString(info.path("threads").asInt()));
        if (kernelsFile != null) {
            s.put("kernels", kernelsFile);
        }
        return root;
    }

    /** The numbers besides throughput, bandwidth and the fitted ones: memory, storage, power and start values. */
    static void defaults(ObjectNode n, JsonNode info, String when, List<DeviceProbe.Row> rows) {
        number(n, "memory_bytes", info.get("memory_bytes"), when + ": the device's physical memory, as the agent "
                + "reports it");
        number(n, "storage_bytes", info.get("storage_bytes"), when + ": the file system of the agent's working "
                + "directory");
        double watts = 0;
        for (DeviceProbe.Row r : rows) {
            if (!Double.isNaN(r.m().energyMj())) {
                watts = Math.max(watts, r.m().energyMj() / r.m().medianMs());
            }
        }
        if (watts > 0) {
            put(n, "power_w", watts, when + ": the highest mean power over a micro-benchmark's timed runs ("
                    + rows.get(0).m().energyNote() + ")", true);
        } else {
            unmeasured(n, "power_w", rows.get(0).m().energyNote() + "; energy on this profile is unknown");
        }
        unmeasured(n, "static_power_w", "device probe does not measure idle power");
        put(n, "fixed_ms", 0.05, "start value, replaced by the fit", false);
        put(n, "weight_factor", 1, "start value, replaced by the fit", false);
        put(n, "eff_memory", 1, "start value, replaced by the fit", false);
        for (String c : DeviceProbe.classes()) {
            put(n, "eff_" + c, c.equals("dense") || c.equals("pointwise") || c.equals("linear") ? 0.5 : 0.1,
                    "start value, replaced by the fit", false);
            put(n, "overhead_us_" + c, 5, "start value, replaced by the fit", false);
        }
    }

    private static void number(ObjectNode n, String field, JsonNode v, String source) {
        if (v != null && v.isNumber() && v.asDouble() > 0) {
            put(n, field, v.asDouble(), source, true);
        } else {
            unmeasured(n, field, "the agent does not report it");
        }
    }

    static void put(ObjectNode numbers, String field, double value, String source, boolean measured) {
        ObjectNode q = numbers.putObject(field);
        q.put("value", value);
        q.put("measured", measured);
        q.put("source", source);
    }

    static void unmeasured(ObjectNode numbers, String field, String reason) {
        ObjectNode q = numbers.putObject(field);
        q.putNull("value");
        q.put("measured", false);
        q.put("source", reason);
    }
}
