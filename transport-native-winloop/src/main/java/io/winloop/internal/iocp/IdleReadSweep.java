package io.winloop.internal.iocp;

/**
 * The buffered reads of one loop that are pending, so that a connection gone idle stops pinning a buffer: a read
 * found pending by two sweeps in a row ({@link #interval} apart, so idle for at least that long) is cancelled, and
 * its owner posts a zero-byte read instead (libuv's and Kestrel's technique), which holds no memory until data
 * comes. Tracking costs an array store per pending read and nothing per read that finishes at once; the loop runs
 * a sweep at most once per interval, and only wakes for one while buffered reads are pending.
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
        int cancelled = 0;
        // Backwards: a cancel never completes inside the call, but be safe against removal while iterating.
        for (int i = count - 1; i >= 0; i--) {
            OverlappedStream stream = pending[i];
            if (stream.seenBySweep) {
                untrack(stream);
                stream.cancelIdleRead();
                cancelled++;
            } else {
                stream.seenBySweep = true;
            }
        }
        return cancelled;
    }
}
