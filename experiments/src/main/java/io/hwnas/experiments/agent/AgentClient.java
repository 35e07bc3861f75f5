package io.hwnas.experiments.agent;

import com.fasterxml.jackson.databind.JsonNode;
import io.hwnas.core.io.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Talks to an agent: sends ONNX models to {@code POST /v1/measure} and reads the answers. */
public final class AgentClient {

    private final URI base;
    private final Token token;
    private volatile HttpClient http;
    private final Duration timeout;

    /** An agent that answered with an error status (the message is its error text). */
    public static final class AgentError extends RuntimeException {
        private final int status;

        public AgentError(int status, String message) {
            super("agent answered " + status + ": " + message);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    /** An agent that could not be reached or did not answer (connection refused, reset, timeout). */
    public static final class AgentUnreachable extends RuntimeException {
        public AgentUnreachable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * @param url     the agent's address, e.g. http://127.0.0.1:7070
     * @param timeout for one request (a measurement included)
     */
    public AgentClient(String url, Token token, Duration timeout) {
        URI u;
        try {
            u = URI.create(url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("agent URL '" + url + "' is not a URL: " + e.getMessage(), e);
        }
        if (!"http".equals(u.getScheme()) || u.getHost() == null) {
            throw new IllegalArgumentException("agent URL '" + url + "' must be http://HOST:PORT");
        }
        this.base = u;
        this.token = token;
        this.timeout = timeout;
        this.http = newHttp();
    }

    private static HttpClient newHttp() {
        return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    public String url() {
        return base.toString();
    }

    /** The agent's {@code /v1/info}. */
    public JsonNode info() {
        return send(HttpRequest.newBuilder(base.resolve("/v1/info")).GET());
    }

    /** Times a serialised ONNX model on the agent. */
    public Measurement measure(byte[] model, int warmup, int runs) {
        return Measurement.of(send(HttpRequest.newBuilder(base.resolve("/v1/measure?warmup=" + warmup + "&runs=" + runs))
                .POST(HttpRequest.BodyPublishers.ofByteArray(model))));
    }

    private JsonNode send(HttpRequest.Builder request) {
        HttpResponse<String> r;
        try {
            r = http.send(request.timeout(timeout).header("Authorization", token.header()).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new AgentUnreachable("agent " + base + " is unreachable: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AgentUnreachable("interrupted while waiting for agent " + base, e);
        }
        JsonNode body;
        try {
            body = Json.MAPPER.readTree(r.body());
        } catch (IOException e) {
            throw new AgentError(r.statusCode(), "not JSON: " + r.body());
        }
        if (r.statusCode() != 200) {
            throw new AgentError(r.statusCode(), body.path("error").asText(r.body()));
        }
        return body;
    }
}
