package io.hwnas.core.supernet;

import io.hwnas.core.djl.OneThread;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import io.hwnas.core.space.mobilenet.MobilenetSpace;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SupernetCheckpointTest {

    private static final SupernetRun RUN = new SupernetRun(SupernetFixtures.spec(),
            new SupernetRun.Dataset("synthetic", "/data/x", 96, 32), 5,
            SupernetTrainingOptions.builder().steps(8).batch(16).stepDecay(3, 0.5).validation(2, 32).threads(1)
                    .build());

    @TempDir
    Path dir;

    /** Writes a checkpoint of a perturbed supernet (momentum buffers set too) at {@code step}; returns the arrays. */
    private List<float[]> write(int step, long seed) {
        return OneThread.exclusive(seed, () -> {
            try (NDManager m = NDManager.newBaseManager()) {
                MobilenetSupernet s = MobilenetSupernet.create(RUN.spec(), m);
                SupernetFixtures.perturb(s, seed);
                SandwichTraining t = new SandwichTraining(s, RUN.options().sandwich(), seed, m);
                t.velocity().forEach(v -> v.addi(0.25f));
                SupernetCheckpoint.write(dir, RUN, step, s, t);
                return arrays(s, t);
            }
        });
    }

    private static List<float[]> arrays(MobilenetSupernet s, SandwichTraining t) {
        List<float[]> out = new ArrayList<>();
        s.getParameters().values().forEach(p -> out.add(p.getArray().toFloatArray()));
        t.velocity().forEach(v -> out.add(v.toFloatArray()));
        return out;
    }

    /** The arrays of a fresh supernet and trainer loaded from the checkpoint in {@code dir}. */
    private List<float[]> load() {
        return OneThread.exclusive(99, () -> {
            try (NDManager m = NDManager.newBaseManager()) {
                SupernetCheckpoint c = SupernetCheckpoint.read(dir, RUN.spec());
                MobilenetSupernet s = c.load(m);
                SandwichTraining t = new SandwichTraining(s, c.run().options().sandwich(), 0, m);
                c.loadOptimizer(s, t);
                return arrays(s, t);
            }
        });
    }

    private static void assertSame(List<float[]> a, List<float[]> b) {
        assertEquals(a.size(), b.size());
        for (int i = 0; i < a.size(); i++) {
            assertArrayEquals(a.get(i), b.get(i), "array " + i);
        }
    }

    @Test
    void writesAndReadsBackTheRunTheParametersAndTheMomentum() {
        List<float[]> written = write(4, 3);
        SupernetCheckpoint c = SupernetCheckpoint.read(dir);
        assertEquals(4, c.stepsDone());
        assertEquals(RUN.options(), c.run().options());
        assertEquals(RUN.dataset(), c.run().dataset());
        assertEquals(RUN.seed(), c.run().seed());
        c.requireSpec(RUN.spec());
        assertEquals("parameters-00000004.bin", c.parameters().file());
        assertSame(written, load());
    }

    @Test
    void aChangedParameterFileFailsTheHashCheckNamingTheFile() throws IOException {
        write(2, 3);
        Path params = dir.resolve("parameters-00000002.bin");
        byte[] b = Files.readAllBytes(params);
        b[b.length - 1] ^= 1;
        Files.write(params, b);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SupernetCheckpoint.read(dir));
        assertTrue(e.getMessage().contains(params.toString()) && e.getMessage().contains("SHA-256")
                && e.getMessage().contains("does not match checkpoint.json"), e.getMessage());
    }

    /** Writes a checkpoint and returns its manifest's text. */
    private String writtenManifest(Path manifest) throws IOException {
        write(1, 3);
        return Files.readString(manifest);
    }

    @Test
    void groupWidthsAreReadBackAbsentOnesAreFullAndBadOnesNameTheManifest() throws IOException {
        Path manifest = dir.resolve("checkpoint.json");
        String text = writtenManifest(manifest);
        assertTrue(text.contains("\"group_widths\" : [ 1.0 ]"), text);
        String before = text.replaceAll(",\\s*\"group_widths\" : \\[ 1.0 \\]", ""); // as written before the option
        assertFalse(before.contains("group_widths"), before);
        Files.writeString(manifest, before);
        assertEquals(List.of(1.0), SupernetCheckpoint.read(dir).spec().groupWidths());
        Files.writeString(manifest, text.replace("\"group_widths\" : [ 1.0 ]", "\"group_widths\" : [ 0.75, 0.5 ]"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SupernetCheckpoint.read(dir));
        assertTrue(e.getMessage().startsWith(manifest.toString()) && e.getMessage().contains("group widths [0.75, 0.5]")
                && e.getMessage().contains("with 1.0 among them"), e.getMessage());
    }

    @Test
    void resolutionsAreReadBackAbsentOnesAreTheOneResolutionAndBadOnesNameTheManifest() throws IOException {
        Path manifest = dir.resolve("checkpoint.json");
        String text = writtenManifest(manifest);
        assertTrue(text.contains("\"resolutions\" : [ 32 ]"), text);
        Files.writeString(manifest, text.replaceAll(",\\s*\"resolutions\" : \\[ 32 \\]", "")); // written before it
        assertEquals(List.of(32), SupernetCheckpoint.read(dir).spec().resolutions());
        Files.writeString(manifest, text.replace("\"resolutions\" : [ 32 ]", "\"resolutions\" : 32"));
        IllegalArgumentException scalar = assertThrows(IllegalArgumentException.class,
                () -> SupernetCheckpoint.read(dir));
        assertTrue(scalar.getMessage().startsWith(manifest.toString())
                && scalar.getMessage().contains("supernet.resolutions is '32', expected a list"), scalar.getMessage());
        Files.writeString(manifest, text.replace("\"resolutions\" : [ 32 ]", "\"resolutions\" : [ 40 ]"));
        IllegalArgumentException other = assertThrows(IllegalArgumentException.class,
                () -> SupernetCheckpoint.read(dir));
        assertTrue(other.getMessage().startsWith(manifest.toString()) && other.getMessage().contains(
                "resolutions [40] must have the largest resolution 32"), other.getMessage());
    }

    @Test
    void augmentationIsReadBackAbsentIsNoneAndABadShiftNamesTheManifest() throws IOException {
        Path manifest = dir.resolve("checkpoint.json");
        String text = writtenManifest(manifest);
        assertTrue(text.contains("\"flip\" : false") && text.contains("\"shift\" : 0"), text);
        String before = text.replaceAll(",\\s*\"flip\" : false,\\s*\"shift\" : 0", ""); // as written before it
        assertFalse(before.contains("\"shift\""), before);
        Files.writeString(manifest, before);
        assertEquals(io.hwnas.core.data.Augmentation.NONE, SupernetCheckpoint.read(dir).run().options().augment());
        Files.writeString(manifest, text.replace("\"shift\" : 0", "\"shift\" : 40"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SupernetCheckpoint.read(dir));
        assertTrue(e.getMessage().startsWith(manifest + ": training: augmentation shift must be in [0, 16], but was 40"),
                e.getMessage());
    }

    @Test
    void aCheckpointOfAnotherSupernetNamesEveryMismatch() {
        write(1, 3);
        SupernetSpec fourClasses = new SupernetSpec(RUN.spec().space(), 3, 4, 32, 0.25, List.of(3, 5, 7),
                List.of(3, 4, 6));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SupernetCheckpoint.read(dir, fourClasses));
        assertTrue(e.getMessage().contains("classes 10 in the checkpoint, but 4 expected")
                && e.getMessage().contains(SupernetCheckpoint.MANIFEST), e.getMessage());
        MobilenetSpace noChannels = (MobilenetSpace) SupernetFixtures.space().withOptions(Map.of("search_channels",
                false, "resolutions", List.of(32, 40), "widths", List.of(0.25, 0.5)));
        e = assertThrows(IllegalArgumentException.class,
                () -> SupernetCheckpoint.read(dir, SupernetSpec.of(noChannels, 3, 10).at(32, 0.25)));
        assertTrue(e.getMessage().contains("space options") && !e.getMessage().contains("classes"), e.getMessage());
    }

    /**
     * A kill during the next checkpoint's write leaves stray files: temporaries of the data files and of the
     * manifest, and a whole data file of the next step that no manifest names yet. The previous checkpoint reads
     * and loads whole, and the next write goes through.
     */
    @Test
    void aKillBetweenWritesLeavesThePreviousCheckpointWhole() throws IOException {
        List<float[]> written = write(3, 3);
        Files.write(dir.resolve("parameters-00000004.bin"), "torn".getBytes(StandardCharsets.UTF_8));
        Files.write(dir.resolve(".optimizer-00000004.bin.123-7-abc.tmp"), new byte[] {1, 2, 3});
        Files.writeString(dir.resolve(".checkpoint.json.123-8-abd.tmp"), "{\"format\": \"hwnas-sup");
        SupernetCheckpoint c = SupernetCheckpoint.read(dir);
        assertEquals(3, c.stepsDone());
        assertSame(written, load());
        List<float[]> next = write(4, 4);
        assertEquals(4, SupernetCheckpoint.read(dir).stepsDone());
        assertSame(next, load());
        assertFalse(Files.exists(dir.resolve("parameters-00000003.bin")), "the previous step's file was not removed");
    }

    @Test
    void aDirectoryWithoutManifestIsNotACheckpoint() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SupernetCheckpoint.read(dir));
        assertTrue(e.getMessage().contains("checkpoint.json: no such file"), e.getMessage());
    }
}
