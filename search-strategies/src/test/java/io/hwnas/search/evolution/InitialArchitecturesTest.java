package io.hwnas.search.evolution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.core.arch.Architecture;
import io.hwnas.core.space.SearchSpace;
import io.hwnas.search.SearchStrategy;
import io.hwnas.search.StrategyContract;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The {@code initial} option of {@code nsga2} and {@code aging-evolution}: the first generation starts with the listed
 * architectures; the strategies' contract holds with it (determinism, budget, ask/tell); bad values are refused
 * naming the entry.
 */
class InitialArchitecturesTest extends StrategyContract {

    static final String LARGE = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|"
            + "nor_conv_3x3~2|";
    static final String SMALL = "|none~0|+|none~0|none~1|+|skip_connect~0|none~1|none~2|";

    @Override
    protected SearchStrategy strategy() {
        return new Nsga2().withOptions(Map.of("population", 6, "offspring", 3, "initial", List.of(LARGE, SMALL)));
    }

    private SearchSpace space() {
        return problem(10, 1).space();
    }

    @Test
    void nsga2sFirstGenerationStartsWithTheListedArchitecturesAndTheRestIsDrawnAsUsual() {
        List<List<Architecture>> seeded = drive(strategy().start(problem(40, 3), 4), this::evaluate);
        assertEquals(9, seeded.get(0).size(), "the first generation: population + offspring");
        assertEquals(List.of(space().parse(LARGE), space().parse(SMALL)), seeded.get(0).subList(0, 2));
        List<List<Architecture>> plain = drive(new Nsga2().withOptions(Map.of("population", 6, "offspring", 3))
                .start(problem(40, 3), 4), this::evaluate);
        assertNotEquals(plain, seeded, "the seeded architectures change the search");
        assertEquals(List.of(LARGE, SMALL), strategy().options().get("initial"), "options() lists them");
        assertTrue(!new Nsga2().options().containsKey("initial"), "and only when given");
    }

    @Test
    void agingEvolutionProposesTheListedArchitecturesFirst() {
        SearchStrategy s = new AgingEvolution().withOptions(Map.of("population", 8, "sample", 3, "initial",
                List.of(SMALL, LARGE)));
        List<List<Architecture>> batches = drive(s.start(problem(30, 5), 2), this::evaluate);
        assertEquals(List.of(space().parse(SMALL), space().parse(LARGE)), batches.get(0).subList(0, 2));
        assertEquals(batches, drive(s.start(problem(30, 5), 2), this::evaluate), "deterministic");
        assertEquals(30, batches.stream().mapToInt(List::size).sum());
    }

    @Test
    void badValuesAreRefusedNamingTheEntry() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Nsga2().withOptions(Map.of("initial", LARGE)));
        assertTrue(e.getMessage().contains("strategy nsga2: option initial must be a non-empty list of architecture"
                + " strings"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new AgingEvolution().withOptions(Map.of("population", 2,
                "sample", 1, "initial", List.of(LARGE, SMALL, LARGE))));
        assertTrue(e.getMessage().contains("lists 3 architectures, but at most 2 fit (the first population members)"),
                e.getMessage());
        SearchStrategy bad = new Nsga2().withOptions(Map.of("initial", List.of(LARGE, "|bogus~0|")));
        e = assertThrows(IllegalArgumentException.class, () -> bad.check(space()));
        assertTrue(e.getMessage().startsWith("strategy nsga2: initial[1] '|bogus~0|' is not an architecture of space"
                + " 'nb201': "), e.getMessage());
        SearchStrategy twice = new AgingEvolution().withOptions(Map.of("initial", List.of(LARGE, SMALL, LARGE)));
        e = assertThrows(IllegalArgumentException.class, () -> twice.check(space()));
        assertTrue(e.getMessage().contains("initial[2] repeats initial[0]"), e.getMessage());
    }
}
