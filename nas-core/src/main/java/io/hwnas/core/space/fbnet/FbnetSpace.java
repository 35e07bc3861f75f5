package io.hwnas.core.space.fbnet;

import io.hwnas.core.arch.Architecture;
import io.hwnas.core.ir.Network;
import io.hwnas.core.ir.NetworkBuilder;
import io.hwnas.core.ir.Shape;
import io.hwnas.core.space.ArchitectureFormatException;
import io.hwnas.core.space.InvalidArchitectureException;
import io.hwnas.core.space.Options;
import io.hwnas.core.space.SearchSpace;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The FBNet space as HW-NAS-Bench uses it: 22 searchable layers in stages [1,4,4,4,4,4,1] with
 * output channels [16,24,32,64,112,184,352] and 9 block choices per layer. The canonical string is
 * the space-separated block list of HELP's FBNet latency table.
 */
public final class FbnetSpace implements SearchSpace {

    /** The block names in the order of the decision vector's choice indices. */
    public static final List<String> BLOCKS =
            List.of("k3_e1", "k3_e1_g2", "k3_e3", "k3_e6", "k5_e1", "k5_e1_g2", "k5_e3", "k5_e6", "skip");

    private static final int[] LAYERS_PER_STAGE = {1, 4, 4, 4, 4, 4, 1};
    private static final int[] STAGE_CHANNELS = {16, 24, 32, 64, 112, 184, 352};
    private static final int[] STRIDES_CIFAR = {1, 1, 2, 2, 1, 2, 1};
    private static final int[] STRIDES_IMAGENET = {1, 2, 2, 2, 1, 2, 1};
    static final int LAYERS = 22;

    private final boolean imagenet;

    public FbnetSpace() {
        this(false);
    }

    private FbnetSpace(boolean imagenet) {
        this.imagenet = imagenet;
    }

    @Override
    public String name() {
        return "fbnet";
    }

    @Override
    public String description() {
        return "FBNet space as in HW-NAS-Bench: 22 layers x 9 blocks (k3/k5, expansion 1/3/6, group 2, skip), "
                + (imagenet ? "ImageNet" : "CIFAR-100") + " macro network";
    }

    @Override
    public int[] choices() {
        int[] c = new int[LAYERS];
        Arrays.fill(c, BLOCKS.size());
        return c;
    }

    @Override
    public List<String> positions() {
        List<String> names = new ArrayList<>();
        for (int s = 0, i = 0; s < LAYERS_PER_STAGE.length; s++) {
            for (int l = 0; l < LAYERS_PER_STAGE[s]; l++, i++) {
                names.add("stage" + s + ".layer" + l);
            }
        }
        return names;
    }

    @Override
    public BigInteger size() {
        return BigInteger.valueOf(BLOCKS.size()).pow(LAYERS);
    }

    @Override
    public Architecture parse(String text) {
        String t = text.trim();
        String[] tokens = t.isEmpty() ? new String[0] : t.split("\\s+");
        if (tokens.length != LAYERS) {
            throw new ArchitectureFormatException(name(), text, 0, "expected " + LAYERS
                    + " space-separated blocks, but found " + tokens.length);
        }
        int[] v = new int[LAYERS];
        int pos = 0;
        for (int i = 0; i < LAYERS; i++) {
            pos = t.indexOf(tokens[i], pos);
            int k = BLOCKS.indexOf(tokens[i]);
            if (k < 0) {
                throw new ArchitectureFormatException(name(), text, pos, "layer " + i + ": unknown block '"
                        + tokens[i] + "'; expected one of " + BLOCKS);
            }
            v[i] = k;
            pos += tokens[i].length();
        }
        return decode(v);
    }

    @Override
    public List<String> violations(int[] vector) {
        List<String> out = new ArrayList<>();
        if (vector.length != LAYERS) {
            out.add("the decision vector must have " + LAYERS + " positions, but had " + vector.length);
            return out;
        }
        for (int i = 0; i < LAYERS; i++) {
            if (vector[i] < 0 || vector[i] >= BLOCKS.size()) {
                out.add("position " + i + " = " + vector[i] + " must be in 0.." + (BLOCKS.size() - 1));
            }
        }
        return out;
    }

