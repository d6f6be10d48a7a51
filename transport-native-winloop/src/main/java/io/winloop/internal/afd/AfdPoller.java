package io.winloop.internal.afd;

import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import io.winloop.internal.win.CompletionPort;
import io.winloop.internal.win.NativeMemory;
import io.winloop.internal.win.Ntdll;
import io.winloop.internal.win.SlotTable;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Readiness for many sockets on one completion port, the way wepoll's {@code port.c} and mio do it: each socket has
 * at most one IOCTL_AFD_POLL in flight on a shared {@code \Device\Afd} helper handle; interest changes and completed
 * polls put the socket on an update queue, and {@link #flushUpdates()} (called right before each wait) lets each
 * queued {@link SocketPollState} issue, widen or leave its poll. The loop's port ({@code internal.port.LoopPort})
 * reaps the completions and hands those of the helpers' key here ({@link #complete}).
 *
 * <p>Not thread-safe: every method runs on the owning event loop thread.
 */
public final class AfdPoller {
    /** Receives the events of completed polls. */
    public interface Listener {
        /**
         * A poll of {@code state} completed with {@code events} (AFD_POLL_* bits, 0 when it only ended), where
         * {@code status} is the handle's NTSTATUS (a failed connect's reason) or the failed poll's own status.
         */
        void onEvents(SocketPollState state, int events, int status);
    }

    private static final InternalLogger logger = InternalLoggerFactory.getInstance(AfdPoller.class);

    private final CompletionPort port;
    private final SlotTable slots;
    /** IO_STATUS_BLOCK that NtCancelIoFileEx reports into (the poll's own block belongs to the kernel). */
    private final long cancelStatus;
    private final List<AfdHelper> helpers = new ArrayList<>();
    private final ArrayDeque<SocketPollState> updates = new ArrayDeque<>();
    private final ArrayDeque<SocketPollState> failed = new ArrayDeque<>();
    /** Polls whose completion has not been dequeued yet (their blocks belong to the kernel). */
    private int inFlight;
    private int live;

    /** Polls whose completions arrive on {@code port}, their blocks in the loop's table {@code slots}. */
    public AfdPoller(CompletionPort port, SlotTable slots) {
        this.port = port;
        this.slots = slots;
        cancelStatus = NativeMemory.allocate(Ntdll.IO_STATUS_BLOCK_SIZE);
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
        state.cancel(cancelStatus);
        if (state.state == SocketPollState.IDLE) {
            release(state);
        }
    }

    /** Lets each queued socket issue, widen or leave its poll. */
    public void flushUpdates() {
        SocketPollState state;
        while ((state = updates.poll()) != null) {
            state.queued = false;
            if (state.deletePending) {
                continue;
            }
            switch (state.update(cancelStatus)) {
                case SocketPollState.ISSUED:
                    inFlight++;
                    break;
                case SocketPollState.FAILED:
                    failed.add(state);
                    break;
                default:
                    break;
            }
        }
    }

    /** A poll failed to issue and waits to be reported: the next wait must not block. */
    public boolean hasFailedPolls() {
        return !failed.isEmpty();
    }

    /**
     * Hands the completion of the poll block at {@code block} (dequeued with the helpers' key) to its socket and
     * the events it means to {@code listener}; returns whether an event was delivered.
     */
    public boolean complete(long block, Listener listener) {
        int slot = NativeMemory.getInt(block + SocketPollState.SLOT);
        Object owner = slots.get(slot);
        if (!(owner instanceof SocketPollState)) {
            // Never expected: the block of a poll that is not in flight here would mean a freed block was written.
            logger.error("Completion for an AFD poll block that is not in flight: 0x{} (slot {})",
                    Long.toHexString(block), slot);
            return false;
        }
        SocketPollState state = (SocketPollState) owner;
        inFlight--;
        if (state.deletePending) {
            state.state = SocketPollState.IDLE;
            release(state);
            return false;
        }
        int events = state.feedEvent();
        if (state.interestEvents != 0) {
            enqueue(state);
        }
        if (events == 0) {
            return false;
        }
        listener.onEvents(state, events, state.reason());
        return true;
    }

    /** Reports every socket whose poll failed to issue as aborted; returns how many were reported. */
    public int deliverFailed(Listener listener) {
        int delivered = 0;
        SocketPollState state;
        while ((state = failed.poll()) != null) {
            if (!state.deletePending) {
                state.interestEvents = 0;
                listener.onEvents(state, Afd.ABORT, state.reason());
                delivered++;
            }
        }
        return delivered;
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

    /** Shutdown, step 1: removes every socket, cancelling its poll; the caller then drains the completions. */
    public void removeAll() {
        for (int i = 0; i < slots.limit(); i++) {
            Object owner = slots.get(i);
            if (owner instanceof SocketPollState && !((SocketPollState) owner).deletePending) {
                remove((SocketPollState) owner);
            }
        }
    }

    /** Shutdown, step 2 (after the drain): closes the helper handles and frees what this poller holds. */
    public void close() {
        for (AfdHelper helper : helpers) {
            helper.close();
        }
        helpers.clear();
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
