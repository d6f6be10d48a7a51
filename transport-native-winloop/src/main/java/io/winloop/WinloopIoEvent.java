package io.winloop;

import io.netty.channel.IoEvent;
import io.winloop.internal.afd.Afd;

/**
 * What one completed AFD poll reported for a handle. The handler reuses one instance per loop, so a handle must
 * read it during {@code handle(...)} and not keep it.
 */
public final class WinloopIoEvent implements IoEvent {
    /** AFD_POLL_* bits, as IOCTL_AFD_POLL returns them (defined once, in the AFD package). */
    public static final int AFD_POLL_RECEIVE = Afd.RECEIVE;
    public static final int AFD_POLL_RECEIVE_EXPEDITED = Afd.RECEIVE_EXPEDITED;
    public static final int AFD_POLL_SEND = Afd.SEND;
    public static final int AFD_POLL_DISCONNECT = Afd.DISCONNECT;
    public static final int AFD_POLL_ABORT = Afd.ABORT;
    public static final int AFD_POLL_LOCAL_CLOSE = Afd.LOCAL_CLOSE;
    public static final int AFD_POLL_CONNECT = Afd.CONNECT;
    public static final int AFD_POLL_ACCEPT = Afd.ACCEPT;
    public static final int AFD_POLL_CONNECT_FAIL = Afd.CONNECT_FAIL;
    /** Not an AFD bit: see {@link #isEndOfStream()}. */
    public static final int END_OF_STREAM = Afd.END_OF_STREAM;

    private int readyOps;
    private int afdEvents;
    private int status;

    /** Internal: the handler fills the event before each dispatch. */
    public WinloopIoEvent set(int readyOps, int afdEvents, int status) {
        this.readyOps = readyOps;
        this.afdEvents = afdEvents;
        this.status = status;
        return this;
    }

    /** {@link WinloopIoOps#READ}, {@link WinloopIoOps#WRITE}, {@link WinloopIoOps#RDHUP}, within the interest. */
    public int readyOps() {
        return readyOps;
    }

    public boolean isReadable() {
        return (readyOps & WinloopIoOps.READ) != 0;
    }

    public boolean isWritable() {
        return (readyOps & WinloopIoOps.WRITE) != 0;
    }

    public boolean isRdHup() {
        return (readyOps & WinloopIoOps.RDHUP) != 0;
    }

    /** The AFD_POLL_* bits of the completed poll (plus {@link #END_OF_STREAM}). */
    public int afdEvents() {
        return afdEvents;
    }

    /** The peer sent FIN (AFD_POLL_DISCONNECT). */
    public boolean isPeerClosed() {
        return (afdEvents & AFD_POLL_DISCONNECT) != 0;
    }

    /**
     * The peer's FIN is queued and nothing before it: the poll asked for AFD_POLL_RECEIVE and reported
     * AFD_POLL_DISCONNECT without it (nor AFD_POLL_ABORT). A recv now would only read end of stream.
     */
    public boolean isEndOfStream() {
        return (afdEvents & END_OF_STREAM) != 0;
    }

    /** The connection was reset or aborted (AFD_POLL_ABORT). */
    public boolean isAborted() {
        return (afdEvents & AFD_POLL_ABORT) != 0;
    }

    /** A nonblocking connect failed (AFD_POLL_CONNECT_FAIL); {@link #status()} then holds the reason. */
    public boolean isConnectFailed() {
        return (afdEvents & AFD_POLL_CONNECT_FAIL) != 0;
    }

    /** The NTSTATUS of the poll's handle entry (the reason of a failed connect), or of the poll itself. */
    public int status() {
        return status;
    }

    @Override
    public String toString() {
        return "WinloopIoEvent(readyOps=" + readyOps + ", afdEvents=0x" + Integer.toHexString(afdEvents)
                + ", status=0x" + Integer.toHexString(status) + ")";
    }
}
