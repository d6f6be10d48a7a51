package io.winloop.internal.afd;

import io.winloop.internal.win.NativeMemory;
import io.winloop.internal.win.Ntdll;

/**
 * The AFD poll of one socket: its interest, the state of its single poll in flight, and the off-heap block the
 * kernel writes that poll's result into. Owned by one {@link AfdPoller}; touched only on its thread.
 *
 * <p>Block layout (x64): IO_STATUS_BLOCK at 0 (16 bytes), then AFD_POLL_INFO with one handle at 16 (32 bytes:
 * Timeout @16, NumberOfHandles @24, Exclusive @28, Handle @32, Events @40, Status @44), then this state's slot
 * number at 48, which maps a dequeued completion (whose lpOverlapped is the block address) back to its state.
 */
public final class SocketPollState {
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

    /** Fills the AFD_POLL_INFO and IOSB for a poll of {@code events}; returns nothing, the poller issues it. */
    void preparePoll(int events) {
        NativeMemory.putLong(block + IOSB, Ntdll.STATUS_PENDING);
        NativeMemory.putLong(block + IOSB + 8, 0);
        NativeMemory.putLong(block + INFO_TIMEOUT, Long.MAX_VALUE);
        NativeMemory.putInt(block + INFO_HANDLE_COUNT, 1);
        NativeMemory.putInt(block + INFO_EXCLUSIVE, 0);
        NativeMemory.putLong(block + INFO_HANDLE, baseSocket);
        NativeMemory.putInt(block + INFO_EVENTS, events);
        NativeMemory.putInt(block + INFO_STATUS, 0);
    }

    int iosbStatus() {
        return NativeMemory.getInt(block + IOSB);
    }

    int resultHandleCount() {
        return NativeMemory.getInt(block + INFO_HANDLE_COUNT);
    }

    int resultEvents() {
        return NativeMemory.getInt(block + INFO_EVENTS);
    }

    int resultStatus() {
        return NativeMemory.getInt(block + INFO_STATUS);
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
