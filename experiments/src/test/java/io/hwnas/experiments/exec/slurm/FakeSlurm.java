package io.hwnas.experiments.exec.slurm;

import io.hwnas.core.arch.Architecture;
import io.hwnas.search.Evaluation;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A scripted Slurm cluster behind {@link SlurmClient.Commands}: {@code sbatch} registers an array
 * job, {@code scontrol -o show job} reports each task's state as it advances (one step a poll),
 * {@code squeue} lists jobs with unfinished tasks. What each task does on each attempt comes from a
 * {@link Plan}; a task that completes writes its candidates' result files as a worker would. The
 * driver can be "killed" at the n-th call of a command. The cluster outlives drivers, as Slurm does.
 */
final class FakeSlurm implements SlurmClient.Commands {

    /** What one attempt of a task does. */
    enum Outcome {
        /** runs one poll, then completes with its results. */
        COMPLETE,
        /** runs five polls, then completes with its results. */
        SLOW,
        /** runs, then fails with exit code 1. */
        FAILED,
        /** runs, then hits its time limit. */
        TIMEOUT,
        /** runs, then its node is lost. */
        NODE_FAIL,
        /** runs, then the controller forgets the job ({@code Invalid job id}). */
        FORGOTTEN,
        /** a pool worker that fails (exit code 1) before it claims anything. */
        BROKEN
    }

    /**
     * The outcome of attempt {@code attempt} (1 = first submission) of task {@code task} of batch {@code batch}
     * ({@link BatchDir#POOL} for the tasks of a worker pool: a pool worker that completes claims and evaluates one
     * candidate a poll until the driver is done; one that fails, times out, loses its node or is forgotten claims
     * one candidate first and leaves the claim behind).
     */
    @FunctionalInterface
    interface Plan {
        Outcome outcome(int batch, int task, int attempt);
    }

