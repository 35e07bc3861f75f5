package io.hwnas.experiments.cli;

import io.hwnas.core.io.Json;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hwnas.core.space.SearchSpace;
import io.hwnas.core.space.SearchSpaces;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code hwnas spaces}: the search spaces, their sizes, decision vectors and options. */
@Command(name = "spaces", mixinStandardHelpOptions = true, description = "List the search spaces.")
final class SpacesCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "print one JSON object on stdout")
    boolean json;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            ObjectNode root = Json.object();
            ArrayNode list = root.putArray("spaces");
            for (SearchSpace s : SearchSpaces.registry().all()) {
                ObjectNode o = list.addObject();
                o.put("name", s.name());
                o.put("description", s.description());
                o.put("positions", s.choices().length);
                o.put("size", s.size().toString());
                o.put("default_input", s.defaultInput().toString());
                o.put("default_classes", s.defaultClasses());
                o.set("options", Json.MAPPER.valueToTree(s.options()));
                o.put("example", s.sample(new java.util.SplittableRandom(0)).canonical());
            }
            Json.print(out, root);
            return 0;
        }
        for (SearchSpace s : SearchSpaces.registry().all()) {
            out.printf("%-10s %s%n", s.name(), s.description());
            out.printf("%-10s %d decision positions, %s architectures, input %s, %d classes%n", "",
                    s.choices().length, sci(s.size()), s.defaultInput(), s.defaultClasses());
            out.printf("%-10s options %s%n", "", s.options());
            out.printf("%-10s e.g. %s%n%n", "", s.sample(new java.util.SplittableRandom(0)).canonical());
        }
        out.flush();
        return 0;
    }

    private static String sci(java.math.BigInteger n) {
        return n.bitLength() < 40 ? String.format("%,d", n) : String.format("%.2e", n.doubleValue());
    }
}
