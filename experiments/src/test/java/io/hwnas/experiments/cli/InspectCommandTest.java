package io.hwnas.experiments.cli;

import io.hwnas.core.io.Json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class InspectCommandTest {

    static final String RESNET = "|nor_conv_3x3~0|+|none~0|nor_conv_3x3~1|+|skip_connect~0|none~1|skip_connect~2|";

    @Test
    void resnetCellJsonHasThePublishedCounts() throws Exception {
        CliRunner r = CliRunner.run("inspect", "--space", "nb201", "--arch", RESNET, "--json");
        assertEquals(0, r.exitCode(), r.err());
        JsonNode j = Json.MAPPER.readTree(r.out());
        assertEquals(559386, j.get("params").asLong());
        assertEquals(78.56e6, j.get("macs").asDouble(), 0.7856e6);
        // float32 activations: the peak holds at least the largest single tensor plus another live one, and
        // at most every tensor of the network at once
        long largest = 0;
        long all = 0;
        for (JsonNode l : j.get("layers")) {
            long elements = 1;
            for (String d : l.get("output").asText().split("x")) {
                elements *= Long.parseLong(d);
            }
            largest = Math.max(largest, 4 * elements);
            all += 4 * elements;
        }
        long peak = j.get("peak_activation_bytes").asLong();
        assertEquals(4L * 16 * 32 * 32, largest, "the stem's 16x32x32 output is NB201's largest tensor");
        assertTrue(peak > largest && peak < all, peak + " not in (" + largest + ", " + all + ")");
        assertEquals("3x32x32", j.get("input").asText());
        assertTrue(j.get("layers").size() > 100);
    }

    @Test
    void prunedOptionKeepsTheDeclaredCount() throws Exception {
        CliRunner r = CliRunner.run("inspect", "--space", "nb201", "--option", "prune=true", "--arch",
                "|nor_conv_3x3~0|+|skip_connect~0|none~1|+|skip_connect~0|none~1|skip_connect~2|", "--json");
        assertEquals(0, r.exitCode(), r.err());
        JsonNode j = Json.MAPPER.readTree(r.out());
        assertTrue(j.get("params_built").asLong() < j.get("params").asLong());
    }

    @Test
    void everySpaceInspectsWithCustomInputAndClasses() {
        for (String[] c : new String[][] {{"nb201", "11472"},
                {"fbnet", "k3_e1 k3_e1 k3_e1 k3_e1 k3_e1 k3_e1 k3_e1 k3_e1 k3_e1 k3_e1 k3_e1 k3_e1 k3_e1 k3_e1 k3_e1 "
                        + "k3_e1 k3_e1 k3_e1 k3_e1 k3_e1 k3_e1 skip"},
                {"mobilenet", "r160-w0.75|k3e6,k3e6|k5e3se,k3e6,k3e6|k3e6,k3e6,k3e6,k3e6|k3e6,k3e6,k3e6|k7e4,k3e6"}}) {
            CliRunner r = CliRunner.run("inspect", "--space", c[0], "--arch", c[1], "--input", "3x64x64", "--classes",
                    "7");
            assertEquals(0, r.exitCode(), r.err());
            assertTrue(r.out().contains("output 7x1x1"), r.out());
        }
    }

    @Test
    void badInputExitsTwoWithAClearMessage() {
        CliRunner unknown = CliRunner.run("inspect", "--space", "nb2O1", "--arch", "1");
        assertEquals(2, unknown.exitCode());
        assertTrue(unknown.err().contains("nb2O1") && unknown.err().contains("[fbnet, mobilenet, nb201]"),
                unknown.err());
        assertEquals("", unknown.out());

        CliRunner parse = CliRunner.run("inspect", "--space", "nb201", "--arch", "|nor_conv_3x3~0|+|bad~0|x|");
        assertEquals(2, parse.exitCode());
        assertTrue(parse.err().contains("character 18") && parse.err().contains("'bad'"), parse.err());

        CliRunner shape = CliRunner.run("inspect", "--space", "nb201", "--arch", "1", "--input", "3x32");
        assertEquals(2, shape.exitCode());
        assertTrue(shape.err().contains("CxHxW"), shape.err());

        CliRunner tiny = CliRunner.run("inspect", "--space", "nb201", "--arch", "1", "--input", "3x2x2");
        assertEquals(2, tiny.exitCode());

        CliRunner option = CliRunner.run("inspect", "--space", "nb201", "--arch", "1", "--option", "prun=true");
        assertEquals(2, option.exitCode());
        assertTrue(option.err().contains("prun"), option.err());
    }

    @Test
    void spacesListsAllThreeAsJson() throws Exception {
        CliRunner r = CliRunner.run("spaces", "--json");
        assertEquals(0, r.exitCode(), r.err());
        JsonNode j = Json.MAPPER.readTree(r.out());
        assertEquals(3, j.get("spaces").size());
        assertEquals("15625", j.get("spaces").get(2).get("size").asText());
    }
}
