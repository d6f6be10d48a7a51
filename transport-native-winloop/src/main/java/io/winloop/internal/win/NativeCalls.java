package io.winloop.internal.win;

import io.netty.util.internal.SystemPropertyUtil;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts Win32 calls on the data path (poll, wait, recv, send, ...) when {@code -Dio.winloop.countNativeCalls=true}
 * is set, so a benchmark can report calls per message. Off by default: then {@link #count()} is a constant branch
 * the JIT removes.
 */
public final class NativeCalls {
    private static final boolean ENABLED = SystemPropertyUtil.getBoolean("io.winloop.countNativeCalls", false);
    private static final AtomicLong CALLS = new AtomicLong();

    private NativeCalls() {
    }

    public static void count() {
        if (ENABLED) {
            CALLS.incrementAndGet();
        }
    }

    public static boolean isEnabled() {
        return ENABLED;
    }

    /** Calls counted so far (0 when counting is off). */
    public static long total() {
        return CALLS.get();
    }
}
