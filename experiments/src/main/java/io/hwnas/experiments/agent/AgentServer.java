package io.hwnas.experiments.agent;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.InvalidProtocolBufferException;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.hwnas.core.io.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import onnx.Onnx.ModelProto;

/**
 * The measurement agent's HTTP service (JDK {@link HttpServer}). {@code POST /v1/measure} takes an
 * ONNX model as the body (query {@code warmup} and {@code runs}) and answers its latency as JSON
 * ({@link Measurement#json}); {@code GET /v1/info} answers the agent's settings and limits. Every
 * request needs {@code Authorization: Bearer <token>}. Answers: 401 no or wrong token, 404/405 other
 * paths and methods, 400 a body that is not an ONNX model or bad query, 413 a body over the limit,
 * 408 a body not received in time, 503 too many waiting, 422 a model ONNX Runtime cannot load or run,
 * 500 anything else; each request logs one line and the agent keeps serving.
 */
public final class AgentServer implements AutoCloseable {

    private static final String MAX_REQ_TIME = "sun.net.httpserver.maxReqTime";

    private final HttpServer server;
    private final ExecutorService pool;
    private final ScheduledExecutorService watchdog;
    private final Semaphore measuring = new Semaphore(1, true);
    private final AtomicInteger inFlight = new AtomicInteger();
    private final Token token;
    private final OrtMeasurer measurer;
    private final AgentLimits limits;
    private final Consumer<String> log;

    /** An answer: status, JSON body and what the log line says. */
    private record Reply(int status, ObjectNode body, String note) {
        static Reply error(int status, String message) {
            ObjectNode o = Json.object();
            o.put("error", message);
            return new Reply(status, o, message);
        }
    }

    private AgentServer(InetSocketAddress bind, Token token, OrtMeasurer measurer, AgentLimits limits,
            Consumer<String> log) throws IOException {
        this.token = token;
        this.measurer = measurer;
        this.limits = limits;
        this.log = log;
        // the JDK server closes a connection whose request takes this long; it frees a reader a slow
        // client holds after the 408 is sent (read once, when the first server of this JVM starts)
        if (System.getProperty(MAX_REQ_TIME) == null) {
            System.setProperty(MAX_REQ_TIME, Long.toString(limits.readTimeout().toSeconds() + 2));
        }
        server = HttpServer.create(bind, 16);
        pool = Executors.newFixedThreadPool(limits.maxWaiting() + 4, daemon("hwnas-agent"));
        watchdog = Executors.newSingleThreadScheduledExecutor(daemon("hwnas-agent-watchdog"));
        server.setExecutor(pool);
        server.createContext("/", this::handle);
        server.start();
    }

