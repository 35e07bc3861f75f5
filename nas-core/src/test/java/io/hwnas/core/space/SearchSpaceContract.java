package io.hwnas.core.space;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.hwnas.core.arch.Architecture;
import io.hwnas.core.ir.Layer;
import io.hwnas.core.ir.Network;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/** The contract every search space meets; each space's test extends it. */
public abstract class SearchSpaceContract {

    protected abstract SearchSpace space();

    protected int samples() {
        return 50;
    }

    @Test
    void isRegisteredByName() {
        assertEquals(space().getClass(), SearchSpaces.get(space().name()).getClass());
    }

    @Test
    void samplesAreValidAndRoundTripThroughTheirString() {
        SearchSpace s = space();
        RandomGenerator rng = new SplittableRandom(7);
        for (int i = 0; i < samples(); i++) {
            Architecture a = s.sample(rng);
            assertEquals(List.of(), s.violations(a));
            assertEquals(a, s.parse(a.canonical()));
            assertEquals(a, s.decode(s.encode(a)));
            int[] c = s.choices();
            int[] v = a.vectorArray();
            assertEquals(c.length, v.length);
        }
    }

    @Test
    void seededSamplingIsDeterministic() {
        List<Architecture> a = new ArrayList<>();
        List<Architecture> b = new ArrayList<>();
        RandomGenerator r1 = new SplittableRandom(42);
        RandomGenerator r2 = new SplittableRandom(42);
        for (int i = 0; i < 20; i++) {
            a.add(space().sample(r1));
            b.add(space().sample(r2));
        }
        assertEquals(a, b);
        assertTrue(new HashSet<>(a).size() > 1, "20 samples should not all be the same architecture");
    }

    @Test
    void jsonRoundTripIsExact() throws Exception {
        ObjectMapper json = new ObjectMapper();
        Architecture a = space().sample(new SplittableRandom(3));
        String text = json.writeValueAsString(a);
        assertEquals(a, json.readValue(text, Architecture.class));
        assertTrue(text.contains("\"arch\""), text);
    }

    @Test
    void mutationChangesTheArchitectureAndStaysValid() {
        SearchSpace s = space();
        RandomGenerator rng = new SplittableRandom(11);
        Architecture a = s.sample(rng);
        for (int i = 0; i < 30; i++) {
            Architecture b = s.mutate(a, rng);
            assertNotEquals(a, b);
            assertEquals(List.of(), s.violations(b));
            a = b;
        }
    }

    @Test
    void badVectorsReportEveryViolation() {
        SearchSpace s = space();
        int[] v = s.encode(s.sample(new SplittableRandom(1)));
        v[0] = -1;
        v[v.length - 1] = 999;
        InvalidArchitectureException e = assertThrows(InvalidArchitectureException.class, () -> s.decode(v));
        assertFalse(e.violations().isEmpty());
        assertThrows(InvalidArchitectureException.class, () -> s.decode(new int[v.length + 1]));
    }

    @Test
    void garbageStringsDoNotParse() {
        assertThrows(ArchitectureFormatException.class, () -> space().parse("not an architecture"));
    }

    @Test
    void networksHaveConsistentShapesAndCosts() {
        SearchSpace s = space();
        RandomGenerator rng = new SplittableRandom(5);
        Set<String> names = new HashSet<>();
        for (int i = 0; i < 10; i++) {
            Network n = s.network(s.sample(rng));
            names.clear();
            for (Layer l : n.layers()) {
                assertTrue(names.add(l.name()), "duplicate layer name " + l.name());
                assertTrue(l.params() >= 0 && l.macs() >= 0);
            }
            assertEquals(s.defaultClasses(), n.outputShape().channels());
            assertTrue(n.params() > 0);
            assertTrue(n.macs() > 0);
            assertTrue(n.peakActivationBytes() >= n.inputShape().elements() * 4);
            assertEquals(n.params() * 4, n.modelBytes());
        }
    }
}
