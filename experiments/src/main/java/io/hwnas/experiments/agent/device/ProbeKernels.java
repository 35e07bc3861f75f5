package io.hwnas.experiments.agent.device;

import io.hwnas.core.ir.LayerKind;
import io.hwnas.core.ir.Network;
import io.hwnas.core.ir.NetworkBuilder;
import io.hwnas.core.ir.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * The micro-benchmarks of {@code device probe}: one-kernel networks (convolution, depthwise, pointwise,
 * GEMM, pooling, element-wise) over a grid of the shapes MobileNet-style and NAS-Bench-201 networks use,
 * and large element-wise passes for the memory bandwidth.
 */
public final class ProbeKernels {

    /**
     * One micro-benchmark.
     *
     * @param kernel  conv, depthwise, pointwise, gemm, pool or elementwise
     * @param name    the kernel and its shape, e.g. {@code depthwise-k5-c192-28x28-s1}
     * @param network the one-kernel network
     */
    public record Probe(String kernel, String name, Network network) {
    }

    private ProbeKernels() {
    }

    /** The full grid (about 60 kernels), or with {@code quick} a few small ones (tests). */
    public static List<Probe> grid(boolean quick) {
        List<Probe> out = new ArrayList<>();
        int[][] conv = quick ? new int[][] {{8, 16, 1}} : new int[][] {{16, 112, 1}, {32, 56, 1}, {64, 28, 1},
            {128, 14, 1}, {256, 7, 1}, {16, 32, 1}, {32, 16, 1}, {64, 8, 1}, {16, 32, 2}, {32, 16, 2}};
        for (int[] c : conv) {
            out.add(conv("conv", c[0], c[0] * c[2], c[1], 3, c[2], 1));
        }
        if (!quick) {
            out.add(conv("conv", 3, 32, 224, 3, 2, 1));
            out.add(conv("conv", 3, 16, 32, 3, 1, 1));
        }
        int[][] dw = quick ? new int[][] {{16, 8, 3, 1}} : new int[][] {{96, 56, 3, 1}, {192, 28, 3, 1},
            {384, 14, 3, 1}, {960, 7, 3, 1}, {96, 56, 5, 1}, {192, 28, 5, 1}, {384, 14, 5, 1}, {960, 7, 5, 1},
            {96, 56, 7, 1}, {192, 28, 7, 1}, {384, 14, 7, 1}, {960, 7, 7, 1}, {144, 56, 3, 2}, {240, 28, 5, 2},
            {32, 112, 3, 1}, {96, 112, 3, 2}};
        for (int[] d : dw) {
            out.add(conv("depthwise", d[0], d[0], d[1], d[2], d[3], d[0]));
        }
        int[][] pw = quick ? new int[][] {{8, 16, 8}} : new int[][] {{16, 96, 112}, {24, 144, 56}, {144, 24, 56},
            {32, 192, 28}, {192, 32, 28}, {64, 384, 14}, {384, 64, 14}, {160, 960, 7}, {960, 160, 7}, {320, 1280, 7},
            {16, 16, 32}, {32, 32, 16}, {64, 64, 8}, {32, 16, 112}};
        for (int[] p : pw) {
            out.add(conv("pointwise", p[0], p[1], p[2], 1, 1, 1));
        }
        int[][] gemm = quick ? new int[][] {{32, 10}} : new int[][] {{1280, 1000}, {512, 1000}, {2048, 1000},
            {256, 256}, {1024, 4096}, {64, 10}};
        for (int[] g : gemm) {
            NetworkBuilder b = new NetworkBuilder(new Shape(g[0], 1, 1));
            b.linear("gemm", b.input(), g[1], true);
            out.add(new Probe("gemm", "gemm-" + g[0] + "x" + g[1], b.build()));
        }
        if (!quick) {
            pools(out);
        }
        int[][] ew = quick ? new int[][] {{8, 16}} : new int[][] {{1, 1}, {16, 112}, {64, 56}, {128, 56},
            {256, 112}, {64, 512}};
        for (int[] e : ew) {
            NetworkBuilder b = new NetworkBuilder(new Shape(e[0], e[1], e[1]));
            int x = b.input();
            b.add("add", List.of(x, b.activation("relu", LayerKind.RELU, x)));
            out.add(new Probe("elementwise", "relu-add-c" + e[0] + "-" + e[1] + "x" + e[1], b.build()));
        }
        return out;
    }

    private static void pools(List<Probe> out) {
        int[][] pool = {{16, 32}, {32, 16}, {64, 8}};
        for (int[] p : pool) {
            NetworkBuilder b = new NetworkBuilder(new Shape(p[0], p[1], p[1]));
            b.avgPool("pool", b.input(), 3, 1, 1);
            out.add(new Probe("pool", "avgpool-k3-c" + p[0] + "-" + p[1] + "x" + p[1], b.build()));
        }
        for (int[] p : new int[][] {{1280, 7}, {64, 8}}) {
            NetworkBuilder b = new NetworkBuilder(new Shape(p[0], p[1], p[1]));
            b.globalAvgPool("pool", b.input());
            out.add(new Probe("pool", "globalpool-c" + p[0] + "-" + p[1] + "x" + p[1], b.build()));
        }
    }

    private static Probe conv(String kind, int cin, int cout, int hw, int k, int stride, int groups) {
        NetworkBuilder b = new NetworkBuilder(new Shape(cin, hw, hw));
        b.conv("conv", b.input(), cout, k, stride, k / 2, groups, false);
        String name = kind + "-k" + k + "-c" + cin + (cout != cin ? "to" + cout : "") + "-" + hw + "x" + hw + "-s"
                + stride;
        return new Probe(kind, name, b.build());
    }
}
