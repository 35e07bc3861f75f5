package io.hwnas.experiments.exec.slurm;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Talks to Slurm through its commands: {@code sbatch} to submit, {@code scontrol -o show job} and
 * {@code squeue} to follow array tasks. Needs no accounting database ({@code sacct}). The commands
 * run through {@link Commands}: the real processes, or a scripted cluster in tests, so that the
 * executor's retry and resume logic runs without Slurm.
 */
final class SlurmClient {

    /** Runs one Slurm command (its name first) and returns what it printed and its exit code. */
    @FunctionalInterface
    interface Commands {
        Output run(List<String> command);
    }

    private final Commands commands;

    /** A client of the real Slurm commands on the PATH. */
    SlurmClient() {
        this(SlurmClient::run);
    }

    SlurmClient(Commands commands) {
        this.commands = commands;
    }

    private static final Logger LOG = LoggerFactory.getLogger(SlurmClient.class);
    private static final long COMMAND_TIMEOUT_S = 120;
    /** Reads the commands' output; the common pool may have a single thread on a small machine. */
    private static final java.util.concurrent.ExecutorService READERS =
            java.util.concurrent.Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, "hwnas-slurm-io");
                t.setDaemon(true);
                return t;
            });

    /** States after which a task will not run again by itself. */
    static final Set<String> TERMINAL = Set.of("COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL",
            "OUT_OF_MEMORY", "PREEMPTED", "BOOT_FAIL", "DEADLINE");

    /** Reasons a pending job keeps until someone changes it: a cancelled task is retried, these are not. */
    static final Set<String> NEVER_STARTS = Set.of("PartitionTimeLimit", "PartitionNodeLimit", "PartitionConfig",
            "BadConstraints", "InvalidAccount", "InvalidQOS", "DependencyNeverSatisfied",
            "QOSMaxWallDurationPerJobLimit",
            "AssocMaxWallDurationPerJobLimit", "QOSMaxCpuPerJobLimit", "QOSMaxGRESPerJob");

    private static final Pattern TASK_ID = Pattern.compile("(?:^| )ArrayTaskId=(\\S+)");
    private static final Pattern STATE = Pattern.compile("(?:^| )JobState=(\\S+)");
    private static final Pattern EXIT = Pattern.compile("(?:^| )ExitCode=(\\S+)");
    private static final Pattern REASON = Pattern.compile("(?:^| )Reason=(\\S+)");

    /** What Slurm says of one array task. */
    record TaskState(String state, String exitCode, String reason) {
        boolean terminal() {
            return TERMINAL.contains(state);
        }

        @Override
        public String toString() {
            return state + (exitCode == null || exitCode.equals("0:0") ? "" : ", exit code " + exitCode)
                    + (reason == null || reason.equals("None") ? "" : ", reason " + reason);
        }
    }

    /** The output of one command. */
    record Output(int exitCode, String stdout, String stderr) {
    }

    /**
     * Submits a job and returns its id.
     *
     * @throws IllegalArgumentException when sbatch rejects the job (bad partition, account, time limit ...)
     */
    String submit(List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add("sbatch");
        cmd.add("--parsable");
        cmd.addAll(args);
        for (int attempt = 1;; attempt++) {
            Output o = commands.run(cmd);
            if (o.exitCode() == 0) {
                String id = o.stdout().strip().split("[;\\s]")[0];
                if (!id.matches("\\d+")) {
                    throw new IllegalStateException("sbatch printed '" + o.stdout().strip() + "', not a job id");
                }
                return id;
            }
            String err = o.stderr().strip();
            boolean transientError = err.contains("temporarily") || err.contains("timed out")
                    || err.contains("Unable to contact") || err.contains("Socket timed out")
                    || err.contains("Transport endpoint");
            if (!transientError || attempt >= 5) {
                throw new IllegalArgumentException("sbatch refused the job (exit code " + o.exitCode() + "): " + err
                        + "; check executor.options (partition, account, qos, time_limit, mem, gres, "
                        + "extra_sbatch_args)");
            }
            LOG.warn("sbatch failed ({}); trying again", err);
            sleep(2000L * attempt);
        }
    }

    /**
     * The state of each task of an array job that Slurm still knows: an empty map when the controller
     * has forgotten the job, empty when Slurm could not be asked (try again later).
     */
    Optional<Map<Integer, TaskState>> arrayStates(String jobId) {
        Output o = commands.run(List.of("scontrol", "-o", "show", "job", jobId));
        Map<Integer, TaskState> out = new HashMap<>();
        if (o.exitCode() != 0) {
            if (o.stderr().contains("Invalid job id")) {
                return Optional.of(out);
            }
            LOG.warn("scontrol show job {} failed: {}", jobId, o.stderr().strip());
            return Optional.empty();
        }
        for (String line : o.stdout().split("\n")) {
            Matcher t = TASK_ID.matcher(line);
            Matcher s = STATE.matcher(line);
            if (!t.find() || !s.find()) {
                continue;
            }
            TaskState st = new TaskState(s.group(1), group(EXIT, line), group(REASON, line));
            for (int task : ArraySpec.parse(t.group(1))) {
                out.put(task, st);
            }
        }
        return Optional.of(out);
    }

    /** Array job ids of queued or running jobs with this name whose batch script is {@code script}. */
    List<String> activeJobs(String name, String script) {
        Output o = commands.run(List.of("squeue", "-h", "-n", name, "-o", "%F|%o"));
        List<String> ids = new ArrayList<>();
        if (o.exitCode() != 0) {
            LOG.warn("squeue -n {} failed: {}", name, o.stderr().strip());
            return ids;
        }
        for (String line : o.stdout().split("\n")) {
            String[] f = line.strip().split("\\|", 2);
            if (f.length == 2 && f[1].equals(script) && !ids.contains(f[0])) {
                ids.add(f[0]);
            }
        }
        return ids;
    }

    private static String group(Pattern p, String line) {
        Matcher m = p.matcher(line);
        return m.find() ? m.group(1) : null;
    }

    static Output run(List<String> cmd) {
        Process p;
        try {
            p = new ProcessBuilder(cmd).start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + cmd.get(0) + " (" + e.getMessage() + "): the slurm "
                    + "executor runs where the Slurm commands are on the PATH (a login or compute node)", e);
        }
        try {
            p.getOutputStream().close();
            CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()), READERS);
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()), READERS);
            if (!p.waitFor(COMMAND_TIMEOUT_S, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Output(-1, "", String.join(" ", cmd) + " timed out after " + COMMAND_TIMEOUT_S + " s");
            }
            return new Output(p.exitValue(), out.join(), err.join());
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + cmd, e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for Slurm", e);
        }
    }
}
