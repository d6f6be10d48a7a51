package io.winloop.internal.iocp;

import io.netty.util.internal.SystemPropertyUtil;
import io.winloop.internal.overlapped.OverlappedIo;

/**
 * What one event loop in completion mode gives its TCP streams: the overlapped operations of its port and the sweep
 * of its idle buffered reads. Loop thread only.
 */
public final class CompletionLoop {
    /** How long a buffered read may stay pending before the connection waits by AFD poll (1 to 2 times this). */
    public static final String IDLE_READ_MILLIS_PROPERTY = "io.winloop.completion.idleReadMillis";
    private static final long IDLE_READ_MILLIS = SystemPropertyUtil.getLong(IDLE_READ_MILLIS_PROPERTY, 1000);

    private final OverlappedIo overlappedIo;
    private final IdleReadSweep idleReads;

    public CompletionLoop(OverlappedIo overlappedIo) {
        this.overlappedIo = overlappedIo;
        this.idleReads = new IdleReadSweep(IDLE_READ_MILLIS);
    }

    public OverlappedIo overlappedIo() {
        return overlappedIo;
    }

    public IdleReadSweep idleReads() {
        return idleReads;
    }
}
