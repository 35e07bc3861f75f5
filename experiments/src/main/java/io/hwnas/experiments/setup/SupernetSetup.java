package io.hwnas.experiments.setup;

import io.hwnas.core.data.Datasets;
import io.hwnas.core.data.ImageDataset;
import io.hwnas.core.ir.Shape;
import io.hwnas.core.space.SearchSpace;
import io.hwnas.core.space.mobilenet.MobilenetSpace;
import io.hwnas.core.supernet.SupernetRun;
import io.hwnas.core.supernet.SupernetSpec;
import io.hwnas.core.supernet.SupernetTrainingOptions;
import io.hwnas.experiments.config.ConfigException;
import io.hwnas.experiments.config.SupernetConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Binds a {@link SupernetConfig} to what {@code SupernetTraining} runs: the space with its options, the supernet's
 * elastic range at the config's input (channels from {@code space.input}, else the space's default input), the
 * classes ({@code space.classes}, else the dataset's), and the seeded train/validation split.
 *
 * @param run  the training to run
 * @param data the split it trains and validates on
 */
public record SupernetSetup(SupernetRun run, ImageDataset.Split data) {

    /**
     * Binds a config, with {@code steps} (when not null) instead of the config's step budget.
     *
     * @throws ConfigException naming the file, field, value and what is allowed
     */
    public static SupernetSetup bind(SupernetConfig c, Integer steps) {
        String file = c.file().toString();
        MobilenetSpace space = space(c, file);
        String dataset = (String) c.dataset().get("name");
        if (dataset == null) {
            throw new ConfigException(List.of(file + ": dataset: a supernet is trained on a dataset; expected a "
                    + "dataset section with a name, one of " + Datasets.NAMES));
        }
        String dir = (String) c.dataset().get("dir");
        Shape input = c.space().input() == null ? space.defaultInput() : c.space().input();
        int classes = c.space().classes() == null ? Datasets.classes(dataset) : c.space().classes();
        SupernetSpec spec = spec(c, space, input.channels(), classes, file);
        ImageDataset.Split data;
        try {
            data = SupernetRun.Dataset.split(dataset, dir, c.validationImages(), c.seed());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(List.of(file + ": supernet.validation_images / dataset: " + e.getMessage()));
        }
        if (data.train().classes() != classes) {
            throw new ConfigException(List.of(file + ": space.classes: " + classes + " classes, but dataset "
                    + dataset + " has " + data.train().classes()));
        }
        SupernetTrainingOptions options = steps == null ? c.training() : c.training().toBuilder().steps(steps).build();
        SupernetRun run = new SupernetRun(spec, SupernetRun.Dataset.of(dataset, dir, data), c.seed(), options);
        if (c.initFrom() != null) {
            try {
                run = run.startingFrom(c.initFrom());
            } catch (IllegalArgumentException e) {
                throw new ConfigException(List.of(file + ": supernet.init_from = " + c.initFrom() + " is not allowed: "
                        + e.getMessage()));
            }
        }
        return new SupernetSetup(run, data);
    }

    private static MobilenetSpace space(SupernetConfig c, String file) {
        Objects.requireNonNull(c.space(), "space");
        try {
            SearchSpace s = io.hwnas.core.space.compress.CompressedSpaces.get(c.space().name(), c.space().options());
            if (s instanceof MobilenetSpace m) {
                return m;
            }
            throw new ConfigException(List.of(file + ": space.name: '" + c.space().name() + "' is not allowed; "
                    + "expected mobilenet (the supernet is an MBConv supernet)"));
        } catch (ConfigException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new ConfigException(List.of(file + ": space: " + e.getMessage()));
        }
    }

    private static SupernetSpec spec(SupernetConfig c, MobilenetSpace space, int channels, int classes, String file) {
        List<String> problems = new ArrayList<>();
        SupernetSpec spec = SupernetSpec.of(space, channels, classes).withElastic(c.kernels(), c.expansions())
                .withGroupWidths(c.groupWidths());
        try {
            spec = spec.at(c.resolution() == null ? spec.resolution() : c.resolution(),
                    c.width() == null ? spec.width() : c.width());
        } catch (IllegalArgumentException e) {
            problems.add(file + ": supernet.resolution / supernet.width: " + e.getMessage());
        }
        if (c.resolutions() != null) {
            try {
                spec = spec.withResolutions(c.resolutions());
            } catch (IllegalArgumentException e) {
                problems.add(file + ": supernet.resolutions = " + c.resolutions() + " is not allowed: "
                        + e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return spec;
    }
}
