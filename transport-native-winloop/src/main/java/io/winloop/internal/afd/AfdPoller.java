package io.winloop.internal.afd;

import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import io.winloop.internal.overlapped.OverlappedIo;
import io.winloop.internal.win.NativeCalls;
import io.winloop.internal.win.NativeMemory;
import io.winloop.internal.win.Ntdll;
import io.winloop.internal.win.SlotTable;
import io.winloop.internal.win.WinError;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Readiness for many sockets through one completion port, the way wepoll and mio do it: each socket has at most one
 * IOCTL_AFD_POLL in flight on a shared {@code \Device\Afd} helper handle; interest changes and completed polls put
 * the socket on an update queue, and {@link #flushUpdates()} (called right before each wait) issues, widens (by
 * cancelling) or leaves the polls; one {@code GetQueuedCompletionStatusEx} ({@link #await}) reaps a batch of
 * completions, which {@link #process} hands to a {@link Listener}. The same port carries the loop's overlapped
 * operations ({@link #overlapped()}): their completions, told apart by their key, go to {@link OverlappedIo}.
 *
 * <p>Not thread-safe: every method but {@link #wakeup()} runs on the owning event loop thread.
 */
public final class AfdPoller {
    /** Events asked for with every poll: errors and closure are always worth knowing. */
    public static final int ALWAYS = Afd.ABORT | Afd.CONNECT_FAIL | Afd.LOCAL_CLOSE;

    /** Receives what {@link #poll} reaped. */
    public interface Listener {
        /**
         * A poll of {@code state} completed with {@code events} (AFD_POLL_* bits, 0 when it only ended), where
         * {@code status} is the handle's NTSTATUS (a failed connect's reason) or the failed poll's own status.
         */
        void onEvents(SocketPollState state, int events, int status);
    }

    private static final InternalLogger logger = InternalLoggerFactory.getInstance(AfdPoller.class);
    private static final int IOCTL_AFD_POLL = 0x00012024;

    /** See {@link #reverseBatchesForTests}: read once per batch, so the hot path pays one volatile read. */
    private static volatile boolean reverseBatchesForTests;
    private static volatile int reversedBatches;

    private final CompletionPort port;
    private final OverlappedIo overlapped;
    /** IO_STATUS_BLOCK that NtCancelIoFileEx reports into (the poll's own block belongs to the kernel). */
    private final long cancelStatus;
    private final List<AfdHelper> helpers = new ArrayList<>();
    private final ArrayDeque<SocketPollState> updates = new ArrayDeque<>();
    private final ArrayDeque<SocketPollState> failed = new ArrayDeque<>();
    /** The loop's one table of in-flight blocks: the polls' and the overlapped operations'. */
    private final SlotTable slots = new SlotTable();
    /** Polls whose completion has not been dequeued yet (their blocks belong to the kernel). */
    private int inFlight;
    private int live;
    private boolean closed;

    public AfdPoller(int batchSize) throws IOException {
        port = new CompletionPort(batchSize);
        overlapped = new OverlappedIo(port.handle(), slots);
        cancelStatus = NativeMemory.allocate(Ntdll.IO_STATUS_BLOCK_SIZE);
    }

    /** The overlapped operations completing on this poller's port. */
    public OverlappedIo overlapped() {
        return overlapped;
    }

    /** Starts watching {@code baseSocket} (the base provider handle); no interest yet. */
    public SocketPollState add(long baseSocket, Object attachment) throws IOException {
        AfdHelper helper = helperWithRoom();
        SocketPollState state = new SocketPollState(slots.reserve(), baseSocket, helper, attachment);
        helper.sockets++;
        slots.set(state.slot, state);
        live++;
        return state;
    }

    /** Sets the AFD events wanted (0 = none); takes effect at the next {@link #flushUpdates()}. */
    public void setInterest(SocketPollState state, int events) {
        if (state.deletePending || state.interestEvents == events) {
            return;
        }
        state.interestEvents = events;
        enqueue(state);
    }

    /**
     * Stops watching the socket. Call it before the socket is closed (a SOCKET value can be reused at once). A poll
     * still in flight is cancelled and its block is freed when its completion is dequeued.
     */
    public void remove(SocketPollState state) {
        if (state.deletePending) {
            return;
        }
        state.deletePending = true;
        state.interestEvents = 0;
        state.helper.sockets--;
        live--;
        if (state.state == SocketPollState.PENDING) {
            cancel(state);
        }
        if (state.state == SocketPollState.IDLE) {
            release(state);
        }
    }

    /** Issues, widens or leaves each queued socket's poll. */
    public void flushUpdates() {
        SocketPollState state;
        while ((state = updates.poll()) != null) {
            state.queued = false;
            if (state.deletePending) {
                continue;
            }
            int wanted = state.interestEvents;
            switch (state.state) {
                case SocketPollState.IDLE:
                    if (wanted != 0) {
                        issue(state, wanted | ALWAYS);
                    }
                    break;
                case SocketPollState.PENDING:
                    // Narrowing is left to the poll in flight (its extra events are filtered on delivery);
                    // widening needs a new poll, and at most one may be in flight per socket.
                    if ((state.pendingEvents & wanted) != wanted) {
                        cancel(state);
                    }
                    break;
                default:
                    // CANCELLED: re-armed when the cancellation's completion is dequeued.
                    break;
            }
        }
    }

    private void issue(SocketPollState state, int events) {
        state.preparePoll(events);
        NativeCalls.count();
        long block = state.block;
        int status = Ntdll.NtDeviceIoControlFile(state.helper.handle, 0, 0, block + SocketPollState.IOSB,
                block + SocketPollState.IOSB, IOCTL_AFD_POLL, block + SocketPollState.POLL_INFO,
                SocketPollState.POLL_INFO_SIZE, block + SocketPollState.POLL_INFO, SocketPollState.POLL_INFO_SIZE);
        if (status == Ntdll.STATUS_PENDING || status == Ntdll.STATUS_SUCCESS) {
            // With a non-NULL ApcContext and no FILE_SKIP_COMPLETION_PORT_ON_SUCCESS, even a synchronous success
            // posts its completion to the port: the block stays the kernel's until it is dequeued.
            state.state = SocketPollState.PENDING;
            state.pendingEvents = events;
            inFlight++;
        } else {
            // The socket is unusable (closed under us: STATUS_INVALID_HANDLE). Report it as aborted so its owner
            // finds the error on its next call, as wepoll drops such a socket.
            NativeMemory.putInt(block + SocketPollState.IOSB, status);
            failed.add(state);
        }
    }

    private void cancel(SocketPollState state) {
        // A poll whose status is no longer STATUS_PENDING has completed and its completion is queued already: a
        // cancel would only cost a call (wepoll and mio skip it too).
        if (NativeMemory.getInt(state.block + SocketPollState.IOSB) != Ntdll.STATUS_PENDING) {
            return;
        }
        NativeCalls.count();
        int status = Ntdll.NtCancelIoFileEx(state.helper.handle, state.block + SocketPollState.IOSB, cancelStatus);
        // STATUS_NOT_FOUND: the poll completed before the cancel reached it; its completion is queued already.
        if (status != Ntdll.STATUS_SUCCESS && status != Ntdll.STATUS_NOT_FOUND) {
            logger.debug("NtCancelIoFileEx failed for {}: {}", state, WinError.describeStatus(status));
        }
        state.state = SocketPollState.CANCELLED;
    }

    /**
     * Waits up to {@code timeoutMillis} (-1 for ever, 0 to only look) for completions; returns how many were
     * dequeued. Does not wait when a failed poll is already waiting to be reported.
     */
    public int await(int timeoutMillis) throws IOException {
        return port.dequeue(failed.isEmpty() ? timeoutMillis : 0);
    }

    /**
     * Hands the {@code dequeued} completions of the last {@link #await} (and any poll that failed to issue) to
     * {@code listener}, and the overlapped operations' completions to their owners. Wake-up packets are consumed
     * silently.
     *
     * @return the number of socket events and overlapped completions delivered
     */
    public int process(int dequeued, Listener listener) {
        int delivered = deliverFailed(listener);
        boolean reverse = reverseBatchesForTests;
        if (reverse && dequeued > 1) {
            reversedBatches++;
        }
        for (int n = 0; n < dequeued; n++) {
            int i = reverse ? dequeued - 1 - n : n;
            long block = port.entryOverlapped(i);
            long key = port.entryKey(i);
            if (block == 0 || key == CompletionPort.WAKEUP_KEY) {
                continue;
            }
            if (key == OverlappedIo.COMPLETION_KEY) {
                overlapped.complete(block);
                delivered++;
                continue;
            }
            int slot = NativeMemory.getInt(block + SocketPollState.SLOT);
            Object owner = slots.get(slot);
            if (!(owner instanceof SocketPollState)) {
                // Never expected: the block of a poll that is not in flight here would mean a freed block was written.
                logger.error("Completion for an AFD poll block that is not in flight: 0x{} (slot {})",
                        Long.toHexString(block), slot);
                continue;
            }
            if (complete((SocketPollState) owner, listener)) {
                delivered++;
            }
        }
        return delivered;
    }

    /**
     * Tests: dispatch each dequeued batch last entry first. Windows does not promise an order among the packets one
     * GetQueuedCompletionStatusEx returns, so every owner must be right in any order; this lets a test make the
     * order that the port's FIFO would not.
     */
    public static void reverseBatchesForTests(boolean reverse) {
        reverseBatchesForTests = reverse;
    }

    /** Tests: batches of two or more entries dispatched in reverse so far (see {@link #reverseBatchesForTests}). */
    public static int reversedBatches() {
        return reversedBatches;
    }

    /** {@link #await} then {@link #process}. */
    public int poll(int timeoutMillis, Listener listener) throws IOException {
        return process(await(timeoutMillis), listener);
    }

    private boolean complete(SocketPollState state, Listener listener) {
        inFlight--;
        boolean receiveAsked = (state.pendingEvents & Afd.RECEIVE) != 0;
        state.state = SocketPollState.IDLE;
        state.pendingEvents = 0;
        if (state.deletePending) {
            release(state);
            return false;
        }
        int status = state.iosbStatus();
        int events;
        int reason = status;
        if (status == Ntdll.STATUS_CANCELLED) {
            events = 0;
        } else if (status < 0) {
            events = Afd.CONNECT_FAIL;
        } else if (state.resultHandleCount() < 1) {
            events = 0;
        } else {
            events = state.resultEvents();
            reason = state.resultStatus();
        }
        if ((events & Afd.LOCAL_CLOSE) != 0) {
            // The socket was closed while polled: nothing more will come from it.
            state.interestEvents = 0;
            return false;
        }
        if (state.interestEvents != 0) {
            enqueue(state);
        }
        int wanted = events & (state.interestEvents | ALWAYS);
        if (wanted == 0) {
            return false;
        }
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
        listener.onEvents(state, wanted, reason);
        return true;
    }

    private int deliverFailed(Listener listener) {
        int delivered = 0;
        SocketPollState state;
        while ((state = failed.poll()) != null) {
            if (!state.deletePending) {
                state.interestEvents = 0;
                listener.onEvents(state, Afd.ABORT, state.iosbStatus());
                delivered++;
            }
        }
        return delivered;
    }

    /** Makes a blocked {@link #poll} return; safe from any thread. */
    public void wakeup() throws IOException {
        port.post();
    }

    /** Sockets added and not removed. */
    public int liveSockets() {
        return live;
    }

    /** Polls issued whose completion has not been dequeued. */
    public int pollsInFlight() {
        return inFlight;
    }

    /** AFD helper handles open. */
    public int helperHandles() {
        return helpers.size();
    }

    /**
     * Cancels every poll and overlapped operation in flight, waits (up to {@code timeoutMillis}) for their
     * completions so that no block is freed while the kernel may still write it (the overlapped ones reach their
     * owners, which may free what they hold), then closes the helpers and the port.
     */
    public void close(int timeoutMillis) {
        if (closed) {
            return;
        }
        closed = true;
        for (int i = 0; i < slots.limit(); i++) {
            Object owner = slots.get(i);
            SocketPollState state = owner instanceof SocketPollState ? (SocketPollState) owner : null;
            if (state != null && !state.deletePending) {
                remove(state);
            }
        }
        overlapped.cancelAll();
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        Listener ignore = (state, events, status) -> { };
        while ((inFlight > 0 || overlapped.inFlight() > 0) && System.nanoTime() < deadline) {
            try {
                poll(10, ignore);
            } catch (IOException e) {
                logger.warn("Failed to drain AFD polls on close", e);
                break;
            }
        }
        overlapped.freeAll();
        if (inFlight > 0 || overlapped.inFlight() > 0) {
            // Freeing now could let the kernel write into reused memory: leak the blocks instead, loudly.
            logger.warn("{} AFD poll(s) and {} overlapped operation(s) did not complete within {} ms of close; "
                    + "their blocks are not freed", inFlight, overlapped.inFlight(), timeoutMillis);
        }
        for (AfdHelper helper : helpers) {
            helper.close();
        }
        helpers.clear();
        port.close();
        NativeMemory.free(cancelStatus);
    }

    private AfdHelper helperWithRoom() throws IOException {
        for (int i = helpers.size() - 1; i >= 0; i--) {
            AfdHelper helper = helpers.get(i);
            if (helper.sockets < AfdHelper.MAX_SOCKETS) {
                return helper;
            }
        }
        AfdHelper helper = AfdHelper.open(port);
        helpers.add(helper);
        return helper;
    }

    private void enqueue(SocketPollState state) {
        if (!state.queued) {
            state.queued = true;
            updates.add(state);
        }
    }

    private void release(SocketPollState state) {
        slots.release(state.slot);
        state.free();
    }
}
