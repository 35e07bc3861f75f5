package io.hwnas.experiments.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.hwnas.core.io.Json;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The agent over real HTTP on an ephemeral loopback port: good requests, and every bad one answered and logged. */
class AgentServerTest {

    private static final Token TOKEN = Token.of("s3cret-token-for-tests");
    private static final List<String> LOG = new CopyOnWriteArrayList<>();
    private static AgentServer agent;
    private static String url;
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void start() throws Exception {
        AgentLimits limits = new AgentLimits(64 * 1024, 1, Duration.ofSeconds(20), Duration.ofSeconds(1), 100);
        agent = AgentServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), TOKEN,
                new OrtMeasurer(1, EnergyMeter.none("test")), limits, LOG::add);
        url = "http://127.0.0.1:" + agent.address().getPort();
    }

    @AfterAll
    static void stop() {
        agent.close();
    }

    private static HttpResponse<String> post(String path, byte[] body, String auth) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (auth != null) {
            b.header("Authorization", auth);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void assertLogged(int status) {
        assertTrue(LOG.stream().anyMatch(l -> l.contains("-> " + status + " ")), status + " not logged in " + LOG);
    }

    @Test
    void measuresAModelWithTheToken() throws Exception {
        AgentClient client = new AgentClient(url, TOKEN, Duration.ofSeconds(30));
        Measurement m = client.measure(TinyModels.tiny(), 2, 9);
        assertEquals(9, m.runs());
        assertEquals(2, m.warmup());
        assertTrue(m.medianMs() > 0 && m.p10Ms() <= m.medianMs() && m.medianMs() <= m.p90Ms(), m.toString());
        assertTrue(m.cpuMedianMs() > 0, "with 1 thread the agent measures CPU time: " + m);
        assertTrue(Double.isNaN(m.energyMj()));
        assertTrue(m.energyNote().startsWith("not measured"), m.energyNote());
        JsonNode raw = Json.MAPPER.readTree(post("/v1/measure?runs=3", TinyModels.tiny(), TOKEN.header()).body());
        assertTrue(raw.get("energy").isNull(), raw.toString());
        assertEquals(1, client.info().get("threads").asInt());
    }

    @Test
    void missingOrWrongTokenIs401() throws Exception {
        assertEquals(401, post("/v1/measure", TinyModels.tiny(), null).statusCode());
        assertEquals(401, post("/v1/measure", TinyModels.tiny(), "Bearer s3cret-token-for-tesTs").statusCode());
        assertEquals(401, post("/v1/measure", TinyModels.tiny(), "s3cret-token-for-tests").statusCode());
        assertLogged(401);
        assertServing();
    }

    @Test
    void aBodyThatIsNotOnnxIs400() throws Exception {
        HttpResponse<String> r = post("/v1/measure", "hello, not a model".getBytes(StandardCharsets.UTF_8),
                TOKEN.header());
        assertEquals(400, r.statusCode(), r.body());
        assertTrue(r.body().contains("not an ONNX model"), r.body());
        assertEquals(400, post("/v1/measure?runs=0", TinyModels.tiny(), TOKEN.header()).statusCode());
        assertLogged(400);
        assertServing();
    }

    @Test
    void anOversizedModelIs413() throws Exception {
        HttpResponse<String> r = post("/v1/measure", new byte[100 * 1024], TOKEN.header());
        assertEquals(413, r.statusCode(), r.body());
        assertLogged(413);
        assertServing();
    }

    @Test
    void aModelOnnxRuntimeCannotRunIs422() throws Exception {
        HttpResponse<String> r = post("/v1/measure", TinyModels.unknownOperator(), TOKEN.header());
        assertEquals(422, r.statusCode(), r.body());
        assertTrue(r.body().contains("NoSuchOperator"), r.body());
        assertLogged(422);
        assertServing();
    }

    @Test
    void aSlowClientIs408() throws Exception {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), agent.address().getPort())) {
            s.setSoTimeout(15_000);
            OutputStream out = s.getOutputStream();
            out.write(("POST /v1/measure HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: " + TOKEN.header()
                    + "\r\nContent-Length: 5000\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(new byte[100]);
            out.flush(); // and then nothing more: the agent must give up after its 1 s read timeout
            InputStream in = s.getInputStream();
            byte[] head = in.readNBytes(12);
            assertEquals("HTTP/1.1 408", new String(head, StandardCharsets.US_ASCII));
        }
        assertLogged(408);
        assertServing();
    }

    private static void assertServing() throws Exception {
        HttpResponse<String> r = post("/v1/measure?warmup=1&runs=2", TinyModels.tiny(), TOKEN.header());
        assertEquals(200, r.statusCode(), r.body());
    }
}
