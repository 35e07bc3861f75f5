package io.hwnas.experiments.exec.slurm;

import io.hwnas.experiments.run.TestPlugins;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The worker as the Slurm tests launch it ({@code java -cp <test classes> ... worker --run D
 * --batch N --task K}, or {@code worker --run D --pool --idle-timeout S}): {@code hwnas worker} with
 * the test devices instead of the production binder.
 */
public final class TestWorkerMain {

    private TestWorkerMain() {
    }

    public static void main(String[] args) {
        PrintWriter log = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
        boolean pool = args.length == 6 && args[3].equals("--pool") && args[4].equals("--idle-timeout");
        if (!args[0].equals("worker") || !args[1].equals("--run") || !pool && (args.length != 7
                || !args[3].equals("--batch") || !args[5].equals("--task"))) {
            log.println("usage: TestWorkerMain worker --run DIR (--batch N --task K | --pool --idle-timeout S)");
            System.exit(2);
        }
        try {
            if (pool) {
                String worker = System.getenv("SLURM_ARRAY_JOB_ID") + "_" + System.getenv("SLURM_ARRAY_TASK_ID");
                System.exit(PoolWorker.run(Path.of(args[2]), worker, Long.parseLong(args[args.length - 1]) * 1000,
                        TestPlugins::device, log));
            }
            System.exit(SlurmWorker.run(Path.of(args[2]), Integer.parseInt(args[4]), Integer.parseInt(args[6]),
                    TestPlugins::device, log));
        } catch (RuntimeException e) {
            e.printStackTrace(log);
            System.exit(e instanceof IllegalArgumentException ? 2 : 1);
        }
    }
}
