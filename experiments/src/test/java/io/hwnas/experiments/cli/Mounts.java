package io.hwnas.experiments.cli;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * Real filesystems for environment-failure tests: a read-only bind mount and a tiny tmpfs. Mounting needs
 * root (or CAP_SYS_ADMIN); where it is refused the calling test is skipped, never failed.
 */
final class Mounts {

    private Mounts() {
    }

    /** Exit code of a command, its output discarded. */
    static int run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        return p.waitFor();
    }

    /** Mounts {@code source} read-only at {@code target}; returns the mount point (to unmount). */
    static Path readOnlyBind(Path source, Path target) throws Exception {
        mountOrSkip("mount", "--bind", source.toString(), target.toString());
        if (run("mount", "-o", "remount,bind,ro", target.toString()) != 0) {
            run("umount", target.toString());
            Assumptions.abort("cannot remount " + target + " read-only here");
        }
        return target;
    }

    /** Mounts a tmpfs of {@code size} (e.g. 64k) at {@code target}; returns the mount point. */
    static Path tmpfs(Path target, String size) throws Exception {
        mountOrSkip("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", target.toString());
        return target;
    }

    private static void mountOrSkip(String... command) throws Exception {
        int code;
        try {
            code = run(command);
        } catch (IOException e) {
            code = -1; // no mount command
        }
        Assumptions.assumeTrue(code == 0, "mounting is not allowed here (needs root): " + String.join(" ", command));
    }
}
