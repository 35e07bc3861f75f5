package io.hwnas.experiments.cli;

import io.hwnas.core.io.Json;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hwnas.core.arch.Architecture;
import io.hwnas.core.ir.Network;
import io.hwnas.core.ir.Shape;
import io.hwnas.core.space.SearchSpace;
import io.hwnas.experiments.export.CompressionLayers;
import io.hwnas.cost.CostModel;
import io.hwnas.cost.CostModels;
import io.hwnas.cost.CostReport;
import io.hwnas.cost.LayerCost;
import io.hwnas.cost.Metric;
import io.hwnas.cost.device.DeviceCatalog;
import io.hwnas.cost.device.DeviceProfile;
import io.hwnas.cost.host.FiringRateProbe;
import io.hwnas.cost.neuromorphic.FiringRates;
import io.hwnas.cost.neuromorphic.NeuromorphicModel;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code hwnas cost}: latency, energy, memory and the per-layer breakdown of one architecture on a device. */
@Command(name = "cost", mixinStandardHelpOptions = true, subcommands = {CostValidateCommand.class},
        description = "Cost of an architecture on a device: latency, energy, memory, per-layer breakdown, feasibility.")
final class CostCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--space", description = "search space: nb201, fbnet, mobilenet")
    String space;

    @Option(names = "--option", paramLabel = "KEY=VALUE", description = "a space option, value in YAML syntax")
    List<String> options = List.of();

    @Option(names = "--arch", description = "the architecture string (or an NB201 index)")
    String arch;

    @Option(names = "--device", description = "a catalog device (see 'hwnas devices') or a profile JSON file")
    String device;

    @Option(names = "--input", description = "input shape CxHxW (default: the space's), e.g. 3x32x32")
    String input;

    @Option(names = "--classes", description = "number of classes (default: the space's), e.g. 10 for Fashion-MNIST")
    Integer classes;

    @Option(names = "--batch", defaultValue = "1", description = "samples per inference (default: ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--model", description = "cost model: cpu, gpu, npu, neuromorphic, table, lut, measured "
            + "(default: the device's)")
    String model;

    @Option(names = "--calibration", description = "a calibration file (from 'hwnas cost validate --write-calibration') "
            + "applied on top of the device profile")
    Path calibration;

    @Option(names = "--firing-rates", defaultValue = "default",
            description = "neuromorphic firing rates: default (the profile's) or measure (a seeded calibration batch "
                    + "through the DJL network)")
    String firingRates;

    @Option(names = "--rate-samples", defaultValue = "8", description = "calibration batch size for --firing-rates measure")
    int rateSamples;

    @Option(names = "--seed", defaultValue = "0", description = "seed of the calibration batch")
    long seed;

    @Option(names = "--json", description = "print one JSON object on stdout")
    boolean json;

    @Override
    public Integer call() {
        if (space == null || arch == null || device == null) {
            throw new UsageException("--space, --arch and --device are required (or use 'hwnas cost validate')");
        }
        if (batch <= 0) {
            throw new UsageException("--batch must be a positive integer, but was " + batch);
        }
        SpaceOptions so = new SpaceOptions();
        so.space = space;
        so.options = options;
        SearchSpace s = io.hwnas.core.space.compress.CompressedSpaces.forText(so.resolve(), arch);
        Architecture a = s.parse(arch);
        Shape in = input == null ? s.defaultInput() : Shape.parse(input);
        int k = classes == null ? s.defaultClasses() : classes;
        if (k <= 0) {
            throw new UsageException("--classes must be a positive integer, but was " + classes);
        }
        Network n = s.network(a, in, k);
        DeviceProfile d = profile(device, calibration);
        CostModel m = model == null ? CostModels.forDevice(d) : CostModels.get(model);
        if (!firingRates.equals("default") && !firingRates.equals("measure")) {
            throw new UsageException("--firing-rates '" + firingRates + "' is not allowed; expected one of [default, measure]");
        }
        if (firingRates.equals("measure")) {
            if (!(m instanceof NeuromorphicModel)) {
                throw new UsageException("--firing-rates measure needs the neuromorphic model, but the model is " + m.name());
            }
            FiringRates rates = FiringRateProbe.measure(n, rateSamples, seed, d.number("default_rate"));
            m = NeuromorphicModel.withRates(rates);
        }
        CostReport r = m.estimate(a, n, d, batch);
        report(r, s, a, n, m, d, CompressionLayers.of(s, a, in, k));
        return 0;
    }

    private void report(CostReport r, SearchSpace s, Architecture a, Network n, CostModel m, DeviceProfile d,
            java.util.Optional<List<CompressionLayers.Row>> layers) {
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ObjectNode o = toJson(r);
            o.put("space", s.name());
            o.put("arch", a.canonical());
            o.put("macs", n.macs());
            o.put("params", n.params());
            o.put("bit_ops", n.bitOps());
            layers.ifPresent(c -> o.set("compression",
                    CompressionLayers.json(c)));
            if (!r.energyKnown()) {
                o.put("energy_unknown", m.energyUnknown(d).orElse("the model gives no energy"));
            }
            Json.print(out, o);
        } else {
            layers.ifPresent(c -> CompressionLayers.print(out,
                    c));
            print(out, a, r);
            if (!r.energyKnown()) {
                out.printf("  (energy unknown: %s)%n", m.energyUnknown(d).orElse("the model gives no energy"));
                out.flush();
            }
        }
    }

    /** A catalog device or profile file, with a calibration file applied when given. */
    static DeviceProfile profile(String device, Path calibration) {
        DeviceProfile d = DeviceCatalog.get(device);
        return calibration == null ? d : d.withCalibration(calibration);
    }

    static ObjectNode toJson(CostReport r) {
        ObjectNode o = Json.object();
        o.put("device", r.device());
        o.put("model", r.model());
        o.put("batch", r.batch());
        o.put(Metric.LATENCY_MS.key(), r.latencyMs());
        putNumber(o, Metric.ENERGY_MJ.key(), r.energyMj());
        o.put(Metric.PEAK_MEMORY_BYTES.key(), r.peakMemoryBytes());
        o.put(Metric.MODEL_BYTES.key(), r.modelBytes());
        o.put("feasible", r.feasible());
        o.set("violations", Json.MAPPER.valueToTree(r.violations()));
        ObjectNode details = o.putObject("details");
        r.details().forEach((k, v) -> putNumber(details, k, v));
        ArrayNode layers = o.putArray("layers");
        for (LayerCost l : r.layers()) {
            ObjectNode j = layers.addObject();
            j.put("name", l.name());
            j.put("kind", l.kind().id());
            j.put("time_ms", l.timeMs());
            putNumber(j, Metric.ENERGY_MJ.key(), l.energyMj());
            j.put("bound", l.bound().name().toLowerCase(java.util.Locale.ROOT));
            if (!l.placement().isEmpty()) {
                j.put("placement", l.placement());
            }
        }
        return o;
    }

    /** A number, or null when it is unknown (NaN). */
    private static void putNumber(ObjectNode o, String field, double v) {
        if (Double.isNaN(v)) {
            o.putNull(field);
        } else {
            o.put(field, v);
        }
    }

    private static void print(PrintWriter out, Architecture a, CostReport r) {
        out.printf("%s  %s%ndevice %s, model %s, batch %d%n%n", a.space(), a.canonical(), r.device(), r.model(),
                r.batch());
        if (!r.layers().isEmpty()) {
            out.printf("%-60s %-16s %10s %10s %-8s%n", "kernel", "kind", "ms", "mJ", "bound");
            for (LayerCost l : r.layers()) {
                out.printf("%-60s %-16s %10.4f %10s %-8s%s%n", l.name(), l.kind().id(), l.timeMs(),
                        Double.isNaN(l.energyMj()) ? "unknown" : String.format(java.util.Locale.ROOT, "%.4f", l.energyMj()),
                        l.bound().name().toLowerCase(java.util.Locale.ROOT),
                        l.placement().isEmpty() ? "" : " " + l.placement());
            }
            out.println();
        }
        out.printf("latency      %.4f ms%n", r.latencyMs());
        out.printf(r.energyKnown() ? String.format(java.util.Locale.ROOT, "energy       %.4f mJ%n", r.energyMj())
                : "energy       unknown%n");
        for (java.util.Map.Entry<String, Double> e : r.details().entrySet()) {
            out.printf(java.util.Locale.ROOT, "  %-28s %.6g%n", e.getKey(), e.getValue());
        }
        out.printf("peak memory  %,d bytes%n", r.peakMemoryBytes());
        out.printf("model size   %,d bytes%n", r.modelBytes());
        out.printf("feasible     %s%n", r.feasible() ? "yes" : "no");
        for (String v : r.violations()) {
            out.printf("  violation: %s%n", v);
        }
        out.flush();
    }
}
