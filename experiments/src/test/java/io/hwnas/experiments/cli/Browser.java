package io.hwnas.experiments.cli;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.hwnas.core.io.Json;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;

/**
 * Headless Chromium driven by Selenium through Debian's chromedriver (never Selenium Manager, which
 * would download a driver). Tests that need it skip themselves when Chromium or chromedriver is not
 * installed ({@code apt-get install chromium chromium-driver}; CI's {@code .ci/run} installs both).
 */
final class Browser implements AutoCloseable {

    static final Path CHROMIUM = Path.of(System.getenv().getOrDefault("HWNAS_CHROMIUM", "/usr/bin/chromium"));
    static final Path DRIVER = Path.of(System.getenv().getOrDefault("HWNAS_CHROMEDRIVER", "/usr/bin/chromedriver"));
    /** Where screenshots go when the system property {@code hwnas.screens} names a folder. */
    static final String SCREENS = System.getProperty("hwnas.screens", "");

    final ChromeDriver driver;

    private Browser(ChromeDriver driver) {
        this.driver = driver;
    }

    /** Skips the calling test when Chromium or chromedriver is absent (call it before any costly set-up). */
    static void assumeAvailable() {
        assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER),
                "Chromium (" + CHROMIUM + ") and chromedriver (" + DRIVER + ") are needed for the browser tests");
    }

    /** Starts a browser, or skips the calling test when Chromium or chromedriver is absent. */
    static Browser start() {
        assumeAvailable();
        ChromeOptions o = new ChromeOptions();
        o.setBinary(CHROMIUM.toFile());
        o.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1400,1000", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-default-apps");
        var prefs = new org.openqa.selenium.logging.LoggingPreferences();
        prefs.enable(LogType.BROWSER, Level.ALL);
        prefs.enable(LogType.PERFORMANCE, Level.ALL);
        o.setCapability("goog:loggingPrefs", prefs);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile())
                .usingAnyFreePort().build();
        ChromeDriver d = new ChromeDriver(service, o);
        d.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(60)).scriptTimeout(Duration.ofSeconds(30));
        return new Browser(d);
    }

    /** Opens a page and waits until the report's script has drawn its charts. */
    void open(String url) {
        driver.get(url);
        waitFor("return window.hwnasReport && Object.keys(window.hwnasReport.charts).length > 0", 30);
    }

    Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    /** Polls a script until it returns true, failing after the given seconds. */
    void waitFor(String script, double seconds) {
        long end = System.nanoTime() + (long) (seconds * 1e9);
        while (!Boolean.TRUE.equals(js(script))) {
            if (System.nanoTime() > end) {
                throw new AssertionError("timed out after " + seconds + " s waiting for: " + script);
            }
            sleep(50);
        }
    }

    /** The browser's console messages at level SEVERE (errors) since the last call. */
    List<String> consoleErrors() {
        List<String> out = new ArrayList<>();
        for (LogEntry e : driver.manage().logs().get(LogType.BROWSER)) {
            if (e.getLevel().intValue() >= Level.SEVERE.intValue()) {
                out.add(e.getMessage());
            }
        }
        return out;
    }

    /** The URL of every request the page sent since the last call (from the DevTools performance log). */
    List<String> requests() throws IOException {
        List<String> out = new ArrayList<>();
        for (LogEntry e : driver.manage().logs().get(LogType.PERFORMANCE)) {
            JsonNode m = Json.MAPPER.readTree(e.getMessage()).path("message");
            if (m.path("method").asText().equals("Network.requestWillBeSent")) {
                out.add(m.path("params").path("request").path("url").asText());
            }
        }
        return out;
    }

    /** Saves a screenshot as NAME.png when screenshots are asked for ({@code -Dhwnas.screens=DIR}). */
    void screenshot(String name) throws IOException {
        if (SCREENS.isEmpty()) {
            return;
        }
        Path dir = Files.createDirectories(Path.of(SCREENS));
        File f = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
        Files.copy(f.toPath(), dir.resolve(name + ".png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> counts(String chartId) {
        return (Map<String, Object>) js("return window.hwnasReport.counts(arguments[0])", chartId);
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() {
        driver.quit();
    }
}
