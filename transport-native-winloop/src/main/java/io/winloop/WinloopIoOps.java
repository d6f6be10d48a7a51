package io.winloop;

import io.netty.channel.IoOps;

/**
 * The readiness a {@link WinloopIoHandle} asks {@link WinloopIoHandler} to watch for. {@link #READ} covers
 * received data, end of stream and pending connections; {@link #WRITE} covers send space and connect completion.
 * Errors (reset, failed connect) are always reported, as readable and writable, while any interest is set.
 */
public final class WinloopIoOps implements IoOps {
    public static final int READ = 1;
    public static final int WRITE = 2;

    public static final WinloopIoOps NONE = new WinloopIoOps(0);
    public static final WinloopIoOps READ_OPS = new WinloopIoOps(READ);
    public static final WinloopIoOps WRITE_OPS = new WinloopIoOps(WRITE);
    public static final WinloopIoOps READ_WRITE_OPS = new WinloopIoOps(READ | WRITE);

    private static final WinloopIoOps[] CACHE = {NONE, READ_OPS, WRITE_OPS, READ_WRITE_OPS};

    private final int value;

    private WinloopIoOps(int value) {
        this.value = value;
    }

    /** The shared instance for a combination of {@link #READ} and {@link #WRITE}. */
    public static WinloopIoOps valueOf(int value) {
        if ((value & ~(READ | WRITE)) != 0) {
            throw new IllegalArgumentException("unknown ops: " + value);
        }
        return CACHE[value];
    }

    public int value() {
        return value;
    }

    public boolean contains(int ops) {
        return (value & ops) == ops;
    }

    public WinloopIoOps with(int ops) {
        return valueOf(value | ops);
    }

    public WinloopIoOps without(int ops) {
        return valueOf(value & ~ops);
    }

    @Override
    public String toString() {
        return "WinloopIoOps(" + ((value & READ) != 0 ? "READ" : "") + (value == (READ | WRITE) ? "|" : "")
                + ((value & WRITE) != 0 ? "WRITE" : "") + ")";
    }
}
