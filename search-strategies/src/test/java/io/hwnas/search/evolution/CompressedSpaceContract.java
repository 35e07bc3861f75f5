package io.hwnas.search.evolution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.core.arch.Architecture;
import io.hwnas.core.space.SearchSpace;
import io.hwnas.core.space.compress.CompressedSpace;
import io.hwnas.core.space.compress.CompressedSpaces;
import io.hwnas.search.CostOracle;
import io.hwnas.search.Evaluation;
import io.hwnas.search.Objective;
import io.hwnas.search.SearchProblem;
import io.hwnas.search.SearchStrategy;
import io.hwnas.search.StrategyContract;
import io.hwnas.search.harness.Nb201TableBenchmark;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * A strategy on the joint architecture + compression vector (APQ-style): NAS-Bench-201 with per-layer
 * bits and pruning appended, accuracy from the published table (of the uncompressed cell: the table
 * knows no compression) and model bytes from the IR (which follow bits and kept channels).
 */
abstract class CompressedSpaceContract extends StrategyContract {

    static final CompressedSpace SPACE = (CompressedSpace) CompressedSpaces.get("nb201", Map.of("compression",
            Map.of("bits", List.of(4, 8, 32), "activation_bits", List.of(8, 32), "prune", List.of(0, 0.5))));
    static final Nb201TableBenchmark TABLE = new Nb201TableBenchmark("cifar10", "raspi4");

    /** The same bits as {@link #SPACE}, nothing pruned: what an architecture-only search of it searches. */
    static final CompressedSpace UNPRUNED = (CompressedSpace) CompressedSpaces.get("nb201", Map.of("compression",
            Map.of("bits", List.of(4, 8, 32), "activation_bits", List.of(8, 32), "prune", List.of(0))));

    @Override
    protected SearchProblem problem(int budget, int batchSize) {
        return problem(SPACE, budget, batchSize);
    }

    private static SearchProblem problem(CompressedSpace space, int budget, int batchSize) {
        return new SearchProblem(space, List.of(Objective.maximize("accuracy"), Objective.minimize("model_bytes@toy")),
                List.of(), budget, batchSize, CostOracle.NONE);
    }

    @Override
    protected Evaluation evaluate(Architecture a) {
        return evaluate(SPACE, a);
    }

    private static Evaluation evaluate(CompressedSpace space, Architecture a) {
        Evaluation table = TABLE.evaluate(space.baseArchitecture(a));
        if (!table.isOk()) {
            return Evaluation.failed(a, table.error());
        }
        return Evaluation.ok(a, Map.of("accuracy", table.metric("accuracy"), "model_bytes@toy",
                (double) space.network(a).modelBytes()));
    }

    @Test
    void startUnprunedBeginsWhereAnUnprunedSearchWithTheSameSeedBegins() {
        SearchStrategy s = strategy().withOptions(Map.of("start_unpruned", true));
        assertEquals(true, s.options().get("start_unpruned"));
        assertFalse(strategy().options().containsKey("start_unpruned"));
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> strategy().withOptions(Map.of("start_unpruned", "maybe")));
        assertTrue(bad.getMessage().contains("start_unpruned = maybe") && bad.getMessage().contains("true or false"),
                bad.getMessage());
        List<Architecture> joint = drive(s.start(problem(80, 10), 4), this::evaluate).stream()
                .flatMap(List::stream).toList();
        List<Architecture> plain = drive(s.start(problem(UNPRUNED, 80, 10), 4), a -> evaluate(UNPRUNED, a)).stream()
                .flatMap(List::stream).toList();
        Function<List<Architecture>, List<String>> texts = l -> l.stream().map(Architecture::canonical).toList();
        assertEquals(texts.apply(plain.subList(0, 10)), texts.apply(joint.subList(0, 10)));
        assertTrue(joint.subList(0, 10).stream().noneMatch(CompressedSpaceContract::pruned));
        assertTrue(joint.stream().anyMatch(CompressedSpaceContract::pruned), "pruning never entered the search");
        // without the option the first architectures are pruned at random
        List<Architecture> random = drive(strategy().start(problem(80, 10), 4), this::evaluate).get(0);
        assertTrue(random.stream().filter(CompressedSpaceContract::pruned).count() > 5, texts.apply(random).toString());
    }

    @Test
    void pruneStepChildrenMoveEveryGroupTogether() {
        SearchStrategy unpruned = strategy().withOptions(Map.of("start_unpruned", true));
        SearchStrategy s = unpruned.withOptions(Map.of("prune_step", 0.5));
        assertEquals(0.5, s.options().get("prune_step"));
        assertFalse(unpruned.options().containsKey("prune_step"));
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> strategy().withOptions(Map.of("prune_step", 1.5)));
        assertTrue(bad.getMessage().contains("prune_step = 1.5"), bad.getMessage());
        Function<SearchStrategy, List<String>> run = st -> drive(st.start(problem(80, 10), 4), this::evaluate)
                .stream().flatMap(List::stream).map(Architecture::canonical).toList();
        List<String> stepped = run.apply(s);
        List<String> plain = run.apply(unpruned);
        // the whole network at 50%: one step from an unpruned parent, out of reach of one- or two-group mutations
        assertTrue(stepped.stream().filter(CompressedSpaceContract::allPruned).count() >= 5, stepped.toString());
        assertEquals(0, plain.stream().filter(CompressedSpaceContract::allPruned).count(), plain.toString());
        // 0 draws nothing: the run is the one without the option
        assertEquals(plain, run.apply(unpruned.withOptions(Map.of("prune_step", 0))));
    }

    private static boolean allPruned(String canonical) {
        return Arrays.stream(canonical.split("#p=")[1].split(",")).allMatch("50"::equals);
    }

    private static boolean pruned(Architecture a) {
        return !Arrays.equals(SPACE.unpruned(a.vectorArray()), a.vectorArray());
    }

    @Override
    protected int budget() {
        return 80;
    }

    @Override
    protected int batchSize() {
        return 10;
    }

    @Test
    void searchesArchitecturesAndCompressionTogether() {
        List<Architecture> all = drive(strategy().start(problem(200, 10), 4), this::evaluate).stream()
                .flatMap(List::stream).toList();
        int baseLength = SPACE.base().choices().length;
        long cells = all.stream().map(SPACE::baseArchitecture).distinct().count();
        long settings = all.stream().map(a -> Arrays.toString(Arrays.copyOfRange(a.vectorArray(), baseLength,
                a.vectorArray().length))).distinct().count();
        assertTrue(cells > 20 && settings > 20, cells + " cells, " + settings + " compression settings");
        assertTrue(all.stream().allMatch(a -> a.canonical().contains("#q=") && SPACE.violations(a).isEmpty()));
        // the joint search finds networks smaller than any uncompressed cell of the same accuracy or better
        double bestAcc = all.stream().mapToDouble(a -> evaluate(a).metric("accuracy")).max().orElseThrow();
        double smallest32 = all.stream().filter(a -> evaluate(a).metric("accuracy") >= bestAcc - 1)
                .mapToDouble(a -> SPACE.base().network(SPACE.baseArchitecture(a)).modelBytes()).min().orElseThrow();
        double smallestFound = all.stream().filter(a -> evaluate(a).metric("accuracy") >= bestAcc - 1)
                .mapToDouble(a -> evaluate(a).metric("model_bytes@toy")).min().orElseThrow();
        assertTrue(smallestFound < smallest32 / 2, smallestFound + " vs uncompressed " + smallest32);
    }
}
