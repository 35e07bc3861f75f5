package io.hwnas.experiments.serve;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.hwnas.experiments.report.ReportData;
import io.hwnas.experiments.report.ReportWriter;
import io.hwnas.experiments.run.Journal;
import io.hwnas.experiments.run.RunView;
import io.hwnas.experiments.setup.DeviceBinding;
import io.hwnas.experiments.setup.RunSetup;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;

/**
 * A read-only live view of run directories over HTTP (the JDK's server): {@code /run/K/} is run K's
 * report page, which polls {@code /run/K/data.json?have=N} twice a second (204 while the journal
 * still holds N evaluations). The data is rebuilt from the journal whenever the journal file
 * changes (size or modification time), so a search still running, locally or as a Slurm driver on
 * a shared filesystem, shows each evaluation as it is journaled. Only GET and HEAD are answered;
 * nothing is ever written.
 */
public final class LiveServer implements AutoCloseable {

    private final HttpServer server;
    private final List<Run> runs;

    /** One served run: its setup and the data of the journal as last read. */
    private static final class Run {
        final Path dir;
        final RunSetup setup;
        private String stamp = "";
        private RunView view;
        private String data;
        private final ReportData.Cache cache = new ReportData.Cache();

        Run(Path dir, RunSetup setup) {
            this.dir = dir;
            this.setup = setup;
        }

        /** The run as its journal holds it now (a last line still being written is left out). */
        synchronized RunView view() throws IOException {
            Path j = dir.resolve(Journal.FILE);
            String now = Files.size(j) + " " + Files.getLastModifiedTime(j).toMillis();
            if (view == null || !now.equals(stamp)) {
                view = RunView.read(setup, dir, true);
                data = null;
                stamp = now;
            }
            return view;
        }

        /** The report data of {@link #view} with the live URL, as JSON text (made once per journal change). */
        synchronized String data() throws IOException {
            RunView v = view();
            if (data == null) {
                ObjectNode o = ReportData.of(setup, dir, v.evaluations(), v.fronts(), cache);
                ((ObjectNode) o.get("run")).put("live", "data.json");
                data = ReportData.toScriptText(o);
            }
            return data;
        }
    }

    private LiveServer(HttpServer server, List<Run> runs) {
        this.server = server;
        this.runs = runs;
    }

    /**
     * Reads every run once (a bad run directory is reported before anything is served) and starts
     * serving.
     *
     * @throws IllegalArgumentException naming the run, the address or the taken port
     */
    public static LiveServer start(List<Path> dirs, String bind, int port) throws IOException {
        List<Run> runs = new ArrayList<>();
        for (Path d : dirs) {
            if (!Files.isRegularFile(d.resolve("config.yaml"))) {
                throw new IllegalArgumentException(d + " is not a run directory: it has no config.yaml");
            }
            Run r = new Run(d, RunSetup.load(d.resolve("config.yaml"), DeviceBinding.catalog()));
            r.view();
            runs.add(r);
        }
        InetAddress address;
        try {
            address = InetAddress.getByName(bind);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("--bind " + bind + " is not an address of this host", e);
        }
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(address, port), 16);
        } catch (BindException e) {
            throw new IllegalArgumentException("cannot listen on " + bind + ":" + port + " (" + e.getMessage()
                    + "): the port is taken or not allowed; choose another with --port", e);
        }
        LiveServer s = new LiveServer(server, runs);
        server.createContext("/", s::handle);
        server.setExecutor(Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "hwnas-serve");
            t.setDaemon(true);
            return t;
        }));
        server.start();
        return s;
    }

    /** The port served (the one given, or the one the system chose for port 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange x) throws IOException {
        try (x) {
            String method = x.getRequestMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                x.getResponseHeaders().set("Allow", "GET, HEAD");
                send(x, 405, "text/plain", "read-only: only GET and HEAD are served\n");
                return;
            }
            String path = x.getRequestURI().getPath();
            if (path.equals("/")) {
                send(x, 200, "text/html", index());
                return;
            }
            String[] parts = path.split("/", -1);
            int k = parts.length >= 4 && parts[1].equals("run") && parts[2].matches("\\d{1,6}")
                    ? Integer.parseInt(parts[2]) : -1;
            if (k < 0 || k >= runs.size() || parts.length != 4 || !(parts[3].isEmpty() || parts[3].equals("data.json"))) {
                send(x, 404, "text/plain", "not found: " + path + "\n");
                return;
            }
            Run r = runs.get(k);
            if (parts[3].isEmpty()) {
                RunView v = r.view();
                send(x, 200, "text/html", ReportWriter.page(r.setup, r.dir, v.evaluations(), v.fronts(), "data.json",
                        r.cache));
            } else if (String.valueOf(r.view().evaluations().size()).equals(have(x))) {
                x.sendResponseHeaders(204, -1); // the page has this state already
            } else {
                send(x, 200, "application/json", r.data());
            }
        } catch (RuntimeException e) {
            send(x, 500, "text/plain", "cannot read the run: " + e.getMessage() + "\n");
        }
    }

    /** The number of evaluations the polling page has ({@code ?have=N}), or null. */
    private static String have(HttpExchange x) {
        String q = x.getRequestURI().getRawQuery();
        return q != null && q.startsWith("have=") ? q.substring(5) : null;
    }

    private String index() {
        StringBuilder h = new StringBuilder("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<link rel=\"icon\" href=\"data:,\"><title>hwnas serve</title></head><body><h1>hwnas: live runs</h1><ul>");
        for (int i = 0; i < runs.size(); i++) {
            h.append("<li><a href=\"/run/").append(i).append("/\">").append(esc(runs.get(i).setup.config().name()))
                    .append("</a> <code>").append(esc(runs.get(i).dir)).append("</code></li>");
        }
        return h.append("</ul></body></html>\n").toString();
    }

    private static String esc(Object o) {
        return String.valueOf(o).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private static void send(HttpExchange x, int status, String type, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().set("Content-Type", type + "; charset=utf-8");
        x.getResponseHeaders().set("Cache-Control", "no-store");
        boolean head = x.getRequestMethod().equals("HEAD");
        x.sendResponseHeaders(status, head ? -1 : b.length);
        if (!head) {
            try (OutputStream o = x.getResponseBody()) {
                o.write(b);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