    @Override
    public Architecture decode(int[] vector) {
        List<String> bad = violations(vector);
        if (!bad.isEmpty()) {
            throw new InvalidArchitectureException(Arrays.toString(vector), bad);
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < LAYERS; i++) {
            if (i > 0) {
                sb.append(' ');
            }
            sb.append(BLOCKS.get(vector[i]));
        }
        return Architecture.of(name(), vector, sb.toString());
    }

    @Override
    public Shape defaultInput() {
        return imagenet ? new Shape(3, 224, 224) : new Shape(3, 32, 32);
    }

    @Override
    public int defaultClasses() {
        return imagenet ? 1000 : 100;
    }

    @Override
    public Network network(Architecture architecture, Shape input, int classes) {
        int[] v = buildableVector(architecture, classes);
        int[] strides = imagenet ? STRIDES_IMAGENET : STRIDES_CIFAR;
        NetworkBuilder b = new NetworkBuilder(input);
        int x = b.conv("stem.conv", b.input(), 16, 3, imagenet ? 2 : 1, 1, 1, false);
        x = b.batchNorm("stem.bn", x);
        x = b.relu("stem.relu", x);
        int i = 0;
        for (int s = 0; s < LAYERS_PER_STAGE.length; s++) {
            for (int l = 0; l < LAYERS_PER_STAGE[s]; l++, i++) {
                int stride = l == 0 ? strides[s] : 1;
                x = block(b, "stage" + s + ".layer" + l + "." + BLOCKS.get(v[i]), x, v[i], STAGE_CHANNELS[s], stride);
            }
        }
        x = b.conv("head.conv", x, imagenet ? 1984 : 1504, 1, 1, 0, 1, false);
        x = b.batchNorm("head.bn", x);
        x = b.relu("head.relu", x);
        x = b.globalAvgPool("head.pool", x);
        b.linear("head.classifier", x, classes, true);
        return b.build();
    }

    private static int block(NetworkBuilder b, String name, int x, int choice, int out, int stride) {
        int in = b.shape(x).channels();
        if (choice == BLOCKS.size() - 1) { // skip
            if (in == out && stride == 1) {
                return x;
            }
            int y = b.conv(name + ".conv", x, out, 1, stride, 0, 1, false);
            return b.batchNorm(name + ".bn", y);
        }
        String block = BLOCKS.get(choice);
        int kernel = block.startsWith("k5") ? 5 : 3;
        int expansion = Integer.parseInt(block.substring(4, 5));
        int groups = block.endsWith("_g2") ? 2 : 1;
        int mid = in * expansion;
        int y = b.conv(name + ".expand.conv", x, mid, 1, 1, 0, groups, false);
        y = b.batchNorm(name + ".expand.bn", y);
        y = b.relu(name + ".expand.relu", y);
        if (groups > 1) {
            y = b.channelShuffle(name + ".shuffle", y, groups);
        }
        y = b.conv(name + ".dw.conv", y, mid, kernel, stride, kernel / 2, mid, false);
        y = b.batchNorm(name + ".dw.bn", y);
        y = b.relu(name + ".dw.relu", y);
        y = b.conv(name + ".project.conv", y, out, 1, 1, 0, groups, false);
        y = b.batchNorm(name + ".project.bn", y);
        return in == out && stride == 1 ? b.add(name + ".add", List.of(x, y)) : y;
    }

    @Override
    public Map<String, Object> options() {
        return Options.ordered("dataset", imagenet ? "imagenet" : "cifar100");
    }

    @Override
    public SearchSpace withOptions(Map<String, ?> options) {
        Options o = new Options("search space fbnet", options, Set.of("dataset"));
        return new FbnetSpace(
                o.string("dataset", imagenet ? "imagenet" : "cifar100", List.of("cifar100", "imagenet")).equals(
                        "imagenet"));
    }
}