    /** The driver dies: thrown from a command, as a kill would stop it there. */
    static final class Killed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Killed(String what) {
            super("driver killed at " + what);
        }
    }

    private static final class Task {
        final int batch;
        final int index;
        final Outcome outcome;
        final String job;
        int polls;
        String state = "PENDING";

        Task(int batch, int index, Outcome outcome, String job) {
            this.batch = batch;
            this.index = index;
            this.outcome = outcome;
            this.job = job;
        }

        boolean terminal() {
            return SlurmClient.TERMINAL.contains(state);
        }
    }

    private record Job(String id, String name, String script, Map<Integer, Task> tasks) {
    }

    private final Path runDir;
    private final Plan plan;
    private final Map<String, Job> jobs = new LinkedHashMap<>();
    private final Map<String, Integer> attempts = new HashMap<>();
    private final Map<String, Integer> calls = new HashMap<>();
    private final Map<String, Integer> killAt = new HashMap<>();
    /** How often pool workers evaluated each candidate. */
    final Map<Architecture, Integer> evaluations = new HashMap<>();
    /** Each sbatch: the array's task ids, in submission order. */
    final List<List<Integer>> submissions = new ArrayList<>();
    private int nextId = 4000;

    FakeSlurm(Path runDir, Plan plan) {
        this.runDir = runDir;
        this.plan = plan;
    }

    /** The driver dies at the {@code n}-th call of {@code command} from now on (sbatch: after the job is queued). */
    FakeSlurm killAt(String command, int n) {
        killAt.put(command, calls.getOrDefault(command, 0) + n);
        return this;
    }

    int calls(String command) {
        return calls.getOrDefault(command, 0);
    }

    /** Time passes while no driver runs: every running task advances by {@code polls} polls. */
    void advance(int polls) {
        for (Job j : jobs.values()) {
            for (Task t : j.tasks().values()) {
                for (int i = 0; i < polls; i++) {
                    step(t);
                }
            }
        }
    }

    @Override
    public synchronized SlurmClient.Output run(List<String> command) {
        String name = command.get(0);
        int n = calls.merge(name, 1, Integer::sum);
        boolean kill = killAt.containsKey(name) && killAt.get(name) == n;
        if (kill && !name.equals("sbatch")) {
            throw new Killed(name + " call " + n);
        }
        SlurmClient.Output out = switch (name) {
            case "sbatch" -> sbatch(command);
            case "scontrol" -> scontrol(command.get(command.size() - 1));
            case "squeue" -> squeue(command);
            default -> new SlurmClient.Output(127, "", name + ": command not found");
        };
        if (kill) {
            throw new Killed("sbatch call " + n + ", after job " + out.stdout().strip() + " was queued");
        }
        return out;
    }

    private SlurmClient.Output sbatch(List<String> command) {
        String array = value(command, "--array=");
        String jobName = value(command, "--job-name=");
        String script = command.get(command.size() - 1);
        String folder = Path.of(script).getParent().getFileName().toString();
        int batch = folder.equals("pool") ? BatchDir.POOL : Integer.parseInt(folder.replace("batch-", ""));
        String id = Integer.toString(nextId++);
        Map<Integer, Task> tasks = new LinkedHashMap<>();
        for (int k : ArraySpec.parse(array)) {
            int attempt = attempts.merge(batch + "/" + k, 1, Integer::sum);
            tasks.put(k, new Task(batch, k, plan.outcome(batch, k, attempt), id));
        }
        submissions.add(List.copyOf(tasks.keySet()));
        jobs.put(id, new Job(id, jobName, script, tasks));
        return new SlurmClient.Output(0, id + "\n", "");
    }

    private SlurmClient.Output scontrol(String id) {
        Job j = jobs.get(id);
        if (j == null || j.tasks().values().stream().anyMatch(t -> t.state.equals("FORGOTTEN"))) {
            return new SlurmClient.Output(1, "", "slurm_load_jobs error: Invalid job id specified\n");
        }
        StringBuilder out = new StringBuilder();
        for (Task t : j.tasks().values()) {
            step(t);
            out.append("JobId=").append(Integer.parseInt(id) + 1 + t.index).append(" ArrayJobId=").append(id)
                    .append(" ArrayTaskId=").append(t.index).append(" JobName=").append(j.name())
                    .append(" JobState=").append(t.state).append(" Reason=None ExitCode=")
                    .append(t.state.equals("FAILED") ? "1:0" : t.state.equals("TIMEOUT") ? "0:15" : "0:0")
                    .append('\n');
        }
        return new SlurmClient.Output(0, out.toString(), "");
    }

    private SlurmClient.Output squeue(List<String> command) {
        String name = command.get(command.indexOf("-n") + 1);
        StringBuilder out = new StringBuilder();
        for (Job j : jobs.values()) {
            if (j.name().equals(name) && j.tasks().values().stream().anyMatch(t -> !t.terminal())) {
                out.append(j.id()).append('|').append(j.script()).append('\n');
            }
        }
        return new SlurmClient.Output(0, out.toString(), "");
    }

    /** One poll of time for a task: pending, then running, then its outcome. */
    private void step(Task t) {
        if (t.terminal() || t.state.equals("FORGOTTEN")) {
            return;
        }
        t.polls++;
        if (t.polls == 1) {
            t.state = "RUNNING";
            return;
        }
        if (t.batch == BatchDir.POOL) {
            poolStep(t);
            return;
        }
        if (t.outcome == Outcome.SLOW && t.polls < 6) {
            return;
        }
        switch (t.outcome) {
            case COMPLETE, SLOW -> {
                writeResults(t);
                t.state = "COMPLETED";
            }
            case FAILED -> t.state = "FAILED";
            case TIMEOUT -> t.state = "TIMEOUT";
            case NODE_FAIL -> t.state = "NODE_FAIL";
            case FORGOTTEN -> t.state = "FORGOTTEN";
            default -> throw new IllegalStateException();
        }
    }

    /** One poll of a running pool worker (the real claim code, with the fake evaluation). */
    private void poolStep(Task t) {
        String worker = t.job + "_" + t.index;
        PoolQueue queue = new PoolQueue(runDir);
        switch (t.outcome) {
            case COMPLETE, SLOW -> {
                if (queue.done()) {
                    t.state = "COMPLETED";
                } else {
                    new PoolWorker(runDir, worker, 60_000, new java.io.PrintWriter(java.io.Writer.nullWriter()))
                            .workOnce(this::evaluate);
                }
            }
            case BROKEN -> t.state = "FAILED";
            default -> {
                if (t.polls == 2) {
                    queue.claimNext(worker); // dies holding it
                    return;
                }
                t.state = switch (t.outcome) {
                    case FAILED -> "FAILED";
                    case TIMEOUT -> "TIMEOUT";
                    case NODE_FAIL -> "NODE_FAIL";
                    default -> "FORGOTTEN";
                };
            }
        }
    }

    /** The fake evaluation of pool workers, counted per candidate. */
    private Evaluation evaluate(Architecture a) {
        evaluations.merge(a, 1, Integer::sum);
        return Evaluation.ok(a, Map.of("accuracy", accuracy(a)));
    }

    /** What {@code hwnas worker} leaves for a task: one result file per candidate of its share. */
    private void writeResults(Task t) {
        BatchDir dir = new BatchDir(runDir, t.batch);
        for (Architecture a : dir.tasks().get(t.index)) {
            dir.writeResult(Evaluation.ok(a, Map.of("accuracy", accuracy(a))), 1.5, t.index);
        }
    }

    /** The accuracy the fake workers report: a function of the architecture alone, for cross-checks. */
    static double accuracy(Architecture a) {
        return 50 + Math.floorMod(a.canonical().hashCode(), 4000) / 100.0;
    }

    private static String value(List<String> command, String prefix) {
        return command.stream().filter(a -> a.startsWith(prefix)).map(a -> a.substring(prefix.length())).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("sbatch without " + prefix + ": " + command));
    }
}
