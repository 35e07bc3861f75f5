package io.hwnas.experiments.exec.slurm;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hwnas.core.arch.Architecture;
import io.hwnas.search.Evaluation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The files of one batch under {@code <runDir>/slurm/batch-<N>/}, shared by the driver and the
 * workers: {@code tasks.json} (which candidates each array task evaluates; tasks are only ever
 * appended), {@code jobs.txt} (the job arrays submitted for the batch), {@code job.sh}, the task
 * logs under {@code logs/} and one result file per candidate under {@code results/}, named by a
 * hash of the architecture. Every file a reader may see is written whole, then renamed into place.
 */
final class BatchDir {

    static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build());

    /** A finished candidate as a worker wrote it. */
    record Result(Evaluation evaluation, double seconds) {
    }

    /** One submission recorded in {@code jobs.txt}: the array job id and the task ids it runs. */
    record Job(String jobId, List<Integer> tasks) {
        Job {
            tasks = List.copyOf(tasks);
        }
    }

    private final Path dir;
    private final int batch;

    BatchDir(Path runDir, int batch) {
        this.dir = slurmDir(runDir).resolve("batch-" + batch);
        this.batch = batch;
    }

    private BatchDir(int batch, Path dir) {
        this.dir = dir;
        this.batch = batch;
    }

    /**
     * The worker pool's folder {@code <runDir>/slurm/pool/}: its {@code job.sh}, {@code jobs.txt} and
     * {@code logs/} have the layout of a batch's (the pool's own queue is {@link PoolQueue}).
     */
    static BatchDir pool(Path runDir) {
        return new BatchDir(POOL, slurmDir(runDir).resolve("pool"));
    }

    /** The batch number of the pool's folder. */
    static final int POOL = -1;

    static Path slurmDir(Path runDir) {
        return runDir.resolve("slurm");
    }

    Path dir() {
        return dir;
    }

    int batch() {
        return batch;
    }

    Path script() {
        return dir.resolve("job.sh");
    }

    Path logs() {
        return dir.resolve("logs");
    }

    Path results() {
        return dir.resolve("results");
    }

    void create() {
        try {
            Files.createDirectories(results());
            Files.createDirectories(logs());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
    }

    /** The candidates of each task, in task order; empty when the batch has none yet. */
    List<List<Architecture>> tasks() {
        Path f = dir.resolve("tasks.json");
        if (!Files.exists(f)) {
            return List.of();
        }
        try {
            JsonNode root = JSON.readTree(f.toFile());
            List<List<Architecture>> out = new ArrayList<>();
            for (JsonNode t : root.get("tasks")) {
                List<Architecture> share = new ArrayList<>();
                for (JsonNode a : t) {
                    share.add(JSON.treeToValue(a, Architecture.class));
                }
                out.add(List.copyOf(share));
            }
            return List.copyOf(out);
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException(f + " is not a task list: " + e.getMessage(), e);
        }
    }

    void writeTasks(List<List<Architecture>> tasks) {
        ObjectNode root = JSON.createObjectNode();
        root.put("batch", batch);
        ArrayNode list = root.putArray("tasks");
        for (List<Architecture> share : tasks) {
            ArrayNode t = list.addArray();
            share.forEach(a -> t.add(JSON.valueToTree(a)));
        }
        writeAtomically(dir.resolve("tasks.json"), pretty(root));
    }

    /** The submissions recorded so far, oldest first. */
    List<Job> jobs() {
        Path f = dir.resolve("jobs.txt");
        List<Job> out = new ArrayList<>();
        if (!Files.exists(f)) {
            return out;
        }
        try {
            String text = Files.readString(f, StandardCharsets.UTF_8);
            List<String> lines = text.lines().toList();
            for (int i = 0; i < lines.size(); i++) {
                if (lines.get(i).isBlank()) {
                    continue;
                }
                String[] w = lines.get(i).strip().split("\\s+");
                try {
                    if (w.length != 2) {
                        throw new IllegalArgumentException("expected a job id and an array index list");
                    }
                    out.add(new Job(w[0], ArraySpec.parse(w[1])));
                } catch (IllegalArgumentException e) {
                    // a torn last line (the driver killed mid-write): its job is found again by name
                    if (i < lines.size() - 1 || text.endsWith("\n")) {
                        throw new IllegalStateException(f + ": line " + (i + 1) + " '" + lines.get(i) + "': "
                                + e.getMessage(), e);
                    }
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + f, e);
        }
    }

    void recordJob(Job job) {
        Path f = dir.resolve("jobs.txt");
        try {
            if (Files.exists(f)) {
                String text = Files.readString(f, StandardCharsets.UTF_8);
                if (!text.isEmpty() && !text.endsWith("\n")) {
                    // cut away a torn last line (the driver killed mid-write), as the journal does
                    writeAtomically(f, text.substring(0, text.lastIndexOf('\n') + 1));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + f, e);
        }
        appendSynced(f, job.jobId() + " " + ArraySpec.format(job.tasks()) + "\n");
    }

    Path resultFile(Architecture a) {
        return results().resolve(a.fileKey() + ".json");
    }

    /** The names of the result files written so far. */
    java.util.Set<String> resultNames() {
        try (java.util.stream.Stream<Path> s = Files.list(results())) {
            return s.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".json") && !n.startsWith("."))
                    .collect(java.util.stream.Collectors.toSet());
        } catch (java.nio.file.NoSuchFileException e) {
            return java.util.Set.of();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + results(), e);
        }
    }

    /** The result of a candidate if a worker has written it. */
    Optional<Result> result(Architecture a) {
        Path f = resultFile(a);
        if (!Files.exists(f)) {
            return Optional.empty();
        }
        try {
            JsonNode n = JSON.readTree(f.toFile());
            Architecture read = JSON.treeToValue(n.get("architecture"), Architecture.class);
            if (!read.equals(a)) {
                throw new IllegalStateException(f + " holds " + read + ", not " + a);
            }
            Map<String, Double> metrics = new LinkedHashMap<>();
            n.get("metrics").fields().forEachRemaining(e -> metrics.put(e.getKey(), e.getValue().asDouble()));
            JsonNode err = n.get("error");
            Evaluation ev = new Evaluation(read, Evaluation.Status.valueOf(n.get("status").asText()), metrics,
                    err == null || err.isNull() ? null : err.asText());
            return Optional.of(new Result(ev, n.path("seconds").asDouble()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the result " + f, e);
        }
    }

    void writeResult(Evaluation e, double seconds, int task) {
        ObjectNode o = JSON.createObjectNode();
        o.set("architecture", JSON.valueToTree(e.architecture()));
        o.put("status", e.status().name());
        ObjectNode m = o.putObject("metrics");
        e.metrics().forEach(m::put);
        if (e.error() != null) {
            o.put("error", e.error());
        }
        o.put("seconds", seconds);
        o.put("batch", batch);
        o.put("task", task);
        String job = System.getenv("SLURM_ARRAY_JOB_ID");
        if (job != null) {
            o.put("job", job + "_" + System.getenv("SLURM_ARRAY_TASK_ID"));
        }
        String host = System.getenv("SLURMD_NODENAME");
        if (host != null) {
            o.put("node", host);
        }
        writeAtomically(resultFile(e.architecture()), pretty(o));
    }

    /** The file name of a candidate's result: a hash of its space and canonical string. */
    private static String pretty(JsonNode n) {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(n) + "\n";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes a temporary file beside the target, syncs it and renames it over the target. */
    static void writeAtomically(Path target, String text) {
        io.hwnas.core.io.AtomicFiles.writeString(target, text);
    }

    static void appendSynced(Path file, String text) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            ch.write(java.nio.ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
            ch.force(false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to " + file, e);
        }
    }
}
