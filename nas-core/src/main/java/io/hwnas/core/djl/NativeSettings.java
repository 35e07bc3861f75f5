package io.hwnas.core.djl;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.LibUtils;
import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * libtorch settings that DJL does not expose, applied once when the engine is loaded.
 *
 * <p>NNPACK off ({@code torch.backends.nnpack.set_flags(False)} in Python, {@code
 * at::globalContext().setUserEnabledNNPACK(false)} in C++). Before its float32 and float64 CPU convolutions fall
 * back to the im2col kernel, libtorch 2.7.1 asks whether NNPACK is available. On CPUs NNPACK does not know (AMD
 * EPYC with AVX-512 among them), each ask fails to initialise it again and logs {@code Could not initialize NNPACK!
 * Reason: Unsupported hardware.} to the process's standard error: 74 lines per synflow score of an NB201 network,
 * thousands per proxy search. Turning NNPACK off skips the ask. oneDNN, which hwnas's float32 convolutions use,
 * is unaffected, and every result is unchanged.
 *
 * <p>DJL has no binding for the setting, so it is called through JNA (which DJL already ships) by its C++ symbol.
 * It is best effort: a libtorch without those symbols (another version or platform) keeps its defaults.
 *
 * <p>glibc's allocator keeps what libtorch frees ({@code mallopt}: mmap threshold {@value #MMAP_THRESHOLD} bytes,
 * trim threshold and top pad {@value #TRIM_THRESHOLD} bytes). Every activation and gradient of a training step is
 * a fresh allocation of up to megabytes. In a Python process they come from the main arena, whose mmap threshold
 * rises to the sizes freed; a JVM's threads allocate from per-thread arenas, whose heaps glibc shrinks with
 * {@code MADV_DONTNEED} as soon as their free top passes the trim threshold, so the next step faults every page
 * in again. On the NB201 cell (batch 64, 2 threads) that was 2.3x the page faults and about 1.3x to 1.7x the
 * training time. A process whose environment already tunes malloc ({@code MALLOC_*} variables or {@code
 * glibc.malloc} tunables) keeps the user's settings, and a C library without {@code mallopt} is left alone.
 */
final class NativeSettings {

    /** glibc's {@code mallopt} parameters (malloc.h) and hwnas's values. */
    private static final int M_TRIM_THRESHOLD = -1;
    private static final int M_TOP_PAD = -2;
    private static final int M_MMAP_THRESHOLD = -3;
    static final int MMAP_THRESHOLD = 32 << 20;
    /** The trim threshold, also the top pad. */
    static final int TRIM_THRESHOLD = 256 << 20;

    /** What {@link #apply} did, or null before it ran. */
    private static volatile String outcome;

    private NativeSettings() {
    }

    /** Loads the engine and applies the settings once per process. */
    static void apply() {
        if (outcome != null) {
            return;
        }
        synchronized (NativeSettings.class) {
            if (outcome == null) {
                Engine.getInstance();
                outcome = disableNnpack() + "; " + keepFreedMemory(System.getenv());
            }
        }
    }

    /** What {@link #apply} did: "NNPACK off; glibc malloc ...", or why a setting was left alone. */
    static String outcome() {
        apply();
        return outcome;
    }

    /**
     * Sets glibc's mmap threshold, trim threshold and top pad (see the class comment), unless {@code env} tunes
     * malloc already; says what it did.
     */
    static String keepFreedMemory(Map<String, String> env) {
        for (String name : env.keySet()) {
            if (name.startsWith("MALLOC_")
                    || name.equals("GLIBC_TUNABLES") && env.get(name).contains("glibc.malloc.")) {
                return "malloc left as it is: " + name + " is set";
            }
        }
        if (!Platform.isLinux()) {
            return "malloc left as it is: not Linux";
        }
        try {
            Function mallopt = NativeLibrary.getInstance(Platform.C_LIBRARY_NAME).getFunction("mallopt");
            boolean ok = mallopt.invokeInt(new Object[] {M_MMAP_THRESHOLD, MMAP_THRESHOLD}) == 1
                    & mallopt.invokeInt(new Object[] {M_TRIM_THRESHOLD, TRIM_THRESHOLD}) == 1
                    & mallopt.invokeInt(new Object[] {M_TOP_PAD, TRIM_THRESHOLD}) == 1;
            return ok ? "glibc malloc keeps freed memory (mmap threshold " + (MMAP_THRESHOLD >> 20)
                    + " MiB, trim threshold and top pad " + (TRIM_THRESHOLD >> 20) + " MiB)"
                    : "malloc left as it is: mallopt refused a setting";
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            return "malloc left as it is: " + e.getMessage();
        }
    }

    private static String disableNnpack() {
        try {
            Path lib = Path.of(LibUtils.getLibtorchPath()).resolve(System.mapLibraryName("torch_cpu"));
            if (!Files.isRegularFile(lib)) {
                return "NNPACK left as it is: no " + lib;
            }
            NativeLibrary torch = NativeLibrary.getInstance(lib.toString());
            Pointer context = torch.getFunction("_ZN2at13globalContextEv").invokePointer(new Object[0]);
            torch.getFunction("_ZN2at7Context20setUserEnabledNNPACKEb").invokeVoid(new Object[] {context, false});
            Function enabled = torch.getFunction("_ZNK2at7Context17userEnabledNNPACKEv");
            return (enabled.invokeInt(new Object[] {context}) & 0xff) == 0 ? "NNPACK off"
                    : "NNPACK left on: the setting did not take";
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            return "NNPACK left as it is: " + e.getMessage();
        }
    }
}
