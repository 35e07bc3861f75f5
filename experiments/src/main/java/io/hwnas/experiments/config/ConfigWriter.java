package io.hwnas.experiments.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Writes the resolved config (every default filled in, paths absolute) in the loader's own schema. */
public final class ConfigWriter {

    private ConfigWriter() {
    }

    public static ObjectNode tree(ExperimentConfig c) {
        ObjectNode o = ConfigLoader.YAML.createObjectNode();
        o.put("name", c.name());
        o.put("seed", c.seed());
        ObjectNode space = o.putObject("space");
        space.put("name", c.space().name());
        space.set("options", ConfigLoader.YAML.valueToTree(c.space().options()));
        if (c.space().input() != null) {
            space.put("input", c.space().input().toString());
        }
        if (c.space().classes() != null) {
            space.put("classes", c.space().classes());
        }
        if (!c.dataset().isEmpty()) {
            o.set("dataset", ConfigLoader.YAML.valueToTree(c.dataset()));
        }
        ObjectNode acc = o.putObject("accuracy");
        acc.put("name", c.accuracy().name());
        acc.set("options", ConfigLoader.YAML.valueToTree(c.accuracy().options()));
        if (c.screen() != null) {
            ObjectNode screen = acc.putObject("screen");
            screen.put("proxy", c.screen().proxy());
            screen.set("options", ConfigLoader.YAML.valueToTree(c.screen().options()));
            screen.put("keep", c.screen().keep());
        }
        fidelity(acc, c.fidelity());
        ArrayNode devices = o.putArray("devices");
        for (ExperimentConfig.DeviceSpec d : c.devices()) {
            ObjectNode n = devices.addObject();
            n.put("name", d.name());
            n.put("profile", d.profile());
            if (d.model() != null) {
                n.put("model", d.model());
            }
            n.put("batch", d.batch());
            if (d.calibration() != null) {
                n.put("calibration", d.calibration().toString());
            }
            ObjectNode cons = n.putObject("constraints");
            d.constraints().forEach((k, v) -> cons.put(k, v));
            AgentSection.write(n, d.agent());
        }
        ArrayNode obj = o.putArray("objectives");
        c.objectives().forEach(obj::add);
        ObjectNode st = o.putObject("strategy");
        st.put("name", c.strategy().name());
        st.set("options", ConfigLoader.YAML.valueToTree(c.strategy().options()));
        st.put("batch_size", c.strategy().batchSize());
        o.put("budget", c.budget());
        ObjectNode ex = o.putObject("executor");
        ex.put("name", c.executor().name());
        ex.put("parallelism", c.executor().parallelism());
        ex.set("options", ConfigLoader.YAML.valueToTree(c.executor().options()));
        o.put("output", c.output().toString());
        if (!c.finalTraining().isEmpty()) {
            o.set("final_training", ConfigLoader.YAML.valueToTree(c.finalTraining()));
        }
        return o;
    }

    private static void fidelity(ObjectNode acc, ExperimentConfig.Fidelity fidelity) {
        if (fidelity != null) {
            ObjectNode f = acc.putObject("fidelity");
            f.put("schedule", fidelity.schedule());
            f.put("min_steps", fidelity.minSteps());
            f.put("max_steps", fidelity.maxSteps());
            f.put("eta", fidelity.eta());
        }
    }

    public static String yaml(ExperimentConfig c) {
        try {
            return ConfigLoader.YAML.writeValueAsString(tree(c));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** SHA-256 of the resolved config, for the manifest. */
    public static String hash(ExperimentConfig c) {
        return sha256(yaml(c).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
