package io.winloop.internal.port;

import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import io.winloop.internal.afd.AfdPoller;
import io.winloop.internal.overlapped.OverlappedIo;
import io.winloop.internal.win.CompletionPort;
import io.winloop.internal.win.SlotTable;

import java.io.IOException;

/**
 * The completion port of one event loop and everything that completes on it, in one place as Netty's
 * {@code EpollIoHandler} keeps its epoll: one {@code GetQueuedCompletionStatusEx} per turn ({@link #await}) reaps a
 * batch, and {@link #process} sends each entry by its completion key to its owner: an AFD poll to the
 * {@link AfdPoller} (whose events go to a {@link AfdPoller.Listener}), an overlapped operation to
 * {@link OverlappedIo}; wake-ups are dropped. Both kinds keep their blocks in the loop's one {@link SlotTable}.
 *
 * <p>Not thread-safe: every method but {@link #wakeup()} runs on the owning event loop thread.
 */
public final class LoopPort {
    private static final InternalLogger logger = InternalLoggerFactory.getInstance(LoopPort.class);

    /** See {@link #reverseBatchesForTests}: read once per batch, so the hot path pays one volatile read. */
    private static volatile boolean reverseBatchesForTests;
    private static volatile int reversedBatches;

    private final CompletionPort port;
    private final AfdPoller afd;
    private final OverlappedIo overlapped;
    private boolean closed;

    /** A new port that reaps up to {@code batchSize} completions per wait. */
    public LoopPort(int batchSize) throws IOException {
        port = new CompletionPort(batchSize);
        SlotTable slots = new SlotTable();
        afd = new AfdPoller(port, slots);
        overlapped = new OverlappedIo(port.handle(), slots);
    }

    /** The sockets' AFD polls completing on this port. */
    public AfdPoller afd() {
        return afd;
    }

    /** The overlapped operations completing on this port. */
    public OverlappedIo overlapped() {
        return overlapped;
    }

    /**
     * Issues the queued AFD updates, then waits up to {@code timeoutMillis} (-1 for ever, 0 to only look) for
     * completions; returns how many were dequeued. Does not wait when a failed poll is waiting to be reported.
     */
    public int await(int timeoutMillis) throws IOException {
        afd.flushUpdates();
        return port.dequeue(afd.hasFailedPolls() ? 0 : timeoutMillis);
    }

    /**
     * Sends the {@code dequeued} completions of the last {@link #await} to their owners (and reports any poll that
     * failed to issue).
     *
     * @return the number of socket events and overlapped completions delivered
     */
    public int process(int dequeued, AfdPoller.Listener listener) {
        int delivered = afd.deliverFailed(listener);
        boolean reverse = reverseBatchesForTests;
        if (reverse && dequeued > 1) {
            reversedBatches++;
        }
        for (int n = 0; n < dequeued; n++) {
            int i = reverse ? dequeued - 1 - n : n;
            long block = port.entryOverlapped(i);
            long key = port.entryKey(i);
            if (key == CompletionPort.WAKEUP_KEY || block == 0) {
                continue;
            }
            if (key == CompletionPort.OVERLAPPED_KEY) {
                overlapped.complete(block);
                delivered++;
            } else if (key == CompletionPort.AFD_KEY) {
                if (afd.complete(block, listener)) {
                    delivered++;
                }
            } else {
                // Never expected: only this loop associates handles with its port, under the keys above.
                logger.error("Completion with an unknown key {} for block 0x{}", key, Long.toHexString(block));
            }
        }
        return delivered;
    }

    /** {@link #await} then {@link #process}. */
    public int poll(int timeoutMillis, AfdPoller.Listener listener) throws IOException {
        return process(await(timeoutMillis), listener);
    }

    /** Makes a blocked {@link #await} return; safe from any thread. */
    public void wakeup() throws IOException {
        port.post();
    }

    /**
     * Tests: dispatch each dequeued batch last entry first. Windows does not promise an order among the packets one
     * GetQueuedCompletionStatusEx returns, so every owner must be right in any order; this lets a test make the
     * order that the port's FIFO would not.
     */
    public static void reverseBatchesForTests(boolean reverse) {
        reverseBatchesForTests = reverse;
    }

    /** Tests: batches of two or more entries dispatched in reverse so far (see {@link #reverseBatchesForTests}). */
    public static int reversedBatches() {
        return reversedBatches;
    }

    /**
     * Cancels every poll and overlapped operation in flight, waits (up to {@code timeoutMillis}) for their
     * completions so that no block is freed while the kernel may still write it (the overlapped ones reach their
     * owners, which may free what they hold), then closes the helpers and the port.
     */
    public void close(int timeoutMillis) {
        if (closed) {
            return;
        }
        closed = true;
        afd.removeAll();
        overlapped.cancelAll();
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        AfdPoller.Listener ignore = (state, events, status) -> { };
        while ((afd.pollsInFlight() > 0 || overlapped.inFlight() > 0) && System.nanoTime() < deadline) {
            try {
                poll(10, ignore);
            } catch (IOException e) {
                logger.warn("Failed to drain the completion port on close", e);
                break;
            }
        }
        overlapped.freeAll();
        if (afd.pollsInFlight() > 0 || overlapped.inFlight() > 0) {
            // Freeing now could let the kernel write into reused memory: leak the blocks instead, loudly.
            logger.warn("{} AFD poll(s) and {} overlapped operation(s) did not complete within {} ms of close; "
                    + "their blocks are not freed", afd.pollsInFlight(), overlapped.inFlight(), timeoutMillis);
        }
        afd.close();
        port.close();
    }
}
