package io.hwnas.experiments.agent;

import java.time.Duration;

/**
 * An agent client that outlives short outages: a request that finds the agent unreachable or busy (503)
 * is sent again after 1, 2, 4 ... s (at most {@code maxDelay} apart) until {@code patience} has passed;
 * then it fails with {@link AgentLost}, whose message says for how long and why, so the caller can fail
 * the affected evaluation with that reason (and measure it when a resumed run finds the agent back).
 */
public final class RetryingAgent {

    private final AgentClient client;
    private final Duration patience;
    private final Duration firstDelay;
    private final Duration maxDelay;

    /** The agent stayed unreachable or busy for the whole patience. */
    public static final class AgentLost extends RuntimeException {
        public AgentLost(String message, Throwable cause) {
            super(message, cause);
        }
    }

    public RetryingAgent(AgentClient client, Duration patience, Duration firstDelay, Duration maxDelay) {
        this.client = client;
        this.patience = patience;
        this.firstDelay = firstDelay;
        this.maxDelay = maxDelay;
    }

    /** Retries for up to {@code patience}, waiting 1 s at first and at most 30 s between tries. */
    public static RetryingAgent of(AgentClient client, Duration patience) {
        return new RetryingAgent(client, patience, Duration.ofSeconds(1), Duration.ofSeconds(30));
    }

    public String url() {
        return client.url();
    }

    /**
     * Times a model, retrying while the agent is unreachable or busy.
     *
     * @throws AgentLost when it stayed so for the whole patience
     * @throws AgentClient.AgentError for any other error answer (a bad model is not retried)
     */
    public Measurement measure(byte[] model, int warmup, int runs) {
        long deadline = System.nanoTime() + patience.toNanos();
        long delay = firstDelay.toMillis();
        int tries = 0;
        while (true) {
            RuntimeException why;
            try {
                tries++;
                return client.measure(model, warmup, runs);
            } catch (AgentClient.AgentUnreachable e) {
                why = e;
            } catch (AgentClient.AgentError e) {
                if (e.status() != 503) {
                    throw e;
                }
                why = e;
            }
            long left = (deadline - System.nanoTime()) / 1_000_000;
            if (left <= 0) {
                throw new AgentLost("agent " + client.url() + " lost: " + tries + " tries over " + patience.toSeconds()
                        + " s failed; last: " + why.getMessage(), why);
            }
            sleep(Math.min(delay, left));
            delay = Math.min(delay * 2, maxDelay.toMillis());
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AgentLost("interrupted while waiting for the agent", e);
        }
    }
}
