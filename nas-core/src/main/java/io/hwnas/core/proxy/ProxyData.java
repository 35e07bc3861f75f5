package io.hwnas.core.proxy;

import io.hwnas.core.accuracy.EstimatorOptions;
import io.hwnas.core.data.DataSplits;
import io.hwnas.core.data.Datasets;
import io.hwnas.core.data.ImageBatcher;
import io.hwnas.core.data.ImageDataset;
import io.hwnas.core.ir.Shape;
import io.hwnas.core.space.Options;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where the data proxies' batch comes from: seeded Gaussian inputs or a seeded sample of a
 * dataset's training images. Batches are cached, so every architecture sees the same inputs.
 */
record ProxyData(int batch, String data, String dir, int dataSeed) {

    static final ProxyData DEFAULT = new ProxyData(64, "random", null, 0);

    private static final Map<String, ProxyBatch> CACHE = new ConcurrentHashMap<>();
    private static final Map<String, DataSplits> DATASETS = new ConcurrentHashMap<>();

    static ProxyData read(EstimatorOptions o, ProxyData base) {
        List<String> sources = new ArrayList<>(List.of("random"));
        sources.addAll(Datasets.NAMES);
        return new ProxyData(o.integer("batch", base.batch, 2, 1024), o.string("data", base.data, sources),
                o.text("dir", base.dir), o.integer("data_seed", base.dataSeed, 0, Integer.MAX_VALUE));
    }

    Map<String, Object> options() {
        return Options.ordered("batch", batch, "data", data, "dir", dir == null ? "" : dir, "data_seed", dataSeed);
    }

    /** The batch in words, e.g. "64 fashion-mnist training images (data_seed 0) fitted to 1x28x28". */
    String describe(Shape input) {
        String which = " (data_seed " + dataSeed + ")";
        return data.equals("random") ? batch + " seeded Gaussian inputs of " + input + which
                : batch + " " + data + " training images" + which + " fitted to " + input;
    }

    ProxyBatch batch(Shape input, int classes) {
        String key = this + "|" + input + "|" + classes;
        return CACHE.computeIfAbsent(key, k -> make(input, classes));
    }

    private ProxyBatch make(Shape input, int classes) {
        if (data.equals("random")) {
            return ProxyBatch.gaussian(batch, input, classes, dataSeed);
        }
        DataSplits splits = DATASETS.computeIfAbsent(data + "|" + dir,
                k -> Datasets.load(data, dir == null ? null : Path.of(dir), dataSeed));
        ImageDataset train = splits.train();
        int[] idx = ImageDataset.permutation(train.size(), dataSeed);
        ImageBatcher batcher = ImageBatcher.fitted(train.sample(Math.min(train.size(), 5000), 0), input);
        int n = Math.min(batch, train.size());
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = train.label(idx[i]) % classes;
        }
        return new ProxyBatch(batcher.fill(train, idx, 0, n), labels, input, classes);
    }
}
