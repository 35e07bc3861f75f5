package io.hwnas.experiments.evaluate;

import io.hwnas.search.Evaluation;

/**
 * A device that measures could not be reached (an agent lost beyond its retry time): the candidate's
 * evaluation fails with a reason that starts with {@value #PREFIX}, and a resumed run evaluates it again.
 */
public final class DeviceUnavailableException extends RuntimeException {

    /** How the error of an evaluation failed this way starts. */
    public static final String PREFIX = "device unavailable: ";

    public DeviceUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }

    /** True for an evaluation that failed because a device could not be reached (a resume evaluates it again). */
    public static boolean failedBy(Evaluation e) {
        return e.status() == Evaluation.Status.FAILED && e.error() != null && e.error().startsWith(PREFIX);
    }
}
