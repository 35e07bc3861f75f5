package io.hwnas.experiments.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One writer per run directory: {@value #FILE} names the process that holds the directory (pid,
 * host, start time). It is created atomically (a hard link of a complete file, which fails when the
 * lock exists), so there is never more than one holder. A lock whose holder is gone is taken over:
 * on the same host when its process is no longer alive (or its pid now belongs to another process,
 * told by the process's start time in clock ticks since boot where Linux gives it);
 * from another host (a Slurm driver on a shared filesystem) when its heartbeat, the file's
 * modification time the holder renews every {@link #HEARTBEAT}, is older than {@link #STALE}. A
 * takeover removes the stale lock only while holding {@value #FILE}{@code .takeover} (created with
 * CREATE_NEW) and after reading the same stale lock again, then competes for the lock like anyone.
 */
public final class RunLock implements AutoCloseable {

    /** The lock file in the run directory. */
    public static final String FILE = "driver.lock";
    static final Duration HEARTBEAT = Duration.ofSeconds(30);
    static final Duration STALE = Duration.ofMinutes(5);
    private static final Duration TAKEOVER_STALE = Duration.ofSeconds(60);
    private static final int ATTEMPTS = 50;
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Tokens of the locks this JVM holds: a lock with this JVM's pid and another token is a dead process's. */
    private static final Set<String> HELD = ConcurrentHashMap.newKeySet();

    /** Who holds a lock; {@code raw} is the file's content (its identity), {@code token} unique per holder. */
    record Holder(long pid, String host, String started, String command, String token, String processStart,
            long startTicks, String raw) {

        String describe() {
            return "hwnas " + command + " (pid " + pid + " on host " + host + ", started " + started + ")";
        }
    }

    private final Path file;
    private final Holder me;
    private final ScheduledExecutorService heartbeat;
    private final Thread hook;
    private final AtomicBoolean released = new AtomicBoolean();
    private volatile boolean lost;

    private RunLock(Path file, Holder me) {
        this.file = file;
        this.me = me;
        this.heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "hwnas-lock-heartbeat");
            t.setDaemon(true);
            return t;
        });
        heartbeat.scheduleAtFixedRate(this::beat, HEARTBEAT.toSeconds(), HEARTBEAT.toSeconds(), TimeUnit.SECONDS);
        this.hook = new Thread(this::release, "hwnas-lock-release");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /**
     * Takes the lock of run directory {@code dir} (which must exist) for {@code command}.
     *
     * @throws RunInUseException naming the holder when a live process holds it
     */
    public static RunLock acquire(Path dir, String command) {
        Path lock = dir.resolve(FILE);
        Holder me = current(command);
        Path mine = dir.resolve(FILE + "." + me.token());
        try {
            Files.writeString(mine, me.raw(), StandardCharsets.UTF_8);
            try {
                return take(dir, lock, mine, me);
            } finally {
                Files.deleteIfExists(mine);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock the run directory " + dir + ": " + e, e);
        }
    }

    private static RunLock take(Path dir, Path lock, Path mine, Holder me) throws IOException {
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            // Marked held before the link appears: another thread of this process that reads the new lock file
            // must find its token held, or it would judge the lock stale and take it over (two winners).
            HELD.add(me.token());
            boolean linked = false;
            try {
                Files.createLink(lock, mine);
                linked = true;
                return new RunLock(lock, me);
            } catch (FileAlreadyExistsException e) {
                Optional<Holder> h = read(lock);
                if (h.isEmpty()) {
                    continue; // released meanwhile
                }
                if (!stale(h.get(), lock)) {
                    throw new RunInUseException(dir + " is in use by " + h.get().describe() + ", which holds " + lock
                            + "; wait for it to end (a lock whose holder is gone is taken over)");
                }
                takeOver(lock, h.get());
            } finally {
                if (!linked) {
                    HELD.remove(me.token());
                }
            }
        }
        throw new RunInUseException(dir + ": could not take " + lock + " after " + ATTEMPTS
                + " attempts; other processes keep taking it over");
    }

    /** Removes the stale lock {@code h} if it is still there, under the takeover guard. */
    private static void takeOver(Path lock, Holder h) throws IOException {
        Path guard = lock.resolveSibling(FILE + ".takeover");
        try {
            Files.createFile(guard);
        } catch (FileAlreadyExistsException e) {
            if (age(guard).compareTo(TAKEOVER_STALE) > 0) {
                Files.deleteIfExists(guard); // a taker that died mid-takeover
            } else {
                pause();
            }
            return;
        }
        try {
            Optional<Holder> again = read(lock);
            if (again.isPresent() && again.get().raw().equals(h.raw()) && stale(again.get(), lock)) {
                Files.deleteIfExists(lock);
            }
        } finally {
            Files.deleteIfExists(guard);
        }
    }

    /** True when the holder is gone: see the class comment. */
    static boolean stale(Holder h, Path lock) throws IOException {
        if (!h.host().equals(host())) {
            return age(lock).compareTo(STALE) > 0;
        }
        if (h.pid() == ProcessHandle.current().pid()) {
            return !HELD.contains(h.token());
        }
        Optional<ProcessHandle> p = ProcessHandle.of(h.pid());
        if (p.isEmpty() || !p.get().isAlive()) {
            return true;
        }
        OptionalLong ticks = startTicks(h.pid());
        if (h.startTicks() >= 0 && ticks.isPresent()) {
            return ticks.getAsLong() != h.startTicks(); // its pid now names another process
        }
        Optional<Instant> start = p.get().info().startInstant();
        return start.isPresent() && !h.processStart().isEmpty()
                && Duration.between(Instant.parse(h.processStart()), start.get()).abs().toSeconds() > 1;
    }

    /** The holder named by the lock file, or empty when there is none; an unreadable file names an unknown holder. */
    static Optional<Holder> read(Path lock) throws IOException {
        String raw;
        try {
            raw = Files.readString(lock, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        try {
            JsonNode n = JSON.readTree(raw);
            return Optional.of(new Holder(n.get("pid").asLong(), n.get("host").asText(), n.get("started").asText(),
                    n.get("command").asText(), n.get("token").asText(), n.path("process_start").asText(""),
                    n.path("process_start_ticks").asLong(-1), raw));
        } catch (IOException | RuntimeException e) {
            return Optional.of(new Holder(-1, "unknown", "unknown", "(an unreadable lock)", "", "", -1, raw));
        }
    }

    private static Holder current(String command) {
        ObjectNode o = JSON.createObjectNode();
        ProcessHandle self = ProcessHandle.current();
        o.put("pid", self.pid());
        o.put("host", host());
        o.put("started", Instant.now().toString());
        o.put("command", command);
        o.put("token", UUID.randomUUID().toString());
        o.put("process_start", self.info().startInstant().map(Instant::toString).orElse(""));
        long ticks = startTicks(self.pid()).orElse(-1);
        o.put("process_start_ticks", ticks);
        return new Holder(self.pid(), o.get("host").asText(), o.get("started").asText(), command,
                o.get("token").asText(), o.get("process_start").asText(), ticks, o + "\n");
    }

    /**
     * The start time of process {@code pid} in clock ticks since boot (field 22 of Linux's
     * {@code /proc/PID/stat}), or empty where there is no such file. Unlike a start instant, which each
     * JVM derives from the boot time it read once and which moves when the wall clock is stepped, it
     * is the same number for every reader.
     */
    static OptionalLong startTicks(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.UTF_8);
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
            return OptionalLong.of(Long.parseLong(fields[19])); // fields[0] is field 3, the state
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
    }

    private static Duration age(Path f) throws IOException {
        try {
            return Duration.between(Files.getLastModifiedTime(f).toInstant(), Instant.now());
        } catch (NoSuchFileException e) {
            return Duration.ZERO;
        }
    }

    /** This host's name as locks record it. */
    public static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Throws when another process took the lock over (it found no heartbeat for {@link #STALE}, say
     * after this host was cut off from the shared filesystem): this holder must stop writing.
     */
    public void requireHeld() {
        if (lost) {
            throw new IllegalStateException(file + " was taken over by another process (this process's heartbeat "
                    + "was older than " + STALE.toMinutes() + " minutes); stopping so that only one process "
                    + "writes the run");
        }
    }

    /** Renews the heartbeat while the lock is still this holder's; notes when it is not. */
    void beat() {
        try {
            Optional<Holder> h = read(file);
            if (h.isPresent() && h.get().token().equals(me.token())) {
                Files.setLastModifiedTime(file, FileTime.from(Instant.now()));
            } else {
                lost = true;
            }
        } catch (IOException e) {
            // the next beat tries again; a lock left without heartbeat is only taken over from another host
        }
    }

    /** Releases the lock (once): deletes the file if it is still this holder's. */
    private void release() {
        if (!released.compareAndSet(false, true)) {
            return;
        }
        heartbeat.shutdownNow();
        try {
            Optional<Holder> h = read(file);
            if (h.isPresent() && h.get().token().equals(me.token())) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot release the lock " + file, e);
        } finally {
            HELD.remove(me.token());
        }
    }

    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // shutting down: the hook releases
        }
        release();
    }

    /** A run directory held by another live process: exit code 2, one line naming the holder. */
    public static final class RunInUseException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        RunInUseException(String message) {
            super(message);
        }
    }
}
