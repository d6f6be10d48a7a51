package io.winloop.internal.afd;

/**
 * AFD_POLL_* event bits, as IOCTL_AFD_POLL returns them (the values wepoll and mio use; DESIGN.md lists them),
 * and how they map to Netty's read / write readiness. The public WinloopIoEvent constants are these.
 */
public final class Afd {
    public static final int RECEIVE = 0x0001;
    public static final int RECEIVE_EXPEDITED = 0x0002;
    public static final int SEND = 0x0004;
    public static final int DISCONNECT = 0x0008;
    public static final int ABORT = 0x0010;
    public static final int LOCAL_CLOSE = 0x0020;
    public static final int CONNECT = 0x0040;
    public static final int ACCEPT = 0x0080;
    public static final int CONNECT_FAIL = 0x0100;
    /**
     * Not an AFD bit: set by {@link SocketPollState} when a poll that asked for RECEIVE reports DISCONNECT without
     * RECEIVE or ABORT, which proves the peer's FIN is queued with no byte before it (see
     * {@code WinloopIoEvent.isEndOfStream()}).
     */
    public static final int END_OF_STREAM = 0x10000;

    /** Events that make a socket readable: data, end of stream, a pending connection, or an error to read. */
    public static final int READ_EVENTS = RECEIVE | DISCONNECT | ACCEPT | ABORT | CONNECT_FAIL;
    /** Events that make a socket writable: send space, a completed connect, or an error to report. */
    public static final int WRITE_EVENTS = SEND | ABORT | CONNECT_FAIL;

    /**
     * The readiness bits of {@code WinloopIoOps}, defined here (and referred to there) so that this package needs
     * nothing above it: data, end of stream or a pending connection to take.
     */
    public static final int READ_OP = 1;
    /** Send space, or a completed connect. */
    public static final int WRITE_OP = 2;
    /** The peer's FIN alone, as epoll's EPOLLRDHUP. */
    public static final int RDHUP_OP = 4;

    private Afd() {
    }

    /**
     * The AFD events to poll for a readiness interest ({@link #READ_OP} and the others). AFD_POLL_CONNECT is never asked for: it stays set
     * once connected, so a connected socket would always look ready; SEND signals a completed connect instead.
     */
    public static int eventsOf(int ops) {
        int events = 0;
        if ((ops & READ_OP) != 0) {
            events |= RECEIVE | DISCONNECT | ACCEPT;
        }
        if ((ops & WRITE_OP) != 0) {
            events |= SEND;
        }
        if ((ops & RDHUP_OP) != 0) {
            events |= DISCONNECT;
        }
        return events;
    }

    /** The readiness {@code events} stand for. */
    public static int opsOf(int events) {
        int ops = 0;
        if ((events & READ_EVENTS) != 0) {
            ops |= READ_OP;
        }
        if ((events & WRITE_EVENTS) != 0) {
            ops |= WRITE_OP;
        }
        if ((events & (DISCONNECT | ABORT | CONNECT_FAIL)) != 0) {
            ops |= RDHUP_OP;
        }
        return ops;
    }
}
