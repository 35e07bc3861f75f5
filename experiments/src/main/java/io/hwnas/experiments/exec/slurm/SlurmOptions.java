package io.hwnas.experiments.exec.slurm;

import io.hwnas.experiments.config.Problems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The {@code slurm} executor's options ({@code executor.options} in a config), validated.
 *
 * @param partition       {@code --partition}, or null for the cluster default
 * @param account         {@code --account}, or null
 * @param qos             {@code --qos}, or null
 * @param timeLimit       {@code --time} of one array task (e.g. {@code 30}, {@code 2:00:00},
 *                        {@code 1-00:00:00}), or null
 * @param cpusPerTask     {@code --cpus-per-task}
 * @param mem             {@code --mem} per task (e.g. {@code 4G}), or null for the cluster default
 * @param gres            {@code --gres} per task, passed through as written, or null (the bundled PyTorch
 *                        engine is CPU-only: a GPU allocated here is not used)
 * @param tasksPerArray   the most array tasks one batch is split into; candidates are shared out evenly
 * @param extraSbatchArgs further sbatch arguments, each one word (e.g. {@code --constraint=a100})
 * @param launcher        the shell command that starts hwnas on a node, followed by {@code worker ...}
 * @param maxRetries      how often a failed, cancelled, timed-out or node-failed task is resubmitted
 * @param pollIntervalMs  how often the driver looks at results and task states
 * @param pool            the number of long-lived workers of the worker pool, or 0 for one job array per batch
 * @param poolIdleS       how long a pool worker waits for work before it exits, seconds
 */
