package io.hwnas.core.supernet;

import io.hwnas.core.ir.Shape;
import io.hwnas.core.space.SearchSpace;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Checks that a run's space and network are those a supernet checkpoint was trained for, naming each mismatch. */
final class SupernetBinding {

    private SupernetBinding() {
    }

    /**
     * Checks input channels and classes.
     *
     * @throws IllegalArgumentException naming the checkpoint and each value, as checkpoint vs config
     */
    static void requireNetwork(SupernetCheckpoint c, Shape input, int classes) {
        List<String> diff = new ArrayList<>();
        SupernetSpec s = c.spec();
        if (input != null && input.channels() != s.channels()) {
            diff.add("input channels were " + s.channels() + " in the checkpoint but " + input.channels()
                    + " in the config (space.input)");
        }
        if (classes != s.classes()) {
            diff.add("classes were " + s.classes() + " in the checkpoint but " + classes + " in the config");
        }
        fail(c, diff);
    }

    /**
     * Checks the space's name and every option.
     *
     * @throws IllegalArgumentException naming the checkpoint and each option, as checkpoint vs config
     */
    static void requireSpace(SupernetCheckpoint c, SearchSpace space) {
        List<String> diff = new ArrayList<>();
        SupernetSpec s = c.spec();
        if (!s.space().name().equals(space.name())) {
            diff.add("space was " + s.space().name() + " in the checkpoint but " + space.name() + " in the config");
        } else {
            Map<String, Object> have = s.space().options();
            Map<String, Object> want = space.options();
            for (String k : have.keySet()) {
                if (!Objects.equals(String.valueOf(have.get(k)), String.valueOf(want.get(k)))) {
                    diff.add("space option " + k + " was " + have.get(k) + " in the checkpoint but " + want.get(k)
                            + " in the config");
                }
            }
        }
        fail(c, diff);
    }

    private static void fail(SupernetCheckpoint c, List<String> diff) {
        if (!diff.isEmpty()) {
            throw new IllegalArgumentException(c.dir().resolve(SupernetCheckpoint.MANIFEST)
                    + ": a checkpoint of another supernet: " + String.join("; ", diff));
        }
    }
}
