package io.winloop.internal.pipe;

import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import io.winloop.internal.overlapped.PortBinding;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What both accept strategies share: where the instances come from, the backlog (instances handed over that the
 * channel has not taken yet, at most one per listening slot), the pause before a failed slot tries again, and
 * reporting a failure once per streak rather than once per retry.
 */
abstract class AbstractPipeAcceptor implements PipeServerAcceptor {
    /** How long a slot that failed to listen waits before it tries again. */
    static final int RETRY_MILLIS = 100;

    private final InternalLogger logger = InternalLoggerFactory.getInstance(getClass());
    final PipeInstances pipeInstances;
    /** Listening slots; also the most instances handed over and not taken. */
    final int instances;
    final Listener listener;
    /** Instances handed over and not yet taken by the channel ({@link #delivered()}): the backlog. */
    private final AtomicInteger undelivered = new AtomicInteger();
    private final FailureStreak failures = new FailureStreak();

    /**
     * @param pipeInstances where the instances come from, the first included; owned by the acceptor once it is
     *                      made (closed when it stops)
     */
    AbstractPipeAcceptor(PipeInstances pipeInstances, int instances, int maxInstances, Listener listener) {
        if (instances < 1 || instances > maxInstances) {
            throw new IllegalArgumentException("instances: " + instances + " (expected: 1.." + maxInstances + ")");
        }
        this.pipeInstances = pipeInstances;
        this.instances = instances;
        this.listener = listener;
    }

    /** The channel took one accepted instance: the acceptor may listen with one more. From any thread. */
    @Override
    public final void delivered() {
        undelivered.decrementAndGet();
        backlogShrank();
    }

    /** Room in the backlog again: listen with the slots it kept empty. */
    abstract void backlogShrank();

    /** True while as many instances wait to be taken as there are slots: no slot listens anew until one is taken. */
    final boolean isBacklogFull() {
        return undelivered.get() >= instances;
    }

    /** The next instance to listen with, or 0 when none could be made (reported; the caller retries later). */
    final long nextInstance() {
        try {
            return pipeInstances.next();
        } catch (IOException e) {
            report(e);
            return 0;
        }
    }

    /** Reports the first of a streak of equal failures; the repeats (one per retry) only to the debug log. */
    final void report(IOException failure) {
        if (failures.shouldReport(failure)) {
            listener.failed(failure);
        } else {
            logger.debug("{} (again, {} times since it was reported)", failure.getMessage(), failures.suppressed());
        }
    }

    /** A slot listens again: the streak of failures, if any, has ended. */
    final void listenedAgain() {
        failures.succeeded();
    }

    /** Hands a connected instance to the listener; it counts in the backlog until {@link #delivered()}. */
    final void handOver(PortBinding connected) {
        failures.succeeded();
        undelivered.incrementAndGet();
        listener.accepted(connected);
    }
}