    /**
     * Starts the agent.
     *
     * @param bind where to listen (port 0: any free port)
     * @param log  receives one line per request
     */
    public static AgentServer start(InetSocketAddress bind, Token token, OrtMeasurer measurer, AgentLimits limits,
            Consumer<String> log) throws IOException {
        return new AgentServer(bind, token, measurer, limits, log);
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** The address the agent listens on. */
    public InetSocketAddress address() {
        return server.getAddress();
    }

    private void handle(HttpExchange x) {
        AtomicBoolean answered = new AtomicBoolean();
        long start = System.nanoTime();
        Reply r;
        try {
            r = route(x, answered);
        } catch (SlowClient e) {
            r = null;
        } catch (IOException e) {
            r = answered.get() ? null : Reply.error(400, "cannot read the request: " + e.getMessage());
        } catch (RuntimeException e) {
            r = Reply.error(500, "agent error: " + e);
        }
        try {
            if (r != null && answered.compareAndSet(false, true)) {
                log.accept(line(x, r.status, r.note, start));
                send(x, r);
            }
        } catch (IOException e) {
            log.accept(line(x, r.status, "the answer could not be sent: " + e.getMessage(), start));
        } finally {
            x.close();
        }
    }

    private String line(HttpExchange x, int status, String note, long start) {
        return String.format(java.util.Locale.ROOT, "%s %s from %s -> %d (%.0f ms) %s", x.getRequestMethod(),
                x.getRequestURI().getPath(), x.getRemoteAddress(), status, (System.nanoTime() - start) / 1e6, note);
    }

    private Reply route(HttpExchange x, AtomicBoolean answered) throws IOException, SlowClient {
        if (!token.matches(x.getRequestHeaders().getFirst("Authorization"))) {
            return Reply.error(401, "missing or wrong token (send Authorization: Bearer <token>)");
        }
        String path = x.getRequestURI().getPath();
        String method = x.getRequestMethod();
        if (path.equals("/v1/info")) {
            return method.equals("GET") ? new Reply(200, info(), "info") : Reply.error(405, "use GET on /v1/info");
        }
        if (!path.equals("/v1/measure")) {
            return Reply.error(404, "no such path " + path + "; the agent serves POST /v1/measure and GET /v1/info");
        }
        if (!method.equals("POST")) {
            return Reply.error(405, "use POST on /v1/measure");
        }
        int[] counts;
        try {
            counts = Query.counts(x.getRequestURI().getRawQuery(), limits.maxRuns());
        } catch (IllegalArgumentException e) {
            return Reply.error(400, e.getMessage());
        }
        String length = x.getRequestHeaders().getFirst("Content-Length");
        if (length != null && parseLong(length) > limits.maxBodyBytes()) {
            drain(x);
            return Reply.error(413, "the model has " + length + " bytes; the agent takes at most "
                    + limits.maxBodyBytes());
        }
        byte[] body = readBody(x, answered, System.nanoTime());
        if (body == null) {
            drain(x);
            return Reply.error(413, "the model has more than " + limits.maxBodyBytes() + " bytes; the agent takes at"
                    + " most that");
        }
        String notOnnx = notOnnx(body);
        if (notOnnx != null) {
            return Reply.error(400, "the body is not an ONNX model: " + notOnnx);
        }
        return measure(body, counts[0], counts[1]);
    }

    /** Bytes of a refused body read and dropped before the 413, so that the client sees the answer. */
    private static final long DRAIN_BYTES = 16L << 20;

    /**
     * Reads and drops what is left of a refused request body, up to {@link #DRAIN_BYTES}: a client still
     * sending when the connection closes gets a reset instead of the 413 (a larger body is cut off; the
     * server's request time limit bounds a slow one).
     */
    private static void drain(HttpExchange x) {
        byte[] buffer = new byte[64 * 1024];
        long left = DRAIN_BYTES;
        try (InputStream in = x.getRequestBody()) {
            for (int n; left > 0 && (n = in.read(buffer, 0, (int) Math.min(buffer.length, left))) > 0; ) {
                left -= n;
            }
        } catch (IOException e) {
            // the client went away: nothing to answer
        }
    }

    private static long parseLong(String s) {
        try {
            return Long.parseLong(s.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private Reply measure(byte[] body, int warmup, int runs) {
        if (inFlight.incrementAndGet() > 1 + limits.maxWaiting()) {
            inFlight.decrementAndGet();
            return Reply.error(503, "busy: one measurement runs and " + limits.maxWaiting()
                    + " wait; try again later");
        }
        try {
            measuring.acquire();
            try {
                Measurement m = measurer.measure(body, warmup, runs, limits.measureTime().toNanos());
                return new Reply(200, m.json(), String.format(java.util.Locale.ROOT, "%d bytes, median %.3f ms over "
                        + "%d runs", body.length, m.medianMs(), m.runs()));
            } finally {
                measuring.release();
            }
        } catch (OrtMeasurer.ModelFailure e) {
            return Reply.error(422, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Reply.error(503, "the agent is stopping");
        } finally {
            inFlight.decrementAndGet();
        }
    }

    /** Null when the bytes parse as an ONNX model with a graph of at least one node, else why not. */
    static String notOnnx(byte[] body) {
        try {
            ModelProto m = ModelProto.parseFrom(body);
            if (m.getIrVersion() <= 0 || !m.hasGraph() || m.getGraph().getNodeCount() == 0) {
                return "no ir_version or no graph with nodes";
            }
            return null;
        } catch (InvalidProtocolBufferException e) {
            return "it does not parse as an ONNX ModelProto (" + e.getMessage() + ")";
        }
    }

    /** The signal that the watchdog answered 408 while the body was being read. */
    private static final class SlowClient extends Exception {
        SlowClient() {
            super(null, null, false, false);
        }
    }

    /** The body, or null when it exceeds the limit; a body not received within the read timeout gets 408. */
    private byte[] readBody(HttpExchange x, AtomicBoolean answered, long start) throws IOException, SlowClient {
        AtomicBoolean slow = new AtomicBoolean();
        long[] received = {0};
        ScheduledFuture<?> alarm = watchdog.schedule(() -> {
            if (answered.compareAndSet(false, true)) {
                slow.set(true);
                Reply r = Reply.error(408, "the body did not arrive within " + limits.readTimeout().toSeconds()
                        + " s (" + received[0] + " bytes received)");
                log.accept(line(x, 408, r.note, start));
                try {
                    send(x, r);
                } catch (IOException e) {
                    // the client is gone: nothing to answer
                }
            }
        }, limits.readTimeout().toMillis(), TimeUnit.MILLISECONDS);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[1 << 16];
        try (InputStream in = x.getRequestBody()) {
            for (int n; (n = in.read(buf)) >= 0;) {
                out.write(buf, 0, n);
                received[0] += n;
                if (out.size() > limits.maxBodyBytes()) {
                    return null;
                }
            }
        } catch (IOException e) {
            if (slow.get()) {
                throw new SlowClient();
            }
            throw e;
        } finally {
            alarm.cancel(false);
        }
        if (slow.get()) {
            throw new SlowClient();
        }
        return out.toByteArray();
    }

    private static void send(HttpExchange x, Reply r) throws IOException {
        byte[] bytes = Json.MAPPER.writeValueAsString(r.body).getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().set("Content-Type", "application/json");
        if (r.status == 408 || r.status == 413) {
            x.getResponseHeaders().set("Connection", "close");
        }
        x.sendResponseHeaders(r.status, bytes.length);
        OutputStream os = x.getResponseBody();
        os.write(bytes);
        os.flush();
    }

    private ObjectNode info() {
        ObjectNode o = Json.object();
        o.put("threads", measurer.threads());
        o.put("cpus", Runtime.getRuntime().availableProcessors());
        o.put("os_arch", System.getProperty("os.arch"));
        o.put("limits", limits.describe());
        o.put("max_body_bytes", limits.maxBodyBytes());
        o.put("in_flight", inFlight.get());
        java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory
                .getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            o.put("memory_bytes", sun.getTotalMemorySize());
        }
        try {
            o.put("storage_bytes", java.nio.file.Files.getFileStore(java.nio.file.Path.of(".").toAbsolutePath())
                    .getTotalSpace());
        } catch (IOException e) {
            o.putNull("storage_bytes");
        }
        o.put("energy", measurer.energyNote());
        return o;
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
        watchdog.shutdownNow();
    }
}
