package io.winloop.internal.afd;

import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import io.winloop.internal.win.NativeCalls;
import io.winloop.internal.win.NativeMemory;
import io.winloop.internal.win.Ntdll;
import io.winloop.internal.win.WinError;

/**
 * The AFD poll of one socket and its state machine, as wepoll's {@code sock.c}: the interest, the single poll in
 * flight (IDLE, PENDING, CANCELLED), the off-heap block the kernel writes that poll's result into, the decision on
 * each update (issue, cancel to widen, or leave) and the events a completed poll means. The {@link AfdPoller} owns
 * the queues and counts; every method runs on its loop thread.
 *
 * <p>Block layout (x64): IO_STATUS_BLOCK at 0 (16 bytes), then AFD_POLL_INFO with one handle at 16 (32 bytes:
 * Timeout @16, NumberOfHandles @24, Exclusive @28, Handle @32, Events @40, Status @44), then this state's slot
 * number at 48, which maps a dequeued completion (whose lpOverlapped is the block address) back to its state.
 */
public final class SocketPollState {
    /** Events asked for with every poll: errors and closure are always worth knowing. */
    static final int ALWAYS = Afd.ABORT | Afd.CONNECT_FAIL | Afd.LOCAL_CLOSE;

    static final int BLOCK_SIZE = 56;
    static final int IOSB = 0;
    static final int POLL_INFO = 16;
    static final int POLL_INFO_SIZE = 32;
    static final int INFO_TIMEOUT = 16;
    static final int INFO_HANDLE_COUNT = 24;
    static final int INFO_EXCLUSIVE = 28;
    static final int INFO_HANDLE = 32;
    static final int INFO_EVENTS = 40;
    static final int INFO_STATUS = 44;
    static final int SLOT = 48;

    /** No poll in flight. */
    static final int IDLE = 0;
    /** A poll is in flight; its events are {@link #pendingEvents}. */
    static final int PENDING = 1;
    /** The poll in flight was cancelled; its completion has not been dequeued yet. */
    static final int CANCELLED = 2;

    /** {@link #update}: nothing was issued (nothing wanted, the poll in flight covers it, or it is cancelled). */
    static final int LEFT = 0;
    /** {@link #update}: a poll is now in flight. */
    static final int ISSUED = 1;
    /** {@link #update}: the issue failed; {@link #reason()} says why and the socket is to be reported aborted. */
    static final int FAILED = 2;

    private static final InternalLogger logger = InternalLoggerFactory.getInstance(SocketPollState.class);
    private static final int IOCTL_AFD_POLL = 0x00012024;

    final int slot;
    final long block;
    final long baseSocket;
    final AfdHelper helper;
    final Object attachment;

    int state = IDLE;
    /** AFD events wanted now (0 = none). */
    int interestEvents;
    /** AFD events of the poll in flight. */
    int pendingEvents;
    /** Removed by its owner: the block is freed when the poll in flight completes. */
    boolean deletePending;
    /** On the poller's update queue. */
    boolean queued;
    /** The NTSTATUS that goes with the last events: a failed connect's reason, or the failed poll's own status. */
    private int reason;

    SocketPollState(int slot, long baseSocket, AfdHelper helper, Object attachment) {
        this.slot = slot;
        this.baseSocket = baseSocket;
        this.helper = helper;
        this.attachment = attachment;
        this.block = NativeMemory.allocate(BLOCK_SIZE);
        NativeMemory.putInt(block + SLOT, slot);
    }

    /** The object registered with this socket (the handler's registration). */
    public Object attachment() {
        return attachment;
    }

    /**
     * Brings the poll in line with the interest: an idle socket that wants events gets a poll; a pending poll that
     * does not cover the interest is cancelled (at most one may be in flight; the cancelled one re-arms when its
     * completion is dequeued). Narrowing is left to the poll in flight: its extra events are filtered on delivery.
     *
     * @param cancelStatus an IO_STATUS_BLOCK that NtCancelIoFileEx may report into
     * @return {@link #LEFT}, {@link #ISSUED} or {@link #FAILED}
     */
    int update(long cancelStatus) {
        int wanted = interestEvents;
        if (state == IDLE && wanted != 0) {
            return issue(wanted | ALWAYS) ? ISSUED : FAILED;
        }
        if (state == PENDING && (pendingEvents & wanted) != wanted) {
            cancel(cancelStatus);
        }
        return LEFT;
    }

