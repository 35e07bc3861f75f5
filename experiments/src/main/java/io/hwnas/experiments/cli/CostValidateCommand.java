package io.hwnas.experiments.cli;

import io.hwnas.core.io.Json;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hwnas.core.space.SearchSpace;
import io.hwnas.cost.CostModel;
import io.hwnas.cost.CostModels;
import io.hwnas.cost.GraphRewrites;
import io.hwnas.cost.device.DeviceProfile;
import io.hwnas.cost.table.Measurements;
import io.hwnas.cost.validation.ColumnValidation;
import io.hwnas.cost.validation.TableValidation;
import io.hwnas.cost.validation.Validation;
import io.hwnas.cost.validation.ValidationResult;
import io.hwnas.cost.validation.ValidationSuite;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code hwnas cost validate}: calibrate on the first N rows of a seeded shuffle of measurements,
 * score the held-out rest against the model and against FLOPs.
 */
@Command(name = "validate", mixinStandardHelpOptions = true,
        description = "Validate a cost model against measured latencies on held-out rows (with FLOPs as baseline).")
final class CostValidateCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    SpaceOptions space;

    @Option(names = "--device", description = "catalog device or profile file (default: inferred from the column name)")
    String device;

    @Mixin
    AgentOptions agent;

    @Option(names = "--sample", description = "with --agent: held-out architectures measured (besides --calibrate)")
    Integer sample;

    @Option(names = "--runs", defaultValue = "15", description = "with --agent: timed runs per network (default: ${DEFAULT-VALUE})")
    int runs;

    @Option(names = "--rounds", defaultValue = "1", description = "with --agent: measure the sample this many "
            + "times, round-robin, and keep each network's median (default: ${DEFAULT-VALUE})")
    int rounds;

    @Option(names = "--latency", defaultValue = "median", description = "with --agent: median, p10 or cpu "
            + "(default: ${DEFAULT-VALUE}; see device probe)")
    String latency;

    @Option(names = "--write-measurements", description = "with --agent: write the measured latencies (CSV) here")
    Path writeMeasurements;

    @Option(names = "--kernel-table", description = "with --agent: also score the kernel-table predictor; the "
            + "device's table of per-kernel times (signature,ms), read if present, kernels it lacks measured and added")
    Path kernelTable;

    @Option(names = "--measurements",
            description = "CSV or CSV.gz file, or a shipped table name such as hw_nas_bench_nb201.csv.gz")
    String measurements;

    @Option(names = "--column", description = "the latency column, or 'all' for every latency column")
    String column;

    @Option(names = "--arch-column", defaultValue = "arch_str", description = "the architecture column (default: ${DEFAULT-VALUE})")
    String archColumn;

    @Option(names = "--batch", description = "batch size of the measurements (default: the column's _N suffix, else 1)")
    Integer batch;

    @Option(names = "--calibrate", defaultValue = "50", description = "rows used to calibrate (default: ${DEFAULT-VALUE})")
    int calibrate;

    @Option(names = "--seed", defaultValue = "0", description = "shuffle seed (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--repeat", defaultValue = "1", description = "run seeds seed..seed+R-1 and report means")
    int repeat;

    @Option(names = "--model", description = "cost model (default: the device's)")
    String model;

    @Option(names = "--calibration", description = "a calibration file applied to the profile before validating")
    Path calibration;

    @Option(names = "--write-calibration", description = "write the fitted calibration (of the first seed) to this file")
    Path writeCalibration;

    @Option(names = "--json", description = "print one JSON object on stdout")
    boolean json;

    @Override
    public Integer call() {
        if (calibrate < 0) {
            throw new UsageException("--calibrate must be >= 0, but was " + calibrate);
        }
        if (repeat <= 0) {
            throw new UsageException("--repeat must be positive, but was " + repeat);
        }
        if (batch != null && batch <= 0) {
            throw new UsageException("--batch must be a positive integer, but was " + batch);
        }
        SearchSpace s = space.resolve();
        if (agent.given()) {
            return AgentValidateCommand.run(this, s);
        }
        if (kernelTable != null) {
            throw new UsageException("--kernel-table " + kernelTable
                    + " needs --agent (the kernels are measured there)");
        }
        if (rounds != 1) {
            throw new UsageException("--rounds " + rounds + " needs --agent (measurements from --measurements are "
                    + "already taken)");
        }
        if (measurements == null || column == null) {
            throw new UsageException("--measurements and --column are required (or --agent, --token-file and --sample)");
        }
        List<String> columns = column.equals("all")
                ? ValidationSuite.latencyColumns(Measurements.table(measurements).columns()) : List.of(column);
        Map<String, Validation> compiled = new LinkedHashMap<>();
        PrintWriter out = spec.commandLine().getOut();
        List<ColumnValidation> results = new ArrayList<>();
        for (String c : columns) {
            ColumnValidation v = validate(s, c, columns.size() == 1, compiled);
            results.add(v);
            if (!json) {
                ValidationResult first = v.first();
                out.printf("%-16s %-18s batch %-4d n_cal %-4d n_test %-6d spearman %.3f kendall %.3f mape %6.1f%% "
                        + "within10 %.3f | flops spearman %.3f kendall %.3f%n", c, first.device(), first.batch(),
                        calibrate, first.nTest(), v.spearman(), v.kendall(), v.mape(), v.within10(), v.flopsSpearman(),
                        v.flopsKendall());
            }
        }
        if (columns.size() == 1) {
            if (json) {
                Json.print(out, json(results.get(0)));
            }
            return 0;
        }
        TableValidation table = new TableValidation(results);
        if (json) {
            Json.print(out, json(table));
        } else {
            out.printf("mean spearman %.3f, min %.3f, better than FLOPs on %d of %d columns%n", table.meanSpearman(),
                    table.minSpearman(), table.betterThanFlops(), columns.size());
            out.flush();
        }
        return 0;
    }

    /**
     * Validates one column over the seeds; {@code compiled} keeps the networks compiled per fusing
     * setting across columns. With {@code only}, writes the first seed's calibration if asked to.
     */
    private ColumnValidation validate(SearchSpace s, String c, boolean only, Map<String, Validation> compiled) {
        String dev = device != null ? device : ValidationSuite.deviceFor(c);
        DeviceProfile d = CostCommand.profile(dev, calibration);
        CostModel m = model == null ? CostModels.forDevice(d) : CostModels.get(model);
        Measurements meas = Measurements.read(measurements, c, archColumn);
        String key = GraphRewrites.of(d).toString();
        Validation v = compiled.get(key);
        v = v == null ? new Validation(s, meas, GraphRewrites.of(d))
                : v.withMeasurements(meas);
        compiled.put(key, v);
        int b = batch != null ? batch : Measurements.batchOf(c);
        List<ValidationResult> runs = new ArrayList<>();
        for (int k = 0; k < repeat; k++) {
            runs.add(v.run(m, d, b, calibrate, seed + k));
        }
        if (writeCalibration != null && runs.get(0).calibration() != null && only) {
            runs.get(0).calibration().write(writeCalibration);
        }
        return new ColumnValidation(meas.source(), runs);
    }

    private static ObjectNode json(TableValidation table) {
        ObjectNode root = Json.object();
        ArrayNode list = root.putArray("columns");
        table.columns().forEach(c -> list.add(json(c)));
        root.put("mean_spearman", table.meanSpearman());
        root.put("min_spearman", table.minSpearman());
        root.put("better_than_flops", table.betterThanFlops());
        root.put("n_columns", table.columns().size());
        return root;
    }

    static ObjectNode json(ColumnValidation v) {
        ValidationResult first = v.first();
        ObjectNode o = Json.object();
        o.put("device", first.device());
        o.put("model", first.model());
        o.put("measurements", v.measurements());
        o.put("column", first.column());
        o.put("batch", first.batch());
        o.put("seed", first.seed());
        o.put("seeds", v.runs().size());
        o.put("n_calibrate", first.nCalibrate());
        o.put("n_test", first.nTest());
        o.put("spearman", v.spearman());
        o.put("kendall", v.kendall());
        o.put("mape", v.mape());
        o.put("within10", v.within10());
        o.put("flops_spearman", v.flopsSpearman());
        o.put("flops_kendall", v.flopsKendall());
        if (v.runs().size() > 1) {
            ArrayNode per = o.putArray("runs");
            for (ValidationResult r : v.runs()) {
                ObjectNode j = per.addObject();
                j.put("seed", r.seed());
                j.put("spearman", r.spearman());
                j.put("kendall", r.kendall());
                j.put("mape", r.mape());
                j.put("within10", r.within10());
                j.put("flops_spearman", r.flopsSpearman());
                j.put("flops_kendall", r.flopsKendall());
            }
        }
        return o;
    }
}
