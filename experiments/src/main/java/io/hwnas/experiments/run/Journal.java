package io.hwnas.experiments.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.hwnas.core.arch.Architecture;
import io.hwnas.search.Evaluation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The append-only journal {@code evaluations.jsonl}: one evaluation a line, written and synced
 * before the next, never rewritten. On open, complete lines are read back; a torn last line (a
 * write cut off by a kill) is cut away, which is the only change ever made to existing bytes.
 */
public final class Journal implements AutoCloseable {

    public static final String FILE = "evaluations.jsonl";
    private static final ObjectMapper JSON = new ObjectMapper(com.fasterxml.jackson.core.JsonFactory.builder()
            .enable(com.fasterxml.jackson.core.json.JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build());

    /** One journal line: the evaluation, its order of completion, and how long it took. */
    public record Entry(long seq, Evaluation evaluation, double seconds) {
    }

    private final Path file;
    private final FileChannel channel;
    private final List<Entry> entries;
    private final boolean truncatedTornLine;

    private Journal(Path file, FileChannel channel, List<Entry> entries, boolean torn) {
        this.file = file;
        this.channel = channel;
        this.entries = entries;
        this.truncatedTornLine = torn;
    }

    /** Opens (creating if needed) the journal of a run directory and reads what it holds. */
    public static Journal open(Path runDir) {
        return open(runDir, FILE);
    }

    /** Opens (creating if needed) a journal of another name in a run directory (the re-measured members'). */
    static Journal open(Path runDir, String name) {
        Path file = runDir.resolve(name);
        try {
            List<Entry> entries = new ArrayList<>();
            long goodBytes = 0;
            boolean torn = false;
            if (Files.exists(file)) {
                byte[] all = Files.readAllBytes(file);
                goodBytes = parseLines(all, file, entries);
                torn = goodBytes < all.length;
            }
            FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            if (torn) {
                ch.truncate(goodBytes);
                ch.force(true);
            }
            ch.position(goodBytes);
            return new Journal(file, ch, entries, torn);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the journal " + file, e);
        }
    }

    /**
     * Reads a run's journal without opening it for writing. A last line without its newline (a torn
     * line, or one a running search is writing) is left out when {@code tolerateTornLine}, else
     * reported; a line that is not an entry is always reported.
     *
     * @throws IllegalArgumentException naming the file and line
     */
    public static List<Evaluation> read(Path runDir, boolean tolerateTornLine) {
        return read(runDir, FILE, tolerateTornLine);
    }

    static List<Evaluation> read(Path runDir, String name, boolean tolerateTornLine) {
        Path file = runDir.resolve(name);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(runDir + " has no journal (" + name + ")");
        }
        List<Entry> entries = new ArrayList<>();
        try {
            byte[] all = Files.readAllBytes(file);
            if (parseLines(all, file, entries) < all.length && !tolerateTornLine) {
                throw new IllegalArgumentException(file + ": line " + (entries.size() + 1) + " is torn (it has no end; the"
                        + " search was killed while writing it); `hwnas search --resume " + runDir + "` cuts it away"
                        + " and continues the run");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the journal " + file, e);
        }
        List<Evaluation> out = new ArrayList<>(entries.size());
        for (Entry e : entries) {
            out.add(e.evaluation());
        }
        return out;
    }

    /**
     * Parses every complete line of {@code all} (blank lines skipped) into {@code entries} and returns the
     * number of bytes they span; bytes after the last newline are a torn line.
     */
    private static int parseLines(byte[] all, Path file, List<Entry> entries) {
        int start = 0;
        for (int i = 0; i < all.length; i++) {
            if (all[i] == '\n') {
                String line = new String(all, start, i - start, StandardCharsets.UTF_8);
                if (!line.isBlank()) {
                    entries.add(parse(line, file, entries.size() + 1));
                }
                start = i + 1;
            }
        }
        return start;
    }

    private static Entry parse(String line, Path file, int lineNo) {
        try {
            JsonNode n = JSON.readTree(line);
            Architecture a = JSON.treeToValue(n.get("architecture"), Architecture.class);
            Map<String, Double> metrics = new LinkedHashMap<>();
            n.get("metrics").fields().forEachRemaining(e -> metrics.put(e.getKey(), e.getValue().asDouble()));
            JsonNode err = n.get("error");
            Evaluation ev = new Evaluation(a, Evaluation.Status.valueOf(n.get("status").asText()), metrics,
                    err == null || err.isNull() ? null : err.asText());
            return new Entry(n.get("seq").asLong(), ev, n.path("seconds").asDouble());
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException(file + ": line " + lineNo + " is not a journal entry: " + e.getMessage(),
                    e);
        }
    }

    /** Entries read at open and appended since, in journal order. */
    public synchronized List<Entry> entries() {
        return Collections.unmodifiableList(new ArrayList<>(entries));
    }

    /** True when open found a torn last line and cut it away. */
    public boolean truncatedTornLine() {
        return truncatedTornLine;
    }

    /** Appends one evaluation as one line and syncs it to disk before returning. */
    public synchronized Entry append(Evaluation evaluation, double seconds) {
        Entry entry = new Entry(entries.size(), evaluation, seconds);
        ObjectNode o = JSON.createObjectNode();
        o.put("seq", entry.seq());
        o.set("architecture", JSON.valueToTree(evaluation.architecture()));
        o.put("status", evaluation.status().name());
        ObjectNode m = o.putObject("metrics");
        evaluation.metrics().forEach(m::put);
        if (evaluation.error() != null) {
            o.put("error", evaluation.error());
        }
        o.put("seconds", seconds);
        try {
            byte[] line = (JSON.writeValueAsString(o) + "\n").getBytes(StandardCharsets.UTF_8);
            ByteBuffer buf = ByteBuffer.wrap(line);
            while (buf.hasRemaining()) {
                channel.write(buf);
            }
            channel.force(false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to " + file, e);
        }
        entries.add(entry);
        return entry;
    }

    @Override
    public synchronized void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
