package io.hwnas.experiments.setup;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.hwnas.experiments.config.Problems;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every bad option of a plugin is reported, and an option that only needs a companion is not blamed. */
class CheckOptionsTest {

    /** A plugin that stops at its first problem: c must be a number, d must be positive, a needs b, not e and f. */
    static void make(Map<String, Object> o) {
        if (o.containsKey("e") && o.containsKey("f")) {
            throw new IllegalArgumentException("plugin x: options e and f exclude each other");
        }
        if (o.containsKey("a") && !o.containsKey("b")) {
            throw new IllegalArgumentException("plugin x: option a needs option b");
        }
        if (o.containsKey("c") && !(o.get("c") instanceof Number)) {
            throw new IllegalArgumentException("plugin x: option c = " + o.get("c") + " is not a number");
        }
        if (o.containsKey("d") && ((Number) o.get("d")).intValue() <= 0) {
            throw new IllegalArgumentException("plugin x: option d = " + o.get("d") + " must be positive");
        }
    }

    static List<String> check(Map<String, Object> options) {
        Problems p = new Problems("f.yaml");
        PluginBinding.checkOptions("x.options", options, CheckOptionsTest::make, p);
        return p.all();
    }

    @Test
    void reportsEveryBadOptionButNotOneThatNeedsACompanion() {
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("a", 1);
        o.put("b", 2);
        o.put("c", "many");
        o.put("d", -1);
        assertEquals(List.of("f.yaml: x.options.c: plugin x: option c = many is not a number",
                "f.yaml: x.options.d: plugin x: option d = -1 must be positive"), check(o));
        assertEquals(List.of(), check(Map.of("a", 1, "b", 2, "c", 3, "d", 4)));
        assertEquals(List.of("f.yaml: x.options.a: plugin x: option a needs option b"), check(Map.of("a", 1)));
        // no single option to blame: the plugin's own message, at the options' path
        assertEquals(List.of("f.yaml: x.options: plugin x: options e and f exclude each other"),
                check(Map.of("e", 1, "f", 1)));
    }
}
