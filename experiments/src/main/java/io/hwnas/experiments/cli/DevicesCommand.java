package io.hwnas.experiments.cli;

import io.hwnas.core.io.Json;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hwnas.cost.device.DeviceCatalog;
import io.hwnas.cost.device.DeviceProfile;
import io.hwnas.cost.device.Quantity;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code hwnas devices}: the device catalog; {@code hwnas devices show NAME}: one profile with its sources. */
@Command(name = "devices", mixinStandardHelpOptions = true, subcommands = {DevicesCommand.Show.class},
        description = "List the device catalog.")
final class DevicesCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "print one JSON object on stdout")
    boolean json;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        ObjectNode root = Json.object();
        ArrayNode list = root.putArray("devices");
        if (!json) {
            out.printf("%-18s %-13s %-13s %s%n", "name", "kind", "default model", "description");
        }
        for (String name : DeviceCatalog.names()) {
            DeviceProfile d = DeviceCatalog.get(name);
            if (json) {
                ObjectNode o = list.addObject();
                o.put("name", d.name());
                o.put("kind", d.kind().id());
                o.put("default_model", d.defaultModel());
                o.put("description", d.description());
            } else {
                out.printf("%-18s %-13s %-13s %s%n", d.name(), d.kind().id(), d.defaultModel(), d.description());
            }
        }
        if (json) {
            Json.print(out, root);
        }
        out.flush();
        return 0;
    }

    static ObjectNode toJson(DeviceProfile d) {
        ObjectNode o = Json.object();
        o.put("name", d.name());
        o.put("kind", d.kind().id());
        o.put("description", d.description());
        o.put("default_model", d.defaultModel());
        o.put("origin", d.origin());
        ObjectNode n = o.putObject("numbers");
        for (Map.Entry<String, Quantity> e : d.numbers().entrySet()) {
            ObjectNode q = n.putObject(e.getKey());
            q.put("value", e.getValue().value());
            q.put("source", e.getValue().source());
        }
        for (Map.Entry<String, String> e : d.unmeasured().entrySet()) {
            ObjectNode q = n.putObject(e.getKey());
            q.putNull("value");
            q.put("measured", false);
            q.put("source", e.getValue());
        }
        o.set("settings", Json.MAPPER.valueToTree(d.settings()));
        return o;
    }

    /** {@code hwnas devices show NAME}. */
    @Command(name = "show", mixinStandardHelpOptions = true, description = "Show one device profile, every number with its source.")
    static final class Show implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Parameters(index = "0", paramLabel = "NAME", description = "a catalog device or a profile file")
        String name;

        @Option(names = "--json", description = "print one JSON object on stdout")
        boolean json;

        @Override
        public Integer call() {
            DeviceProfile d = DeviceCatalog.get(name);
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                Json.print(out, toJson(d));
                return 0;
            }
            out.printf("%s (%s, default model %s)%n%s%n%n", d.name(), d.kind().id(), d.defaultModel(), d.description());
            for (Map.Entry<String, Quantity> e : d.numbers().entrySet()) {
                out.printf("  %-24s %14.6g   %s%n", e.getKey(), e.getValue().value(), e.getValue().source());
            }
            for (Map.Entry<String, String> e : d.unmeasured().entrySet()) {
                out.printf("  %-24s %14s   %s%n", e.getKey(), "not measured", e.getValue());
            }
            out.println();
            for (Map.Entry<String, String> e : d.settings().entrySet()) {
                out.printf("  %-24s %s%n", e.getKey(), e.getValue());
            }
            out.flush();
            return 0;
        }
    }
}
