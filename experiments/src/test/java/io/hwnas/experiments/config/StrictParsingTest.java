package io.hwnas.experiments.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Config files are read strictly: one document, each key once, no aliases, UTF-8, sane depth, integers in range. */
class StrictParsingTest {

    static final String VALID = """
            seed: 1
            space: {name: nb201}
            accuracy: {name: table}
            devices:
              - name: raspi4
            strategy: {name: random}
            budget: 10
            """;

    @TempDir
    Path tmp;

    private List<String> problems(String fileName, String text) throws Exception {
        return problems(fileName, text.getBytes(StandardCharsets.UTF_8));
    }

    private List<String> problems(String fileName, byte[] bytes) throws Exception {
        Path f = tmp.resolve(fileName);
        Files.write(f, bytes);
        return assertThrows(ConfigException.class, () -> ConfigLoader.load(f)).problems();
    }

    @Test
    void theValidConfigLoads() throws Exception {
        Path f = tmp.resolve("ok.yaml");
        Files.writeString(f, VALID + "dataset: {name: synthetic, dir: data}\n");
        ExperimentConfig c = ConfigLoader.load(f);
        assertEquals(1, c.seed());
        assertEquals("synthetic", c.dataset().get("name"));
    }

    @Test
    void duplicateKeysAtEveryLevelAreAllReportedWithTheirLines() throws Exception {
        String f = tmp.resolve("dup.yaml").toString();
        List<String> p = problems("dup.yaml", VALID.replace("strategy: {name: random}",
                "strategy: {name: random, name: nsga2}") + "seed: 2\n");
        assertEquals(List.of(
                f + ": strategy.name: duplicate key at line 6 (first at line 6); expected each key once per section",
                f + ": seed: duplicate key at line 8 (first at line 1); expected each key once per section"), p);
    }

    @Test
    void duplicateKeysInJsonToo() throws Exception {
        String f = tmp.resolve("dup.json").toString();
        List<String> p = problems("dup.json", "{\"budget\": 3,\n \"devices\": [{\"name\": \"a\",\n \"name\": \"b\"}]}");
        assertEquals(List.of(f + ": devices[0].name: duplicate key at line 3 (first at line 2); expected each key "
                + "once per section"), p);
    }

    @Test
    void aSecondYamlDocumentIsAnError() throws Exception {
        String f = tmp.resolve("two.yaml").toString();
        List<String> p = problems("two.yaml", VALID + "---\nbudget: 20\n");
        assertEquals(List.of(f + ": a second document at line 9 is not allowed; expected one YAML document "
                + "(nothing after a '---' that follows the config)"), p);
    }

    @Test
    void contentAfterTheJsonObjectIsAnError() throws Exception {
        String f = tmp.resolve("two.json").toString();
        List<String> p = problems("two.json", "{\"budget\": 3}\n{\"budget\": 4}\n");
        assertEquals(List.of(f + ": a second document at line 2 is not allowed; expected nothing after the "
                + "config's closing '}'"), p);
    }

    @Test
    void yamlAliasesAreRefusedNotReadAsTheAnchorsName() throws Exception {
        String f = tmp.resolve("alias.yaml").toString();
        List<String> p = problems("alias.yaml", VALID.replace("space: {name: nb201}", "space: {name: &s nb201}")
                .replace("strategy: {name: random}", "strategy: {name: *s}"));
        assertEquals(List.of(f + ": strategy.name: *s at line 6 is a YAML alias; expected the value written out "
                + "(aliases are not supported)"), p);
    }

    @Test
    void integersBeyondTheirRangeAreReportedNotWrapped() throws Exception {
        String f = tmp.resolve("big.yaml").toString();
        // 2^63 and 2^64 + 5: read as a long they wrap to Long.MIN_VALUE and 5
        List<String> p = problems("big.yaml", VALID.replace("seed: 1", "seed: 9223372036854775808")
                .replace("budget: 10", "budget: 18446744073709551621"));
        assertEquals(List.of(
                f + ": seed = 9223372036854775808 is not allowed; expected an integer in "
                        + Long.MIN_VALUE + ".." + Long.MAX_VALUE,
                f + ": budget = 18446744073709551621 is not allowed; expected an integer in 1..10000000"), p);
    }

    @Test
    void aFileThatIsNotUtf8SaysWhere() throws Exception {
        String f = tmp.resolve("latin1.yaml").toString();
        byte[] bytes = (VALID + "name: caf\u00e9\n").getBytes(StandardCharsets.ISO_8859_1);
        List<String> p = problems("latin1.yaml", bytes);
        assertEquals(List.of(f + ": not UTF-8 text at byte " + (VALID.length() + 9)
                + " (counting from 0); expected a file saved as UTF-8"), p);
    }

    @Test
    void theDatasetSectionIsChecked() throws Exception {
        String f = tmp.resolve("ds.yaml").toString();
        List<String> p = problems("ds.yaml", VALID + "dataset: {name: cifar11, dir: [a, b], size: 3}\n");
        assertEquals(List.of(
                f + ": dataset.size is not a known field; expected one of [dir, name]",
                f + ": dataset.name = \"cifar11\" is not allowed; expected one of [fashion-mnist, cifar10, synthetic]",
                f + ": dataset.dir = \"[\"a\",\"b\"]\" is not allowed; expected a string"), p);
    }

    @Test
    void aConfigNestedTooDeeplyIsRefusedWithAMessage() throws Exception {
        for (int depth : new int[] {101, 1_001, 5_000}) {
            String f = tmp.resolve("deep" + depth + ".json").toString();
            String text = "{\"budget\": " + "[".repeat(depth) + "]".repeat(depth) + "}";
            List<String> p = problems("deep" + depth + ".json", text);
            assertEquals(1, p.size(), p.toString());
            assertTrue(p.get(0).startsWith(f + ": budget" + "[0]".repeat(99) + ": nested deeper than 100 levels "
                    + "at line 1; expected at most 100"), p.get(0));
        }
        String yaml = "budget: " + "[".repeat(2_000) + "]".repeat(2_000) + "\n";
        List<String> p = problems("deep.yaml", yaml);
        assertTrue(p.get(0).contains("nested deeper than 100 levels"), p.toString());
    }
}
