package io.winloop.reliability;

import io.netty.buffer.AbstractByteBuf;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import io.winloop.internal.win.ProcessHandles;
import io.winloop.internal.win.NativeMemory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a reliability test must leave behind as it found it: the process's OS handle count, the transport's live
 * native blocks, and no ByteBuf leak reported by Netty's leak detector (PARANOID in the test JVM).
 */
final class ResourceBaseline {
    /**
     * Handles the JVM itself may open or close meanwhile (JIT compiler threads come and go, the leak detector's
     * and GC's bookkeeping): a leak of the transport grows with the number of sockets, far beyond this.
     */
    private static final long HANDLE_SLACK = 24;
    private static final List<String> LEAKS = new CopyOnWriteArrayList<>();

    static {
        try {
            Field field = AbstractByteBuf.class.getDeclaredField("leakDetector");
            field.setAccessible(true);
            ((ResourceLeakDetector<?>) field.get(null)).setLeakListener((type, records) -> LEAKS.add(type
                    + records));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot hook Netty's ByteBuf leak detector", e);
        }
    }

    private final long handles;
    private final long blocks;

    private ResourceBaseline(long handles, long blocks) {
        this.handles = handles;
        this.blocks = blocks;
    }

    static ResourceBaseline take() {
        collectLeaks();
        LEAKS.clear();
        return new ResourceBaseline(handleCount(), NativeMemory.liveBlocks());
    }

    static long handleCount() {
        try {
            return ProcessHandles.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits (up to 10 s) for handles and blocks to come back, then checks the leak detector. */
    void assertRestored(String what) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
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
        assertEquals(blocks, nowBlocks, what + ": live native blocks of the transport");
        assertTrue(nowHandles <= handles + HANDLE_SLACK,
                what + ": OS handles " + nowHandles + " vs baseline " + handles + " (slack " + HANDLE_SLACK + ")");
        collectLeaks();
        assertTrue(LEAKS.isEmpty(), what + ": Netty's leak detector reported " + LEAKS);
    }

    long handles() {
        return handles;
    }

    /** Leaks are reported when a tracked buffer is collected and another one is then tracked. */
    private static void collectLeaks() {
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