public record SlurmOptions(String partition, String account, String qos, String timeLimit, int cpusPerTask,
        String mem, String gres, int tasksPerArray, List<String> extraSbatchArgs, String launcher, int maxRetries,
        long pollIntervalMs, int pool, int poolIdleS) {

    /** The option names a config may use. */
    public static final List<String> NAMES = List.of("partition", "account", "qos", "time_limit", "cpus_per_task",
            "mem", "gres", "tasks_per_array", "extra_sbatch_args", "launcher", "max_retries", "poll_interval_ms", "pool",
            "pool_idle_timeout_s");

    /** Slurm's default MaxArraySize is 1001, so 1000 tasks (0..999) fit every default cluster. */
    public static final int MAX_TASKS_PER_ARRAY = 1000;

    private static final Pattern TIME = Pattern.compile("\\d+(:\\d{1,2}){0,2}|\\d+-\\d{1,2}(:\\d{1,2}){0,2}");
    private static final Pattern MEM = Pattern.compile("\\d+[KMGT]?");
    private static final Pattern WORD = Pattern.compile("[A-Za-z0-9_.,:=/@%+-]+");

    public SlurmOptions {
        extraSbatchArgs = List.copyOf(extraSbatchArgs);
        Objects.requireNonNull(launcher, "launcher");
        if (cpusPerTask < 1 || tasksPerArray < 1 || tasksPerArray > MAX_TASKS_PER_ARRAY || maxRetries < 0
                || pollIntervalMs < 10 || pool < 0 || pool > MAX_TASKS_PER_ARRAY || poolIdleS < 1) {
            throw new IllegalArgumentException("slurm options out of range: cpus_per_task " + cpusPerTask
                    + ", tasks_per_array " + tasksPerArray + ", max_retries " + maxRetries + ", poll_interval_ms "
                    + pollIntervalMs + ", pool " + pool + ", pool_idle_timeout_s " + poolIdleS);
        }
    }

    /**
     * Reads and checks the options, reporting every problem at once.
     *
     * @param options         the {@code executor.options} map
     * @param configFile      the file named in messages
     * @param defaultLauncher the launcher when none is given, or null when there is no default
     * @throws io.hwnas.experiments.config.ConfigException listing every problem
     */
    public static SlurmOptions parse(Map<String, Object> options, String configFile, String defaultLauncher) {
        Problems p = new Problems(configFile);
        for (String k : options.keySet()) {
            if (!NAMES.contains(k)) {
                p.unknownField("executor.options." + k, NAMES.stream().sorted().toList());
            }
        }
        String partition = word(options, "partition", p);
        String account = word(options, "account", p);
        String qos = word(options, "qos", p);
        String time = matching(options, "time_limit", TIME, "minutes or [days-]hours:minutes:seconds, e.g. 30, "
                + "2:00:00 or 1-00:00:00", p);
        int cpus = integer(options, "cpus_per_task", 1, 1, 4096, p);
        String mem = matching(options, "mem", MEM, "a size with an optional K/M/G/T suffix, e.g. 4G", p);
        String gres = word(options, "gres", p);
        int tasks = integer(options, "tasks_per_array", MAX_TASKS_PER_ARRAY, 1, MAX_TASKS_PER_ARRAY, p);
        List<String> extra = new ArrayList<>();
        Object x = options.get("extra_sbatch_args");
        if (x instanceof List<?> l) {
            for (int i = 0; i < l.size(); i++) {
                Object a = l.get(i);
                if (!(a instanceof String s) || !s.startsWith("-") || s.isBlank() || s.chars().anyMatch(
                        Character::isWhitespace) || s.startsWith("--array") || s.equals("-a")) {
                    p.notAllowed("executor.options.extra_sbatch_args[" + i + "]", a,
                            "one sbatch option word starting with '-' (e.g. --constraint=a100), not --array");
                } else {
                    extra.add(s);
                }
            }
        } else if (x != null) {
            p.notAllowed("executor.options.extra_sbatch_args", x, "a list of sbatch options, e.g. [--exclusive]");
        }
        String launcher = launcher(options.get("launcher"), p);
        if (launcher == null && options.get("launcher") == null) {
            launcher = defaultLauncher;
            if (launcher == null) {
                p.missing("executor.options.launcher", "the command that starts hwnas on the nodes (this hwnas "
                        + "does not run from its jar, so there is no default), e.g. /shared/hwnas/hwnas");
            }
        }
        int retries = integer(options, "max_retries", 2, 0, 100, p);
        int poll = integer(options, "poll_interval_ms", 2000, 10, 600_000, p);
        int pool = integer(options, "pool", 0, 0, MAX_TASKS_PER_ARRAY, p);
        int idle = integer(options, "pool_idle_timeout_s", 120, 5, 7 * 24 * 3600, p);
        if (pool > 0 && options.containsKey("tasks_per_array")) {
            p.notAllowed("executor.options.tasks_per_array", options.get("tasks_per_array"),
                    "only without a worker pool (with pool: N the pool's N workers share every batch)");
        }
        if (pool == 0 && options.containsKey("pool_idle_timeout_s")) {
            p.notAllowed("executor.options.pool_idle_timeout_s", options.get("pool_idle_timeout_s"),
                    "only with a worker pool (pool: 1 or more)");
        }
        p.throwIfAny();
        return new SlurmOptions(partition, account, qos, time, cpus, mem, gres, tasks, extra, launcher, retries,
                poll, pool, idle);
    }

    /** The sbatch arguments these options stand for (not the array, job name, output or script). */
    public List<String> sbatchArgs() {
        List<String> a = new ArrayList<>();
        add(a, "--partition=", partition);
        add(a, "--account=", account);
        add(a, "--qos=", qos);
        add(a, "--time=", timeLimit);
        a.add("--cpus-per-task=" + cpusPerTask);
        add(a, "--mem=", mem);
        add(a, "--gres=", gres);
        a.addAll(extraSbatchArgs);
        return a;
    }

    /**
     * The default launcher: this checkout's {@code hwnas} script (told not to build, as nodes share the
     * built jar) when hwnas runs from {@code <checkout>/experiments/target/hwnas.jar}, else {@code java -jar}
     * on the running jar; null when hwnas does not run from a jar (an IDE, the tests).
     */
    public static String defaultLauncher() {
        try {
            Path code = Path.of(SlurmOptions.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (!Files.isRegularFile(code) || !code.toString().endsWith(".jar")) {
                return null;
            }
            code = code.toAbsolutePath().normalize();
            Path target = code.getParent();
            Path root = target == null || target.getParent() == null ? null : target.getParent().getParent();
            if (root != null && target.getFileName().toString().equals("target")
                    && Files.isExecutable(root.resolve("hwnas"))) {
                return "HWNAS_NO_BUILD=1 " + shellQuote(root.resolve("hwnas").toString());
            }
            return "java -jar " + shellQuote(code.toString());
        } catch (java.net.URISyntaxException | RuntimeException e) {
            return null;
        }
    }

    /** Quotes a word for bash when it needs it. */
    public static String shellQuote(String s) {
        if (!s.isEmpty() && WORD.matcher(s).matches()) {
            return s;
        }
        return "'" + s.replace("'", "'\\''") + "'";
    }

    private static String launcher(Object v, Problems p) {
        if (v == null) {
            return null;
        }
        if (v instanceof String s && !s.isBlank() && s.indexOf('\n') < 0) {
            return s.strip();
        }
        if (v instanceof List<?> l && !l.isEmpty() && l.stream().allMatch(o -> o instanceof String s && !s.isEmpty())) {
            return String.join(" ", l.stream().map(o -> shellQuote((String) o)).toList());
        }
        p.notAllowed("executor.options.launcher", v, "a command line (one line of shell, e.g. "
                + "\"/shared/hwnas/hwnas\" or \"java -jar /shared/hwnas.jar\") or a list of words");
        return null;
    }

    private static void add(List<String> a, String flag, String value) {
        if (value != null) {
            a.add(flag + value);
        }
    }

    private static String word(Map<String, Object> o, String k, Problems p) {
        Object v = o.get(k);
        if (v == null) {
            return null;
        }
        String s = v.toString();
        if (!(v instanceof String || v instanceof Number) || !WORD.matcher(s).matches()) {
            p.notAllowed("executor.options." + k, v, "one word of letters, digits and _.,:=/@%+-");
            return null;
        }
        return s;
    }

    private static String matching(Map<String, Object> o, String k, Pattern pattern, String expected, Problems p) {
        Object v = o.get(k);
        if (v == null) {
            return null;
        }
        if (!(v instanceof String || v instanceof Number) || !pattern.matcher(v.toString()).matches()) {
            p.notAllowed("executor.options." + k, v, expected);
            return null;
        }
        return v.toString();
    }

    private static int integer(Map<String, Object> o, String k, int dflt, int min, int max, Problems p) {
        Object v = o.get(k);
        if (v == null) {
            return dflt;
        }
        if (v instanceof Integer || v instanceof Long) {
            long n = ((Number) v).longValue();
            if (n >= min && n <= max) {
                return (int) n;
            }
        }
        p.notAllowed("executor.options." + k, v, "an integer from " + min + " to " + max);
        return dflt;
    }
}
