package io.hwnas.experiments.run;

import io.hwnas.experiments.setup.RunSetup;
import io.hwnas.experiments.evaluate.DeviceTarget;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hwnas.experiments.config.ConfigWriter;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/** Writes {@code manifest.json}: what produced a run, so that it can be reproduced. */
final class Manifest {

    static final String FILE = "manifest.json";

    private Manifest() {
    }

    static void write(RunSetup setup, Path dir) throws IOException {
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode o = json.createObjectNode();
        o.put("hwnas_version", version());
        o.put("git_commit", gitCommit());
        o.put("seed", setup.config().seed());
        o.put("config_hash", "sha256:" + ConfigWriter.hash(setup.config()));
        o.set("config", RunIdentity.normalised(setup.config()));
        ObjectNode devices = o.putObject("devices");
        for (DeviceTarget d : setup.devices()) {
            ObjectNode n = devices.putObject(d.name());
            n.put("description", d.description());
            d.hashes().forEach(n::put);
        }
        ObjectNode executor = o.putObject("executor");
        executor.put("name", setup.config().executor().name());
        if (setup.config().executor().name().equals("slurm")) {
            executor.put("cluster", slurmCluster(SCONTROL_SHOW_CONFIG));
        }
        o.put("java_version", System.getProperty("java.version"));
        o.put("java_vendor", System.getProperty("java.vendor"));
        o.put("djl_version", property("/pytorch-engine.properties", "djl_version"));
        o.put("pytorch_version", property("/native/lib/pytorch.properties", "version") + " ("
                + property("/native/lib/pytorch.properties", "flavor") + ")");
        o.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        o.put("cpus", Runtime.getRuntime().availableProcessors());
        o.put("host", host());
        o.put("created", Instant.now().toString());
        io.hwnas.core.io.AtomicFiles.writeString(dir.resolve(FILE), json.writeValueAsString(o));
    }

    /** The command whose output names the Slurm cluster ({@code ClusterName = ...}); needs no accounting database. */
    static final java.util.List<String> SCONTROL_SHOW_CONFIG = java.util.List.of("scontrol", "show", "config");
    private static final java.util.regex.Pattern CLUSTER_NAME =
            java.util.regex.Pattern.compile("(?m)^\\s*ClusterName\\s*=\\s*(\\S+)\\s*$");

    /**
     * The Slurm cluster's name from {@code command}'s output ({@code scontrol show config}), or
     * "unknown" when the command is missing, fails, times out or names no cluster.
     */
    static String slurmCluster(java.util.List<String> command) {
        Path out = null;
        try {
            out = Files.createTempFile("hwnas-scontrol", ".txt");
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            p.getOutputStream().close();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "unknown";
            }
            java.util.regex.Matcher m = CLUSTER_NAME.matcher(Files.readString(out, StandardCharsets.UTF_8));
            return p.exitValue() == 0 && m.find() ? m.group(1) : "unknown";
        } catch (IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        } finally {
            if (out != null) {
                out.toFile().delete();
            }
        }
    }

    static String version() {
        String v = Manifest.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    /** A property of a properties file on the class path (the DJL engine's and the native library's). */
    private static String property(String res, String key) {
        try (InputStream in = Manifest.class.getResourceAsStream(res)) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty(key, "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** The commit of the hwnas checkout the code runs from, or "unknown" outside a git checkout. */
    static String gitCommit() {
        try {
            Path code = Path.of(Manifest.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Process p = new ProcessBuilder("git", "rev-parse", "HEAD")
                    .directory((Files.isDirectory(code) ? code : code.getParent()).toFile())
                    .redirectErrorStream(true).start();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "unknown";
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return p.exitValue() == 0 && out.matches("[0-9a-f]{40}") ? out : "unknown";
        } catch (Exception e) {
            return "unknown";
        }
    }
}
