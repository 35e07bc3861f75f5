package io.hwnas.experiments.agent;

import java.time.Duration;

/**
 * What the agent accepts.
 *
 * @param maxBodyBytes  the largest model body; larger ones are answered 413 before being read
 * @param maxWaiting    requests that may wait while one is measured; more are answered 503
 * @param measureTime   time for one measurement's warm-up and timed runs; runs stop when it is spent
 *                      (one run is never cut short, and at least one timed run is made)
 * @param readTimeout   time to receive a whole request body; a slower client is answered 408
 * @param maxRuns       the most timed runs (and warm-up runs) a request may ask for
 */
public record AgentLimits(long maxBodyBytes, int maxWaiting, Duration measureTime, Duration readTimeout, int maxRuns) {

    /** 256 MiB, 4 waiting, 60 s per measurement, 30 s to send a body, 1000 runs. */
    public static AgentLimits defaults() {
        return new AgentLimits(256L << 20, 4, Duration.ofSeconds(60), Duration.ofSeconds(30), 1000);
    }

    public AgentLimits {
        if (maxBodyBytes <= 0 || maxWaiting < 0 || maxRuns <= 0 || measureTime.isNegative() || measureTime.isZero()
                || readTimeout.isNegative() || readTimeout.isZero()) {
            throw new IllegalArgumentException("agent limits must be positive (waiting >= 0)");
        }
    }

    /** One line for the log and the README. */
    public String describe() {
        return "body <= " + maxBodyBytes + " bytes, one measurement at a time with <= " + maxWaiting + " waiting, <= "
                + measureTime.toSeconds() + " s per measurement, <= " + readTimeout.toSeconds()
                + " s to receive a body, <= " + maxRuns + " runs";
    }
}
