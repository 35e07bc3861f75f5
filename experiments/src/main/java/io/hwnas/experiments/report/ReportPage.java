package io.hwnas.experiments.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * One self-contained HTML page: ECharts (the parts the report uses, built by
 * {@code scripts/echarts-build/build.sh} and kept as a resource) and the report's scripts inlined, the data embedded as JSON, and the page's static HTML (tables) around them. The
 * page makes no network request, except a live view's polling of its own server.
 */
public final class ReportPage {

    /**
     * ECharts 5.3.1 with only the charts and components the report draws (about half of the full
     * build, so a fresh browser compiles half as much before the first chart); its licenses lie next to it.
     */
    public static final String ECHARTS = "io/hwnas/experiments/report/echarts/echarts.min.js";
    private static final String[] SCRIPTS = {"io/hwnas/experiments/report/report-core.js",
        "io/hwnas/experiments/report/report-views.js"};
    private static volatile String scripts;

    private ReportPage() {
    }

    /**
     * The page.
     *
     * @param title the page title
     * @param data  the data the scripts draw
     * @param body  the static HTML of the body (an element {@code #app} receives the charts)
     */
    public static String html(String title, JsonNode data, CharSequence body) {
        StringBuilder h = new StringBuilder(1 << 20);
        h.append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
                .append(ReportWriter.esc(title)).append("</title><link rel=\"icon\" href=\"data:,\"><style>")
                .append(STYLE).append("</style><script>").append(scripts()).append("</script>")
                .append("<script id=\"hwnas-data\" type=\"application/json\">").append(ReportData.toScriptText(data))
                .append("</script></head><body>").append(body).append("</body></html>\n");
        return h.toString();
    }

    private static final String STYLE = "body{font-family:sans-serif;margin:2em;max-width:1300px;color:#222}"
            + "table{border-collapse:collapse;margin:1em 0;font-size:90%}"
            + "td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}"
            + "td.l,th.l{text-align:left;font-family:monospace;overflow-wrap:anywhere}"
            + ".charts{display:flex;flex-wrap:wrap}.chart{width:600px;height:420px;margin:0.5em 1em 0.5em 0}"
            + ".chart.wide{width:100%;height:260px}#parallel{width:100%;height:460px}"
            + "#toggles{position:sticky;top:0;background:#fff;padding:0.5em 0;border-bottom:1px solid #ddd;z-index:20}"
            + "#toggles label{margin-right:0.8em;white-space:nowrap}"
            + ".panel{position:fixed;right:1em;top:3.5em;bottom:1em;width:44%;overflow:auto;background:#fff;"
            + "border:1px solid #999;box-shadow:0 2px 12px rgba(0,0,0,.3);padding:0 1em;z-index:30}"
            + "#breakdown-close{float:right;font-size:150%;margin-top:0.4em;cursor:pointer}"
            + ".tip table{margin:0.3em 0;font-size:85%}code.arch{font-size:85%;word-break:break-all}"
            + "details{margin:0.3em 0}summary{cursor:pointer}#live-status{color:#060}";

    /** ECharts and the report's scripts, read once from the classpath. */
    static String scripts() {
        String s = scripts;
        if (s == null) {
            StringBuilder b = new StringBuilder(resource(ECHARTS)).append('\n');
            for (String r : SCRIPTS) {
                b.append(resource(r)).append('\n');
            }
            s = b.toString().replace("</script", "<\\/script");
            scripts = s;
        }
        return s;
    }

    private static String resource(String name) {
        try (InputStream in = ReportPage.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("the resource " + name + " is missing from the classpath (the "
                        + "hwnas jar is incomplete)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the resource " + name, e);
        }
    }
}
