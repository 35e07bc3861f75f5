package io.hwnas.experiments.config;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reads and writes a device's {@code agent} section: the device measured through {@code hwnas agent}. */
final class AgentSection {

    private AgentSection() {
    }

    /** The section, or null when absent or when a problem was recorded. */
    static ExperimentConfig.Agent parse(Node n, Path base, int batch, Problems p) {
        if (!n.isObject()) {
            return null;
        }
        int before = p.all().size();
        n.allowOnly("url", "token_file", "calibrate_after", "retry_seconds", "warmup", "runs", "latency", "energy");
        String url = n.string("url", null, true);
        if (url != null && !isAgentUrl(url)) {
            p.notAllowed(n.path("url"), url, "an agent address http://HOST:PORT (as hwnas agent prints it)");
        }
        String token = n.string("token_file", null, true);
        Path tokenFile = token == null ? null : base.resolve(token).normalize();
        if (tokenFile != null && !Files.isRegularFile(tokenFile)) {
            p.notAllowed(n.path("token_file"), token, "a file holding the agent's token (" + tokenFile
                    + " does not exist or is not a file)");
        } else if (tokenFile != null && !Files.isReadable(tokenFile)) {
            p.notAllowed(n.path("token_file"), token, "a readable file (" + tokenFile + " cannot be read)");
        }
        Integer calibrateAfter = n.has("calibrate_after")
                ? Integer.valueOf((int) n.integer("calibrate_after", 0, 0, 1_000_000)) : null;
        int retry = (int) n.integer("retry_seconds", 30, 0, 86_400);
        int warmup = (int) n.integer("warmup", 3, 0, 1000);
        int runs = (int) n.integer("runs", 10, 1, 100_000);
        String latency = n.string("latency", "median", false);
        if (latency != null && !ExperimentConfig.Agent.STATISTICS.contains(latency)) {
            p.notAllowed(n.path("latency"), latency, "one of " + ExperimentConfig.Agent.STATISTICS);
        }
        String energy = n.string("energy", "model", false);
        if (energy != null && !ExperimentConfig.Agent.ENERGY.contains(energy)) {
            p.notAllowed(n.path("energy"), energy, "one of " + ExperimentConfig.Agent.ENERGY
                    + " (measured: the agent's energy counter, RAPL or INA3221)");
        }
        if (batch != 1) {
            p.notAllowed(n.path("").replaceAll("\\.$", ""), "batch " + batch, "batch 1: the agent times one sample "
                    + "per inference");
        }
        return p.all().size() > before ? null
                : new ExperimentConfig.Agent(url, tokenFile, calibrateAfter, retry, warmup, runs, latency,
                        energy);
    }

    private static boolean isAgentUrl(String url) {
        try {
            URI u = new URI(url);
            return "http".equals(u.getScheme()) && u.getHost() != null && u.getPort() > 0 && u.getUserInfo() == null
                    && (u.getPath() == null || u.getPath().isEmpty() || u.getPath().equals("/"))
                    && u.getQuery() == null && u.getFragment() == null;
        } catch (java.net.URISyntaxException e) {
            return false;
        }
    }

    /** Writes the section into a device's node (nothing when {@code a} is null). */
    static void write(ObjectNode device, ExperimentConfig.Agent a) {
        if (a == null) {
            return;
        }
        ObjectNode o = device.putObject("agent");
        o.put("url", a.url());
        o.put("token_file", a.tokenFile().toString());
        if (a.calibrateAfter() != null) {
            o.put("calibrate_after", a.calibrateAfter());
        }
        o.put("retry_seconds", a.retrySeconds());
        o.put("warmup", a.warmup());
        o.put("runs", a.runs());
        o.put("latency", a.latency());
        o.put("energy", a.energy());
    }
}
