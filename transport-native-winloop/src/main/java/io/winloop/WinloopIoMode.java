package io.winloop;

import io.netty.util.internal.SystemPropertyUtil;

import java.util.Locale;

/**
 * How a {@link WinloopIoHandler} drives its TCP connections. Listening sockets, datagram sockets and pipes are
 * the same in both modes.
 */
public enum WinloopIoMode {
    /**
     * Readiness (the default): an {@code IOCTL_AFD_POLL} per socket tells when it can be read or written, then
     * nonblocking {@code recv} / {@code WSASend} move the bytes, as wepoll, mio and the JDK's Selector do.
     */
    READINESS,
    /**
     * Completion: overlapped {@code WSARecv} / {@code WSASend} on the loop's port, finishing inside the call
     * where the data is already there ({@code FILE_SKIP_COMPLETION_PORT_ON_SUCCESS}, where the provider allows
     * it), as .NET, Go and Boost.Asio do; a connection idle for a while waits with an AFD poll, which pins no
     * buffer. Connects and accepts take the readiness path. <b>Experimental</b>: it does not pass Winloop's
     * reliability tests yet (docs/completion-mode.md), so do not use it in production. A channel in this mode cannot move to another event
     * loop where Windows cannot re-associate its socket with another port (Wine).
     */
    COMPLETION;

    /** The property that picks the mode of {@link WinloopIoHandler#newFactory()}: readiness or completion. */
    public static final String PROPERTY = "io.winloop.ioMode";

    /**
     * The mode of {@code -Dio.winloop.ioMode} (readiness when unset).
     *
     * @throws IllegalArgumentException naming the property and the values it takes, when it is set to another
     */
    public static WinloopIoMode fromSystemProperty() {
        String value = SystemPropertyUtil.get(PROPERTY);
        if (value == null || value.trim().isEmpty()) {
            return READINESS;
        }
        String mode = value.trim().toUpperCase(Locale.ROOT);
        for (WinloopIoMode candidate : values()) {
            if (candidate.name().equals(mode)) {
                return candidate;
            }
        }
        throw new IllegalArgumentException("-D" + PROPERTY + "=" + value + " is not a Winloop I/O mode (expected: "
                + "readiness or completion)");
    }
}
