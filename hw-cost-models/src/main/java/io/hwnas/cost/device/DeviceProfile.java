package io.hwnas.cost.device;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A target device: its kind, the cost model that suits it, and its numbers (each with a source)
 * and settings, as read from a JSON profile of the catalog or a user's file.
 *
 * @param name         the catalog name, e.g. {@code raspi4}
 * @param kind         cpu, gpu, npu or neuromorphic
 * @param description  one line on the device
 * @param defaultModel the cost-model name to use by default, e.g. {@code cpu}
 * @param numbers      named numbers with sources
 * @param settings     named text settings, e.g. {@code execution: eager}
 * @param origin       where the profile was read from (a resource or a file, plus calibrations)
 * @param unmeasured   numbers the profile marks as not measured (a {@code null} value with
 *                     {@code "measured": false}, e.g. power where the host exposes no counter), each
 *                     with why; they are not in {@code numbers}, and reading one fails naming why
 */
public record DeviceProfile(String name, DeviceKind kind, String description, String defaultModel,
        Map<String, Quantity> numbers, Map<String, String> settings, String origin, Map<String, String> unmeasured) {

    /** A profile whose numbers were all given. */
    public DeviceProfile(String name, DeviceKind kind, String description, String defaultModel,
            Map<String, Quantity> numbers, Map<String, String> settings, String origin) {
        this(name, kind, description, defaultModel, numbers, settings, origin, Map.of());
    }

    /** Numbers every profile of a kind must have (a missing one is an error naming the file and field). */
    public static List<String> requiredNumbers(DeviceKind kind) {
        List<String> out = new ArrayList<>();
        switch (kind) {
            case CPU -> out.addAll(List.of("peak_gflops", "bandwidth_gbs", "fixed_ms", "power_w", "memory_bytes",
                    "storage_bytes", "weight_factor"));
            case GPU -> out.addAll(List.of("peak_gflops", "bandwidth_gbs", "fixed_ms", "power_w", "memory_bytes",
                    "weight_factor"));
            case NPU -> out.addAll(List.of("array_rows", "array_cols", "clock_mhz", "buffer_bytes", "bandwidth_gbs",
                    "vector_ops_per_cycle", "e_mac8_pj", "e_mac32_pj", "e_rf_pj_per_byte", "e_buffer_pj_per_byte",
                    "e_dram_pj_per_byte", "static_power_w", "host_gflops", "fixed_ms", "memory_bytes"));
            case NEUROMORPHIC -> out.addAll(List.of("time_steps", "dt_us", "e_syn_pj", "e_neuron_pj", "e_spike_pj",
                    "e_hop_pj", "mean_hops", "static_power_w", "cores", "neurons_per_core", "synapses_per_core",
                    "max_fan_in", "weight_bits", "default_rate", "sops_per_us_per_core", "fixed_ms"));
        }
        if (kind != DeviceKind.NEUROMORPHIC) {
            out.add("eff_memory");
            for (KernelClass c : KernelClass.values()) {
                out.add("eff_" + c.id());
                out.add("overhead_us_" + c.id());
            }
        }
        return out;
    }

    public DeviceProfile {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(defaultModel, "defaultModel");
        description = description == null ? "" : description;
        origin = origin == null ? name : origin;
        numbers = Collections.unmodifiableMap(new TreeMap<>(numbers));
        settings = Collections.unmodifiableMap(new TreeMap<>(settings));
        unmeasured = Collections.unmodifiableMap(new TreeMap<>(unmeasured == null ? Map.of() : unmeasured));
        for (String f : unmeasured.keySet()) {
            if (numbers.containsKey(f)) {
                throw new IllegalArgumentException(origin + ": field numbers." + f + " is both given and not measured");
            }
        }
        for (String f : requiredNumbers(kind)) {
            if (!numbers.containsKey(f) && !unmeasured.containsKey(f)) {
                throw new IllegalArgumentException(origin + ": field numbers." + f + " is missing; a " + kind.id()
                        + " profile needs " + requiredNumbers(kind));
            }
        }
        for (String f : List.of("eff_memory", "peak_gflops", "bandwidth_gbs", "clock_mhz", "array_rows", "array_cols",
                "time_steps", "dt_us", "cores", "sops_per_us_per_core", "vector_ops_per_cycle", "host_gflops")) {
            Quantity q = numbers.get(f);
            if (q != null && q.value() <= 0) {
                throw new IllegalArgumentException(origin + ": field numbers." + f + " must be > 0, but was " + q.value());
            }
        }
        for (KernelClass c : KernelClass.values()) {
            Quantity q = numbers.get("eff_" + c.id());
            if (q != null && q.value() <= 0) {
                throw new IllegalArgumentException(origin + ": field numbers.eff_" + c.id() + " must be > 0, but was "
                        + q.value());
            }
        }
    }

    /**
     * A number of the profile.
     *
     * @throws IllegalArgumentException naming the profile and the field if it is missing
     */
    public double number(String field) {
        requireMeasured(field);
        Quantity q = numbers.get(field);
        if (q == null) {
            throw new IllegalArgumentException(origin + ": field numbers." + field + " is missing");
        }
        return q.value();
    }

    /**
     * A number, or {@code fallback} when the profile does not have it.
     *
     * @throws IllegalArgumentException if the profile marks the number as not measured: a value that is
     *                                  unknown is not replaced by a default
     */
    public double number(String field, double fallback) {
        requireMeasured(field);
        Quantity q = numbers.get(field);
        return q == null ? fallback : q.value();
    }

    /** True when the profile marks {@code field} as not measured ({@link #unmeasured}). */
    public boolean isUnmeasured(String field) {
        return unmeasured.containsKey(field);
    }

    private void requireMeasured(String field) {
        String why = unmeasured.get(field);
        if (why != null) {
            throw new IllegalArgumentException(origin + ": field numbers." + field + " was not measured (" + why
                    + "); nothing here can use it");
        }
    }

    /** A setting, or {@code fallback} when the profile does not have it. */
    public String setting(String key, String fallback) {
        return settings.getOrDefault(key, fallback);
    }

    /**
     * A setting that must be one of {@code allowed}, or {@code fallback} when the profile does not
     * have it; any other value fails naming the profile, the key, the value and what is allowed.
     */
    public String choice(String key, String fallback, String... allowed) {
        String v = setting(key, fallback);
        for (String a : allowed) {
            if (a.equals(v)) {
                return v;
            }
        }
        throw new IllegalArgumentException(origin + ": setting " + key + " = '" + v
                + "' is not allowed; expected one of " + java.util.Arrays.toString(allowed));
    }

    /** A copy with numbers replaced or added (e.g. fitted ones), each with its source. */
    public DeviceProfile withNumbers(Map<String, Quantity> replaced, String newOrigin) {
        Map<String, Quantity> m = new LinkedHashMap<>(numbers);
        m.putAll(replaced);
        Map<String, String> still = new LinkedHashMap<>(unmeasured);
        still.keySet().removeAll(replaced.keySet());
        return new DeviceProfile(name, kind, description, defaultModel, m, settings, newOrigin, still);
    }

    /** A copy with one number replaced. */
    public DeviceProfile withNumber(String field, double value, String source) {
        return withNumbers(Map.of(field, new Quantity(value, source)), origin);
    }

    /** A copy with one setting replaced. */
    public DeviceProfile withSetting(String key, String value) {
        Map<String, String> m = new LinkedHashMap<>(settings);
        m.put(key, value);
        return new DeviceProfile(name, kind, description, defaultModel, numbers, m, origin, unmeasured);
    }

    /** This profile with the fitted numbers of a calibration file applied (the profile file is untouched). */
    public DeviceProfile withCalibration(Path calibrationFile) {
        return withCalibration(Calibration.load(calibrationFile));
    }

    /**
     * This profile with the fitted numbers of {@code calibration} in place of its own.
     *
     * @throws IllegalArgumentException if the calibration is for another device
     */
    public DeviceProfile withCalibration(Calibration calibration) {
        if (!name.equals(calibration.device())) {
            throw new IllegalArgumentException("the calibration is for device '" + calibration.device() + "', not '"
                    + name + "'");
        }
        return withNumbers(calibration.numbers(), origin + " + calibration");
    }
}
