package io.winloop.internal.iocp;

/**
 * The buffered reads of one loop that are pending, so that a connection gone idle stops pinning a buffer: a read
 * found pending by two sweeps in a row (an interval apart, so idle for at least that long) is cancelled, and its
 * owner waits the readiness way instead (an AFD poll), which holds no buffer until data comes.
 * A read that completes after a sweep saw it pending ({@link OverlappedStream#wasSeenBySweep()}) tells its owner the
 * same without a cancel: the connection's messages are an interval apart, so it waits by poll next.
 * Tracking costs an array store per pending read and nothing per read that finishes at once; the loop runs a sweep
 * at most once per interval, and only wakes for one while buffered reads are pending.
 *
 * <p>A sweep spends at most a tenth of its interval cancelling; what is left is cancelled by the next ones. Under
 * Wine a {@code CancelIoEx} of a read costs 0.3 ms on a quiet loop and up to 8 ms while data flows (1 000
 * connections, lane A), so an unbounded sweep of a thousand idle reads stalled the loop for seconds; on Windows a
 * cancel finds its request on the file's own list.
 *
 * <p>Loop thread only.
 */
public final class IdleReadSweep {
    private final long intervalNanos;
    private OverlappedStream[] pending = new OverlappedStream[16];
    private int count;
    private long nextSweepNanos;

    /** Sweeps {@code intervalMillis} apart (a read is cancelled after 1 to 2 intervals of idleness). */
    public IdleReadSweep(long intervalMillis) {
        if (intervalMillis <= 0) {
            throw new IllegalArgumentException("idle read interval must be positive: " + intervalMillis + " ms");
        }
        this.intervalNanos = intervalMillis * 1_000_000L;
    }

    /** The interval between sweeps, in nanoseconds. */
    public long intervalNanos() {
        return intervalNanos;
    }

    /** Buffered reads pending now. */
    public int size() {
        return count;
    }

    void track(OverlappedStream stream) {
        stream.seenBySweep = false;
        if (stream.sweepIndex >= 0) {
            return;
        }
        if (count == pending.length) {
            pending = java.util.Arrays.copyOf(pending, count * 2);
        }
        if (count == 0) {
            nextSweepNanos = System.nanoTime() + intervalNanos;
        }
        stream.sweepIndex = count;
        pending[count++] = stream;
    }

    void untrack(OverlappedStream stream) {
        int index = stream.sweepIndex;
        if (index < 0) {
            return;
        }
        stream.sweepIndex = -1;
        OverlappedStream last = pending[--count];
        pending[count] = null;
        if (index != count) {
            pending[index] = last;
            last.sweepIndex = index;
        }
    }

    /**
     * How long the loop may wait before the next sweep is due (capping {@code timeoutMillis}, -1 for ever): no
     * cap while no buffered read is pending.
     */
    public int capTimeout(int timeoutMillis, long nowNanos) {
        if (count == 0) {
            return timeoutMillis;
        }
        long due = Math.max(0, (nextSweepNanos - nowNanos + 999_999L) / 1_000_000L);
        return timeoutMillis < 0 ? (int) Math.min(due, Integer.MAX_VALUE) : (int) Math.min(due, timeoutMillis);
    }

    /** Runs a sweep when one is due; returns the reads it cancelled. */
    public int sweepIfDue(long nowNanos) {
        if (count == 0 || nowNanos - nextSweepNanos < 0) {
            return 0;
        }
        nextSweepNanos = nowNanos + intervalNanos;
        long budgetEnd = nowNanos + intervalNanos / 10;
        int cancelled = 0;
        // Backwards, so that untracking (which moves the last entry into the hole) never skips an entry.
        for (int i = count - 1; i >= 0; i--) {
            OverlappedStream stream = pending[i];
            if (!stream.seenBySweep) {
                stream.seenBySweep = true;
            } else if (System.nanoTime() - budgetEnd < 0) {
                untrack(stream);
                stream.cancelIdleRead();
                cancelled++;
            }
        }
        return cancelled;
    }
}
