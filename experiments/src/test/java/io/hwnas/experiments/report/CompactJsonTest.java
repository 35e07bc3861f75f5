package io.hwnas.experiments.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The report data's compact numbers show exactly as the exact ones, and its runs decode to what was encoded. */
class CompactJsonTest {

    @Test
    void aKeptNumberShowsExactlyAsTheExactOneAndIsShorter() throws Exception {
        SplittableRandom r = new SplittableRandom(19);
        for (int i = 0; i < 200_000; i++) {
            double v = Math.pow(10, r.nextDouble(-6, 9)) * (r.nextBoolean() ? 1 : -1);
            double kept = CompactJson.number(v);
            // through JSON text, as the page reads it
            double read = ReportData.JSON.readTree(ReportData.JSON.writeValueAsString(kept)).asDouble();
            assertEquals(CompactJson.shown(v), CompactJson.shown(read), "value " + v + " kept as " + kept);
            assertTrue(Double.toString(kept).length() <= Math.max(Double.toString(v).length(), 9), v + " kept as " + kept);
        }
        // the ties and the edges of the whole-number range
        for (double v : new double[] {1.23445, 1.2345, 0.347746, 9999.95, 9999.4, 10000.5, -10000.5, 3321704, 0.1 + 0.2}) {
            assertEquals(CompactJson.shown(v), CompactJson.shown(CompactJson.number(v)), "value " + v);
        }
    }

    @Test
    void thePageShowsFourSignificantDigitsBelowTenThousandAndWholeNumbersAbove() {
        assertEquals("1.235", CompactJson.shown(1.23450001));
        assertEquals("0.3477", CompactJson.shown(0.347746));
        assertEquals("3321704", CompactJson.shown(3321704));
        assertEquals("10001", CompactJson.shown(10000.5));
        assertEquals("-10000", CompactJson.shown(-10000.5)); // Math.round rounds halves up
        assertEquals("unknown", CompactJson.shown(Double.NaN));
        assertEquals(3321704.0, CompactJson.number(3321704.4));
        assertEquals(17.792, CompactJson.number(17.79173));
    }

    @Test
    void aWholeNumberIsWrittenWithoutAFractionAndAMissingOneAsNull() {
        ArrayNode a = ReportData.JSON.createArrayNode();
        CompactJson.add(a, 3321704.0);
        CompactJson.add(a, Double.NaN);
        CompactJson.add(a, 52.33561);
        assertEquals("[3321704,null,52.336]", a.toString());
    }

    @Test
    void runsDecodeToTheIntegersAndValuesEncoded() {
        SplittableRandom r = new SplittableRandom(7);
        for (int t = 0; t < 200; t++) {
            List<Integer> ints = new ArrayList<>();
            double[] values = new double[r.nextInt(0, 60)];
            for (int i = 0; i < values.length; i++) {
                ints.add(r.nextInt(4) == 0 && !ints.isEmpty() ? ints.get(i - 1) + 1 : r.nextInt(0, 100));
                values[i] = i > 0 && r.nextBoolean() ? values[i - 1] : r.nextDouble();
            }
            JsonNode runs = CompactJson.runs(ReportData.JSON.createArrayNode(), ints);
            List<Integer> back = new ArrayList<>();
            for (int i = 0; i < runs.size(); i += 2) {
                for (int k = 0; k < runs.get(i + 1).asInt(); k++) {
                    back.add(runs.get(i).asInt() + k);
                }
            }
            assertEquals(ints, back);
            JsonNode rep = CompactJson.repeats(ReportData.JSON.createArrayNode(), values);
            List<Double> want = new ArrayList<>();
            List<Double> got = new ArrayList<>();
            for (double v : values) {
                want.add(CompactJson.number(v));
            }
            for (int i = 0; i < rep.size(); i += 2) {
                for (int k = 0; k < rep.get(i + 1).asInt(); k++) {
                    got.add(rep.get(i).asDouble());
                }
            }
            assertEquals(want, got);
        }
    }
}
