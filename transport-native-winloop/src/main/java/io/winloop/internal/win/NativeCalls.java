package io.winloop.internal.win;

import io.netty.util.internal.SystemPropertyUtil;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts Win32 calls on the data path (poll, wait, recv, send, accept, ...) when
 * {@code -Dio.winloop.countNativeCalls=true} is set, so a benchmark can report calls per message. Off by default:
 * then {@link #count()} is a constant branch the JIT removes.
 *
 * <p>{@code -Dio.winloop.traceNativeCalls=true} (diagnosis only: it takes a stack trace per call) also counts per
 * call site, and counts the calls made once per connection outside the data path ({@link #countOther()}: base
 * handle, addresses, options, close) in the sites only, so that {@link #total()} stays comparable between versions.
 */
public final class NativeCalls {
    private static final boolean TRACE = SystemPropertyUtil.getBoolean("io.winloop.traceNativeCalls", false);
    private static final boolean ENABLED = TRACE || SystemPropertyUtil.getBoolean("io.winloop.countNativeCalls", false);
    private static final AtomicLong CALLS = new AtomicLong();
    private static final Map<String, LongAdder> SITES = new ConcurrentHashMap<>();

    private NativeCalls() {
    }

    /** One Win32 call on the data path. */
    public static void count() {
        if (ENABLED) {
            CALLS.incrementAndGet();
            if (TRACE) {
                trace("");
            }
        }
    }

    /** One Win32 call outside the data path: traced only (see the class comment). */
    public static void countOther() {
        if (TRACE) {
            trace("[other] ");
        }
    }

    private static void trace(String kind) {
        StackTraceElement[] stack = new Throwable().getStackTrace();
        StringBuilder key = new StringBuilder(kind);
        // stack[0] is trace, stack[1] count/countOther; then the call site and three of its callers.
        for (int i = 2; i < Math.min(stack.length, 6); i++) {
            if (i > 2) {
                key.append(" < ");
            }
            String cls = stack[i].getClassName();
            key.append(cls.substring(cls.lastIndexOf('.') + 1)).append('.').append(stack[i].getMethodName());
        }
        SITES.computeIfAbsent(key.toString(), k -> new LongAdder()).increment();
    }

    public static boolean isEnabled() {
        return ENABLED;
    }

    public static boolean isTracing() {
        return TRACE;
    }

    /** Calls counted so far (0 when counting is off). */
    public static long total() {
        return CALLS.get();
    }

    /** Calls per traced call site so far (empty unless tracing). */
    public static Map<String, Long> sites() {
        Map<String, Long> m = new TreeMap<>();
        for (Map.Entry<String, LongAdder> e : SITES.entrySet()) {
            m.put(e.getKey(), e.getValue().sum());
        }
        return m;
    }
}
