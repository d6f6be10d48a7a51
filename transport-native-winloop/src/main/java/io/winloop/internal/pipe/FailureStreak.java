package io.winloop.internal.pipe;

import java.io.IOException;

/**
 * Tells an acceptor which failures to report: the first of a streak of the same failure, not each retry of it. A
 * cause that does not go away by itself (a security descriptor that denies the server's own user
 * FILE_CREATE_PIPE_INSTANCE fails every CreateNamedPipe after the first with ERROR_ACCESS_DENIED) would otherwise
 * fire exceptionCaught every retry interval for as long as the server runs. A success ends the streak. Used by one
 * thread (the acceptor's).
 */
final class FailureStreak {
    private String reported;
    private int suppressed;

    /** True when {@code failure} is not the one reported last since the last success. */
    boolean shouldReport(IOException failure) {
        String message = String.valueOf(failure.getMessage());
        if (message.equals(reported)) {
            suppressed++;
            return false;
        }
        reported = message;
        suppressed = 0;
        return true;
    }

    /** Repeats of the failure reported last that were not reported. */
    int suppressed() {
        return suppressed;
    }

    void succeeded() {
        reported = null;
        suppressed = 0;
    }
}
