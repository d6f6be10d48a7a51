package io.winloop;

import io.winloop.internal.win.NativeMemory;
import io.winloop.internal.win.ProcessHandles;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The process's handle count and the transport's live native blocks, taken before a test and checked after it: the
 * blocks must be back exactly, the handles within {@link #HANDLE_SLACK}.
 */
final class ResourceBaseline {
    /** Handles the JVM itself opens and closes meanwhile (JIT and GC threads); a leak per test would show. */
    static final long HANDLE_SLACK = 24;

    private final long handles;
    private final long blocks;

    private ResourceBaseline(long handles, long blocks) {
        this.handles = handles;
        this.blocks = blocks;
    }

    static ResourceBaseline take() throws IOException {
        return new ResourceBaseline(ProcessHandles.count(), NativeMemory.liveBlocks());
    }

    /** Waits up to 10 s for both counts to come back (loops shut down asynchronously), then asserts them. */
    void assertRestored() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        long nowHandles;
        long nowBlocks;
        do {
            nowHandles = ProcessHandles.count();
            nowBlocks = NativeMemory.liveBlocks();
            if (nowHandles <= handles + HANDLE_SLACK && nowBlocks == blocks) {
                break;
            }
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        assertEquals(blocks, nowBlocks, "live native blocks after the loops shut down");
        assertTrue(nowHandles <= handles + HANDLE_SLACK, "handles: " + nowHandles + " after, " + handles + " before");
    }
}
