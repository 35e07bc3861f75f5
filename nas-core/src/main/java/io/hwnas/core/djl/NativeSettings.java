package io.hwnas.core.djl;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.LibUtils;
import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.nio.file.Files;
import java.nio.file.Path;

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
 */
final class NativeSettings {

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
                outcome = disableNnpack();
            }
        }
    }

    /** What {@link #apply} did: "NNPACK off", or why the setting was left alone. */
    static String outcome() {
        apply();
        return outcome;
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
