package io.winloop;

import io.netty.buffer.AbstractByteBuf;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.winloop.internal.win.NativeMemory;
import io.winloop.internal.win.ProcessHandles;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a test must leave behind as it found it: the process's OS handle count (within {@link #HANDLE_SLACK}) and the
 * transport's live native blocks (exactly), taken before the test and checked after it; with
 * {@link #takeWatchingLeaks()} also no ByteBuf leak reported by Netty's leak detector meanwhile (the reliability
 * tests, which run with it at PARANOID). The one baseline of the transport's tests and of testsuite-winloop's, which
 * receives it in this module's test-jar.
 */
public final class ResourceBaseline {
    /**
     * Handles the JVM itself may open or close meanwhile (JIT compiler threads come and go, the leak detector's and
     * GC's bookkeeping): a leak of the transport grows with the number of sockets or files, far beyond this.
     */
    public static final long HANDLE_SLACK = 24;

    private final long handles;
    private final long blocks;
    private final boolean leaks;

    private ResourceBaseline(long handles, long blocks, boolean leaks) {
        this.handles = handles;
        this.blocks = blocks;
        this.leaks = leaks;
    }

    /** Handles and native blocks. */
    public static ResourceBaseline take() {
        return new ResourceBaseline(handleCount(), NativeMemory.liveBlocks(), false);
    }

    /** Handles, native blocks, and from now on Netty's ByteBuf leak reports (the ones before are dropped). */
    public static ResourceBaseline takeWatchingLeaks() {
        Leaks.collect();
        Leaks.REPORTED.clear();
        return new ResourceBaseline(handleCount(), NativeMemory.liveBlocks(), true);
    }

    public static long handleCount() {
        try {
            return ProcessHandles.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public long handles() {
        return handles;
    }

    public void assertRestored() throws InterruptedException {
        assertRestored("after the test");
    }

    /**
     * Waits up to 10 s for handles and blocks to come back (loops shut down asynchronously), asserts them, then (when
     * watching leaks) that the leak detector reported none.
     */
    public void assertRestored(String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        long nowHandles;
        long nowBlocks;
        do {
            nowHandles = handleCount();
            nowBlocks = NativeMemory.liveBlocks();
            if (nowHandles <= handles + HANDLE_SLACK && nowBlocks == blocks) {
                break;
            }
            Thread.sleep(100);
        } while (System.nanoTime() < deadline);
        if (nowBlocks != blocks) {
            for (Throwable site : NativeMemory.liveAllocationSites()) {
                site.printStackTrace(System.out);
            }
        }
        assertEquals(blocks, nowBlocks, what + ": live native blocks of the transport");
        assertTrue(nowHandles <= handles + HANDLE_SLACK,
                what + ": OS handles " + nowHandles + " vs baseline " + handles + " (slack " + HANDLE_SLACK + ")");
        if (leaks) {
            Leaks.collect();
            assertTrue(Leaks.REPORTED.isEmpty(), what + ": Netty's leak detector reported " + Leaks.REPORTED);
        }
    }

    /** Netty's ByteBuf leak reports, hooked on first use only: the tests that do not watch them keep Netty's own. */
    private static final class Leaks {
        static final List<String> REPORTED = new CopyOnWriteArrayList<>();

        static {
            try {
                Field field = AbstractByteBuf.class.getDeclaredField("leakDetector");
                field.setAccessible(true);
                ((ResourceLeakDetector<?>) field.get(null)).setLeakListener((type, records) -> REPORTED.add(type
                        + records));
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot hook Netty's ByteBuf leak detector", e);
            }
        }

        private Leaks() {
        }

        /** Leaks are reported when a tracked buffer is collected and another one is then tracked. */
        static void collect() {
            for (int i = 0; i < 3; i++) {
                System.gc();
                System.runFinalization();
                for (int j = 0; j < 64; j++) {
                    ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(8);
                    buf.release();
                }
            }
        }
    }
}
