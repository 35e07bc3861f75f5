package io.hwnas.experiments.agent.device;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hwnas.core.io.Json;
import io.hwnas.cost.KernelPlan;
import io.hwnas.cost.calibration.Calibrator;
import io.hwnas.cost.cpu.CpuModel;
import io.hwnas.cost.device.Calibration;
import io.hwnas.cost.device.DeviceCatalog;
import io.hwnas.cost.device.DeviceProfile;
import io.hwnas.cost.device.KernelClass;
import io.hwnas.cost.device.Quantity;
import io.hwnas.experiments.agent.AgentClient;
import io.hwnas.experiments.agent.Measurement;
import io.hwnas.experiments.export.LayerWeights;
import io.hwnas.experiments.export.OnnxExporter;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * {@code device probe}: times every micro-benchmark of {@link ProbeKernels} on an agent, takes the peak
 * throughput from the best convolution or GEMM and the bandwidth from the best large element-wise pass,
 * then fits the {@code cpu} model's per-class efficiencies and overheads, memory efficiency and fixed
 * time to all kernels' latencies with the project's {@link Calibrator}; the result is a {@code cpu}
 * device profile in the catalog's form whose numbers each say whether they were measured, and a
 * per-kernel table.
 */
public final class DeviceProbe {

    /** One kernel as measured: its plan at batch 1 (fused as ONNX Runtime runs it), ops, bytes and the answer. */
    public record Row(ProbeKernels.Probe probe, KernelPlan plan, double ops, double bytes, Measurement m,
            double ms) {
        public double gflops() {
            return ops / ms / 1e6;
        }

        public double gbs() {
            return bytes / ms / 1e6;
        }
    }

    /** The profile (JSON and loaded), the fit and the rows. */
    public record Result(ObjectNode json, DeviceProfile profile, Calibration fit, List<Row> rows, double peakGflops,
            double bandwidthGbs) {
    }

    private DeviceProbe() {
    }

    /** The ONNX bytes of a network with seeded random weights (what the agent times). */
    public static byte[] onnx(io.hwnas.core.ir.Network net) {
        return OnnxExporter.folding().export(net, LayerWeights.random(net, 0), Map.of()).toByteArray();
    }

    /** Measures every probe on the agent (progress: one line per kernel). */
    public static List<Row> measure(AgentClient agent, List<ProbeKernels.Probe> probes, int warmup, int runs,
            String statistic, Consumer<String> progress) {
        List<Row> rows = new ArrayList<>();
        for (ProbeKernels.Probe p : probes) {
            KernelPlan plan = KernelPlan.of(p.network(), ProbeProfile.REWRITES);
            double ops = 0;
            double bytes = 0;
            for (int i = 0; i < plan.distinct(); i++) {
                ops += plan.count(i) * plan.kernel(i).ops();
                bytes += plan.count(i) * (plan.kernel(i).activationBytes(1, 32) + plan.kernel(i).weightBytes(32));
            }
            Measurement m = agent.measure(onnx(p.network()), warmup, runs);
            Row r = new Row(p, plan, ops, bytes, m, m.latency(statistic));
            rows.add(r);
            progress.accept(String.format(Locale.ROOT, "%-36s median %8.3f ms (p10 %.3f, p90 %.3f, %d runs) %7.2f "
                    + "GFLOPS %7.2f GB/s (%s)", p.name(), m.medianMs(), m.p10Ms(), m.p90Ms(), m.runs(), r.gflops(), r.gbs(),
                    statistic));
        }
        return rows;
    }

    /** Fits the profile to the rows; {@code info} is the agent's {@code /v1/info}. */
    public static Result fit(List<Row> rows, JsonNode info, String name, String url, String kernelsFile,
            String statistic) {
        double peak = 0;
        double bw = 0;
        for (Row r : rows) {
            String k = r.probe().kernel();
            if (k.equals("conv") || k.equals("pointwise") || k.equals("gemm")) {
                peak = Math.max(peak, r.gflops());
            } else if (k.equals("elementwise")) {
                bw = Math.max(bw, r.gbs());
            }
        }
        if (!(peak > 0) || !(bw > 0)) {
            throw new IllegalArgumentException("the probe needs convolution or GEMM kernels and element-wise kernels");
        }
        String when = "measured by hwnas device probe on " + url + " at " + Instant.now();
        ObjectNode json = ProbeProfile.start(name, info, url, kernelsFile);
        ((ObjectNode) json.get("settings")).put("latency", statistic);
        ObjectNode n = (ObjectNode) json.get("numbers");
        ProbeProfile.put(n, "peak_gflops", peak, when + ": best fp32 convolution or GEMM of " + rows.size()
                + " micro-benchmarks in ONNX Runtime (" + statistic + " latency)", true);
        ProbeProfile.put(n, "bandwidth_gbs", bw, when + ": best large element-wise pass (relu + add; bytes read and "
                + "written over the median time)", true);
        ProbeProfile.defaults(n, info, when, rows);
        DeviceProfile base = DeviceCatalog.parse(json, name + " (device probe)");
        List<KernelPlan> plans = new ArrayList<>();
        double[] y = new double[rows.size()];
        for (int i = 0; i < y.length; i++) {
            plans.add(rows.get(i).plan());
            y[i] = rows.get(i).ms();
        }
        CpuModel model = new CpuModel();
        Calibration cal = Calibrator.fit(model, base, plans, y, 1, rows.size() + " micro-benchmarks on " + url);
        for (Map.Entry<String, Quantity> e : cal.numbers().entrySet()) {
            ProbeProfile.put(n, e.getKey(), e.getValue().value(), when + ": fitted (cpu model) to the median "
                    + "latencies of " + rows.size() + " micro-benchmarks", true);
        }
        DeviceProfile fitted = DeviceCatalog.parse(json, name + " (device probe)");
        return new Result(json, fitted, cal, rows, peak, bw);
    }

    /** Writes the per-kernel table: one line per micro-benchmark, every latency measured on the agent. */
    public static void writeKernels(List<Row> rows, Path file) throws IOException {
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write("kernel,name,ops,bytes,median_ms,p10_ms,p90_ms,cpu_median_ms,runs,gflops,gbs,energy_mj,measured\n");
            for (Row r : rows) {
                Measurement m = r.m();
                w.write(String.format(Locale.ROOT, "%s,%s,%.0f,%.0f,%.6f,%.6f,%.6f,%.6f,%d,%.4f,%.4f,%s,true%n",
                        r.probe().kernel(), r.probe().name(), r.ops(), r.bytes(), m.medianMs(), m.p10Ms(), m.p90Ms(),
                        m.cpuMedianMs(),
                        m.runs(), r.gflops(), r.gbs(), Double.isNaN(m.energyMj()) ? "" : Double.toString(m.energyMj())));
            }
        }
    }

    /** Writes the profile JSON. */
    public static void writeProfile(ObjectNode json, Path file) throws IOException {
        Files.writeString(file, Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(json) + "\n");
    }

    static List<String> classes() {
        List<String> out = new ArrayList<>();
        for (KernelClass c : KernelClass.values()) {
            out.add(c.id());
        }
        return out;
    }
}
