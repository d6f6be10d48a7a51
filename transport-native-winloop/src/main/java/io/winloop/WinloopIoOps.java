package io.winloop;

import io.netty.channel.IoOps;
import io.winloop.internal.afd.Afd;

/**
 * The readiness a {@link WinloopIoHandle} asks {@link WinloopIoHandler} to watch for. {@link #READ} covers
 * received data, end of stream and pending connections; {@link #WRITE} covers send space and connect completion;
 * {@link #RDHUP} covers only the peer's FIN (like epoll's EPOLLRDHUP), so a stream learns of it while it is not
 * reading. Errors (reset, failed connect) are always reported, through every readiness asked for.
 */
public final class WinloopIoOps implements IoOps {
    public static final int READ = Afd.READ_OP;
    public static final int WRITE = Afd.WRITE_OP;
    /** The peer closed its side (AFD_POLL_DISCONNECT). */
    public static final int RDHUP = Afd.RDHUP_OP;
    private static final int ALL = READ | WRITE | RDHUP;

    public static final WinloopIoOps NONE = new WinloopIoOps(0);
    public static final WinloopIoOps READ_OPS = new WinloopIoOps(READ);
    public static final WinloopIoOps WRITE_OPS = new WinloopIoOps(WRITE);
    public static final WinloopIoOps READ_WRITE_OPS = new WinloopIoOps(READ | WRITE);

    private static final WinloopIoOps[] CACHE = new WinloopIoOps[ALL + 1];

    static {
        CACHE[0] = NONE;
        CACHE[READ] = READ_OPS;
        CACHE[WRITE] = WRITE_OPS;
        CACHE[READ | WRITE] = READ_WRITE_OPS;
        for (int i = 0; i <= ALL; i++) {
            if (CACHE[i] == null) {
                CACHE[i] = new WinloopIoOps(i);
            }
        }
    }

    private final int value;

    private WinloopIoOps(int value) {
        this.value = value;
    }

    /** The shared instance for a combination of {@link #READ}, {@link #WRITE} and {@link #RDHUP}. */
    public static WinloopIoOps valueOf(int value) {
        if ((value & ~ALL) != 0) {
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
        StringBuilder sb = new StringBuilder("WinloopIoOps(");
        if ((value & READ) != 0) {
            sb.append("READ ");
        }
        if ((value & WRITE) != 0) {
            sb.append("WRITE ");
        }
        if ((value & RDHUP) != 0) {
            sb.append("RDHUP ");
        }
        return sb.append(value == 0 ? "NONE)" : ")").toString().replace(" )", ")");
    }
}
