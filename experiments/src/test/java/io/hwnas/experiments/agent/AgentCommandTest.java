package io.hwnas.experiments.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hwnas.experiments.cli.HwnasCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code hwnas agent} refuses bad options, naming each with its value, and a taken port, with exit 2. */
class AgentCommandTest {

    private static int run(StringWriter err, String... args) {
        CommandLine cl = HwnasCli.commandLine();
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void everyBadOptionIsNamedWithItsValue(@TempDir Path dir) throws Exception {
        Path token = dir.resolve("token");
        Files.writeString(token, "agent-command-test\n");
        StringWriter err = new StringWriter();
        assertEquals(2, run(err, "agent", "--token-file", token.toString(), "--threads", "0", "--max-waiting", "-1",
                "--port", "70000", "--measure-seconds", "0"));
        String e = err.toString();
        assertTrue(e.contains("--threads 0 is not allowed; expected a positive number")
                && e.contains("--measure-seconds 0 is not allowed") && e.contains("--max-waiting -1 is not allowed")
                && e.contains("--port 70000 is not allowed; expected 0 to 65535"), e);
        assertEquals(1, e.strip().lines().count(), e);
    }

    @Test
    void aTakenPortExits2(@TempDir Path dir) throws Exception {
        Path token = dir.resolve("token");
        Files.writeString(token, "agent-command-test\n");
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            StringWriter err = new StringWriter();
            assertEquals(2, run(err, "agent", "--token-file", token.toString(), "--threads", "1", "--port",
                    String.valueOf(taken.getLocalPort())));
            assertTrue(err.toString().contains("the port is taken or not allowed; choose another with --port"),
                    err.toString());
            assertTrue(!err.toString().contains("\tat "), err.toString());
        }
    }
}
