package io.hwnas.experiments.cli;

import io.hwnas.experiments.agent.AgentClient;
import io.hwnas.experiments.agent.Token;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/** {@code --agent URL --token-file F}: the measurement agent a command talks to. */
public final class AgentOptions {

    @Option(names = "--agent", description = "the agent's address, e.g. http://127.0.0.1:7070")
    String agent;

    @Option(names = "--token-file", description = "file holding the agent's token")
    Path tokenFile;

    /** Whether --agent was given. */
    boolean given() {
        return agent != null;
    }

    /** The client; bad options exit 2 naming the option. */
    AgentClient client() {
        if (agent == null || tokenFile == null) {
            throw new UsageException("--agent and --token-file are both required here");
        }
        Token token;
        try {
            token = Token.read(tokenFile);
        } catch (IllegalArgumentException e) {
            throw new UsageException("--token-file: " + e.getMessage());
        }
        try {
            return new AgentClient(agent, token, Duration.ofMinutes(5));
        } catch (IllegalArgumentException e) {
            throw new UsageException("--agent: " + e.getMessage());
        }
    }
}
