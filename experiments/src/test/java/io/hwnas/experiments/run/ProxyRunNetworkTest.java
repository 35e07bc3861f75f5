package io.hwnas.experiments.run;

import io.hwnas.experiments.setup.RunSetup;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.hwnas.core.arch.Architecture;
import io.hwnas.core.data.FashionMnist;
import io.hwnas.core.data.ImageBatcher;
import io.hwnas.core.data.ImageDataset;
import io.hwnas.core.ir.Network;
import io.hwnas.core.ir.Shape;
import io.hwnas.core.proxy.Jacov;
import io.hwnas.core.proxy.Nwot;
import io.hwnas.core.proxy.ProxyBatch;
import io.hwnas.core.proxy.ZeroCostProxy;
import io.hwnas.core.space.SearchSpace;
import io.hwnas.experiments.config.ConfigLoader;
import io.hwnas.experiments.config.ExperimentConfig;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proxies and the screen score the network the run costs (its input shape and classes), on the
 * run's dataset's images. Before, they scored the space's reference network (3x32x32 for NB201)
 * on those images padded and replicated to three channels.
 */
class ProxyRunNetworkTest {

    static final Shape GRAY = new Shape(1, 28, 28);

    @TempDir
    Path tmp;

    /** A Fashion-MNIST folder in the IDX format with {@code n} seeded random training images. */
    static Path fashion(Path dir, int n) throws IOException {
        Files.createDirectories(dir);
        SplittableRandom r = new SplittableRandom(11);
        for (String part : new String[] {"train", "t10k"}) {
            byte[] px = new byte[n * 784];
            byte[] lb = new byte[n];
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < 784; k++) {
                    px[i * 784 + k] = (byte) r.nextInt(256);
                }
                lb[i] = (byte) (i % 10);
            }
            idx(dir.resolve(part + "-images-idx3-ubyte.gz"), new int[] {n, 28, 28}, px);
            idx(dir.resolve(part + "-labels-idx1-ubyte.gz"), new int[] {n}, lb);
        }
        return dir;
    }

    private static void idx(Path file, int[] dims, byte[] data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(0x0800 | dims.length);
        for (int d : dims) {
            out.writeInt(d);
        }
        out.write(data);
        try (OutputStream f = new GZIPOutputStream(Files.newOutputStream(file))) {
            f.write(bytes.toByteArray());
        }
    }

    /** The batch the data options {@code data: fashion-mnist, batch: 16, data_seed: 0} select, built by hand. */
    static ProxyBatch batch(Path dir, Shape input, int classes) {
        ImageDataset train = FashionMnist.load(dir).train();
        int[] order = ImageDataset.permutation(train.size(), 0);
        ImageBatcher b = ImageBatcher.fitted(train.sample(train.size(), 0), input);
        int[] labels = new int[16];
        for (int i = 0; i < 16; i++) {
            labels[i] = train.label(order[i]) % classes;
        }
        return new ProxyBatch(b.fill(train, order, 0, 16), labels, input, classes);
    }

    private ExperimentConfig config(String space, String accuracy, String dataset) throws IOException {
        Path f = tmp.resolve("c.yaml");
        Files.writeString(f, "name: proxies\nseed: 5\nspace: " + space + "\n" + dataset + "accuracy: " + accuracy + "\n"
                + """
                devices:
                  - {name: fast, profile: fast}
                objectives: [latency_ms]
                strategy: {name: random, batch_size: 4}
                budget: 4
                executor: {name: local, parallelism: 1}
                output: out
                """);
        return ConfigLoader.load(f);
    }

    @Test
    void proxyAndScreenScoreTheRunsGrayNetworkOnTheRunsImages() throws Exception {
        Path data = fashion(tmp.resolve("fm"), 64);
        ExperimentConfig c = config("{name: nb201, input: 1x28x28, classes: 10}",
                "{name: nwot, options: {batch: 16}, screen: {proxy: jacov, options: {batch: 16}, keep: 0.5}}",
                "dataset: {name: fashion-mnist, dir: " + data + "}\n");
        RunSetup setup = RunSetup.bind(c, TestPlugins::device);
        RunnerTest.run(c, c.output(), false);
        SearchSpace space = setup.space();
        ProxyBatch gray = batch(data, GRAY, 10);
        ProxyBatch rgb = batch(data, space.defaultInput(), 10);
        ObjectMapper json = new ObjectMapper();
        Pattern screened = Pattern.compile("screened out: jacov = (\\S+) is below.*");
        int scored = 0;
        int screenedOut = 0;
        for (String line : Files.readAllLines(c.output().resolve("evaluations.jsonl"))) {
            JsonNode n = json.readTree(line);
            Architecture a = space.parse(n.get("architecture").get("arch").asText());
            long seed = setup.evaluator().seedFor(a);
            Network net = space.network(a, GRAY, 10);
            assertEquals(net.inputShape(), setup.evaluator().network(a).inputShape());
            if (n.get("status").asText().equals("OK")) {
                double journaled = n.get("metrics").get("accuracy").asDouble();
                assertSame(new Nwot(), net, gray, seed, journaled, line);
                if (scored++ == 0) {
                    assertDiffers(new Nwot(), space.network(a), rgb, seed, journaled, line);
                }
            } else {
                Matcher m = screened.matcher(n.get("error").asText());
                assertTrue(m.matches(), line);
                double journaled = Double.parseDouble(m.group(1));
                assertSame(new Jacov(), net, gray, seed, journaled, line);
                if (screenedOut++ == 0) {
                    assertDiffers(new Jacov(), space.network(a), rgb, seed, journaled, line);
                }
            }
        }
        assertEquals(List.of(2, 2), List.of(scored, screenedOut));
        String card = Files.readString(c.output().resolve("models/fast/1/model-card.md"));
        assertTrue(card.contains("nwot {batch=16, data=fashion-mnist, dir=" + data) && card.contains("input 1x28x28"),
                card);
    }

    private static void assertSame(ZeroCostProxy p, Network net, ProxyBatch b, long seed, double journaled, String l) {
        double direct = p.score(net, b, seed);
        assertEquals(direct, journaled, 1e-9 * Math.max(1, Math.abs(direct)), p.name() + " on " + net.inputShape()
                + ": " + l);
    }

    private static void assertDiffers(ZeroCostProxy p, Network net, ProxyBatch b, long seed, double journaled,
            String l) {
        double reference = p.score(net, b, seed);
        assertTrue(Math.abs(reference - journaled) > 1e-6 * Math.max(1, Math.abs(reference)),
                p.name() + " on the space's " + net.inputShape() + " gives the same " + reference + ": " + l);
    }

    @Test
    void countsAreOfTheRunsInputAndClasses() throws Exception {
        ExperimentConfig c = config("{name: nb201, input: 1x28x28, classes: 7}", "{name: params}", "");
        RunSetup setup = RunSetup.bind(c, TestPlugins::device);
        RunnerTest.run(c, c.output(), false);
        ObjectMapper json = new ObjectMapper();
        for (String line : Files.readAllLines(c.output().resolve("evaluations.jsonl"))) {
            JsonNode n = json.readTree(line);
            Architecture a = setup.space().parse(n.get("architecture").get("arch").asText());
            double params = n.get("metrics").get("accuracy").asDouble();
            assertEquals(setup.space().network(a, GRAY, 7).params() / 1e6, params, 1e-12, line);
            assertTrue(Math.abs(setup.space().network(a).params() / 1e6 - params) > 1e-4, line);
        }
    }
}