    private boolean issue(int events) {
        NativeMemory.putLong(block + IOSB, Ntdll.STATUS_PENDING);
        NativeMemory.putLong(block + IOSB + 8, 0);
        NativeMemory.putLong(block + INFO_TIMEOUT, Long.MAX_VALUE);
        NativeMemory.putInt(block + INFO_HANDLE_COUNT, 1);
        NativeMemory.putInt(block + INFO_EXCLUSIVE, 0);
        NativeMemory.putLong(block + INFO_HANDLE, baseSocket);
        NativeMemory.putInt(block + INFO_EVENTS, events);
        NativeMemory.putInt(block + INFO_STATUS, 0);
        NativeCalls.count();
        int status = Ntdll.NtDeviceIoControlFile(helper.handle, 0, 0, block + IOSB, block + IOSB, IOCTL_AFD_POLL,
                block + POLL_INFO, POLL_INFO_SIZE, block + POLL_INFO, POLL_INFO_SIZE);
        if (status == Ntdll.STATUS_PENDING || status == Ntdll.STATUS_SUCCESS) {
            // With a non-NULL ApcContext and no FILE_SKIP_COMPLETION_PORT_ON_SUCCESS, even a synchronous success
            // posts its completion to the port: the block stays the kernel's until it is dequeued.
            state = PENDING;
            pendingEvents = events;
            return true;
        }
        // The socket is unusable (closed under us: STATUS_INVALID_HANDLE). It is reported aborted so that its
        // owner finds the error on its next call, as wepoll drops such a socket.
        reason = status;
        return false;
    }

    /** Cancels the poll in flight, if it is still pending; its completion comes as usual. */
    void cancel(long cancelStatus) {
        // A poll whose status is no longer STATUS_PENDING has completed and its completion is queued already: a
        // cancel would only cost a call (wepoll and mio skip it too), and the poll stays PENDING until then.
        if (state != PENDING || NativeMemory.getInt(block + IOSB) != Ntdll.STATUS_PENDING) {
            return;
        }
        NativeCalls.count();
        int status = Ntdll.NtCancelIoFileEx(helper.handle, block + IOSB, cancelStatus);
        // STATUS_NOT_FOUND: the poll completed before the cancel reached it; its completion is queued already.
        if (status != Ntdll.STATUS_SUCCESS && status != Ntdll.STATUS_NOT_FOUND) {
            logger.debug("NtCancelIoFileEx failed for {}: {}", this, WinError.describeStatus(status));
        }
        state = CANCELLED;
    }

    /**
     * The completion of this socket's poll was dequeued: the socket is idle again, and the result says what to
     * tell its owner (wepoll's {@code sock_feed_event}).
     *
     * @return the AFD_POLL_* events for the owner, filtered by the interest (0: nothing to tell), with
     *         {@link Afd#END_OF_STREAM} added where the poll proves it; {@link #reason()} goes with them
     */
    int feedEvent() {
        boolean receiveAsked = (pendingEvents & Afd.RECEIVE) != 0;
        state = IDLE;
        pendingEvents = 0;
        int status = NativeMemory.getInt(block + IOSB);
        int events;
        reason = status;
        if (status == Ntdll.STATUS_CANCELLED) {
            events = 0;
        } else if (status < 0) {
            events = Afd.CONNECT_FAIL;
        } else if (NativeMemory.getInt(block + INFO_HANDLE_COUNT) < 1) {
            events = 0;
        } else {
            events = NativeMemory.getInt(block + INFO_EVENTS);
            reason = NativeMemory.getInt(block + INFO_STATUS);
        }
        if ((events & Afd.LOCAL_CLOSE) != 0) {
            // The socket was closed while polled: nothing more will come from it.
            interestEvents = 0;
            return 0;
        }
        int wanted = events & (interestEvents | ALWAYS);
        // AFD reports RECEIVE whenever data is queued for a poll that asks for it (with the FIN: DISCONNECT too on
        // Windows; under Wine, RECEIVE alone until the data is read), and no byte can follow a FIN: so DISCONNECT
        // alone, to a poll that asked for RECEIVE, means the next recv could only read end of stream.
        // tools/probes/afd-states-probe.c shows it under Wine 8 and 10, with the poll pending or issued after; on
        // Windows it is inferred (not probed here): a pending poll completes at the data, which precedes the FIN,
        // and a poll issued behind queued data completes at once with RECEIVE | DISCONNECT.
        // The poll's own events, not those left after filtering by the interest: a channel that stopped reading
        // since the poll was issued filters RECEIVE out, and that would hide queued data.
        if (receiveAsked && (events & (Afd.DISCONNECT | Afd.RECEIVE | Afd.ABORT)) == Afd.DISCONNECT
                && (wanted & Afd.DISCONNECT) != 0) {
            wanted |= Afd.END_OF_STREAM;
        }
        return wanted;
    }

    /** The NTSTATUS that goes with the events {@link #feedEvent} returned, or why {@link #update} failed. */
    int reason() {
        return reason;
    }

    void free() {
        NativeMemory.free(block);
    }

    @Override
    public String toString() {
        return "SocketPollState(slot=" + slot + ", socket=0x" + Long.toHexString(baseSocket) + ", state=" + state
                + ", interest=0x" + Integer.toHexString(interestEvents) + ")";
    }
}
