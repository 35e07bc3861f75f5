package io.hwnas.experiments.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hwnas.core.arch.Architecture;
import io.hwnas.core.ir.Network;
import io.hwnas.core.io.Json;
import io.hwnas.core.space.SearchSpace;
import io.hwnas.cost.CostModel;
import io.hwnas.cost.CostModels;
import io.hwnas.cost.GraphRewrites;
import io.hwnas.cost.device.DeviceProfile;
import io.hwnas.cost.table.Lut;
import io.hwnas.cost.table.Measurements;
import io.hwnas.cost.validation.ColumnValidation;
import io.hwnas.cost.validation.KernelTableValidation;
import io.hwnas.cost.validation.Validation;
import io.hwnas.cost.validation.ValidationResult;
import io.hwnas.experiments.agent.AgentClient;
import io.hwnas.experiments.agent.device.AgentSample;
import io.hwnas.experiments.agent.device.KernelTables;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code cost validate --agent}: measures a seeded sample of {@code --calibrate} + {@code --sample}
 * architectures on the agent, calibrates the device's model on the first {@code --calibrate} of a seeded
 * shuffle and scores the held-out rest (the protocol of {@link Validation}).
 */
final class AgentValidateCommand {

    private AgentValidateCommand() {
    }

    private static void print(PrintWriter out, Measurements meas, ValidationResult r) {
        out.printf("%-16s %-18s %-12s n_cal %-4d n_test %-6d spearman %.3f kendall %.3f mape %6.1f%% within10 %.3f | "
                + "flops spearman %.3f%n", meas.source(), r.device(), r.model(), r.nCalibrate(), r.nTest(),
                r.spearman(), r.kendall(), r.mape(), r.within10(), r.flopsSpearman());
    }

    /** Measures the kernels of every sampled network the table lacks, then fits and scores the table's predictor. */
    private static KernelTableValidation.Result kernelTable(CostValidateCommand c, SearchSpace s,
            List<Architecture> archs, Measurements meas, AgentClient client, PrintWriter err, Lut known,
            String device) {
        List<Network> nets = new ArrayList<>();
        for (Architecture a : archs) {
            nets.add(s.network(a));
        }
        Lut table = KernelTables.fill(c.kernelTable, known, nets, client, 3, c.runs, c.latency, line -> {
            err.println("measured " + line);
            err.flush();
        });
        return KernelTableValidation.run(s, meas, table, device, c.calibrate, c.seed);
    }

    static int run(CostValidateCommand c, SearchSpace s) {
        if (c.sample == null || c.sample < 2) {
            throw new UsageException("--sample must be at least 2 with --agent, but was " + c.sample);
        }
        if (c.device == null) {
            throw new UsageException("--device is required with --agent (a catalog name or a profile file, e.g. one "
                    + "written by hwnas device probe)");
        }
        if (!io.hwnas.experiments.agent.Measurement.STATISTICS.contains(c.latency)) {
            throw new UsageException("--latency '" + c.latency + "' is not one of "
                    + io.hwnas.experiments.agent.Measurement.STATISTICS);
        }
        if (c.runs <= 0 || c.repeat != 1) {
            throw new UsageException("--runs must be positive and --repeat 1 with --agent");
        }
        if (c.rounds < 1 || c.rounds > 20) {
            throw new UsageException("--rounds must be in 1..20, but was " + c.rounds);
        }
        if (c.kernelTable != null && c.calibrate < 4) {
            throw new UsageException("--kernel-table needs --calibrate of at least 4, but was " + c.calibrate);
        }
        DeviceProfile d = CostCommand.profile(c.device, c.calibration);
        CostModel m = c.model == null ? CostModels.forDevice(d) : CostModels.get(c.model);
        AgentClient client = c.agent.client();
        PrintWriter err = c.spec.commandLine().getErr();
        Lut table = c.kernelTable == null ? null : KernelTables.read(c.kernelTable);
        List<Architecture> archs = AgentSample.draw(s, c.calibrate + c.sample, c.seed);
        Measurements meas = AgentSample.measure(s, archs, client, 3, c.runs, c.rounds, c.latency, line -> {
            err.println("measured " + line);
            err.flush();
        });
        if (c.writeMeasurements != null) {
            try {
                AgentSample.write(meas, c.writeMeasurements);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + c.writeMeasurements, e);
            }
        }
        Validation v = new Validation(s, meas, GraphRewrites.of(d));
        ValidationResult r = v.run(m, d, 1, c.calibrate, c.seed);
        if (c.writeCalibration != null && r.calibration() != null) {
            r.calibration().write(c.writeCalibration);
        }
        ColumnValidation cv = new ColumnValidation(meas.source(), List.of(r));
        KernelTableValidation.Result kt = table == null ? null
                : kernelTable(c, s, archs, meas, client, err, table, d.name());
        report(c, meas, cv, kt);
        return 0;
    }

    private static void report(CostValidateCommand c, Measurements meas, ColumnValidation cv,
            KernelTableValidation.Result kt) {
        PrintWriter out = c.spec.commandLine().getOut();
        if (c.json) {
            ObjectNode o = CostValidateCommand.json(cv);
            if (kt != null) {
                ObjectNode k = CostValidateCommand.json(new ColumnValidation(meas.source(), List.of(kt.validation())));
                k.put("kernel_table", c.kernelTable.toString());
                k.put("fit", kt.fit().toString());
                o.set("kernel_table", k);
            }
            Json.print(out, o);
        } else {
            print(out, meas, cv.first());
            if (kt != null) {
                print(out, meas, kt.validation());
                out.println("kernel table " + c.kernelTable + ": " + kt.fit());
            }
            out.flush();
        }
    }
}
