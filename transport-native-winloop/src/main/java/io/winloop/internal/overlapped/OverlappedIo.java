package io.winloop.internal.overlapped;

import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import io.winloop.internal.win.CompletionPort;
import io.winloop.internal.win.Kernel32;
import io.winloop.internal.win.NativeCalls;
import io.winloop.internal.win.NativeMemory;
import io.winloop.internal.win.SlotTable;
import io.winloop.internal.win.WinError;

/**
 * The overlapped operations of one event loop: their slots in the loop's {@link SlotTable}, and the delivery of a
 * dequeued completion (key {@link #COMPLETION_KEY}) to the {@link OverlappedOp} whose slot number is stored in the
 * OVERLAPPED block, never to an object found by the block's address. Not thread-safe: the loop thread alone uses it.
 */
public final class OverlappedIo {
    /** The completion key every handle doing overlapped I/O is associated with: it tells their packets apart. */
    public static final long COMPLETION_KEY = CompletionPort.OVERLAPPED_KEY;

    private static final InternalLogger logger = InternalLoggerFactory.getInstance(OverlappedIo.class);

    private final long port;
    private final SlotTable slots;
    private int inFlight;
    private int live;
    /** The loop is shutting down ({@link #cancelAll()}): no call may start any more. */
    private boolean closing;

    /** Operations completing on {@code port}, a completion port handle the caller owns, with a table of their own. */
    public OverlappedIo(long port) {
        this(port, new SlotTable());
    }

    /** Operations completing on {@code port}, in the loop's table {@code slots} (shared with its AFD polls). */
    public OverlappedIo(long port, SlotTable slots) {
        this.port = port;
        this.slots = slots;
    }

    long port() {
        return port;
    }

    boolean isClosing() {
        return closing;
    }

    /**
     * A new operation whose completions go to {@code listener}, with {@code extraBytes} of the owner's own in its
     * block. Release it ({@link OverlappedOp#release()}) when done: its block is off-heap.
     */
    public OverlappedOp newOp(int extraBytes, OverlappedOp.Listener listener) {
        if (extraBytes < 0) {
            throw new IllegalArgumentException("extraBytes: " + extraBytes);
        }
        int slot = slots.reserve();
        OverlappedOp op = new OverlappedOp(this, slot, extraBytes, listener);
        slots.set(slot, op);
        live++;
        return op;
    }

    /**
     * Associates {@code binding}'s handle with this loop's port now, rather than at its first operation (a pipe
     * does this when it is registered).
     */
    public void bind(PortBinding binding) throws java.io.IOException {
        binding.bindTo(this);
    }

    /** Dispatches the completion of the block at {@code overlapped}, dequeued with {@link #COMPLETION_KEY}. */
    public void complete(long overlapped) {
        int slot = NativeMemory.getInt(overlapped + OverlappedOp.SLOT);
        Object owner = slots.get(slot);
        OverlappedOp op = owner instanceof OverlappedOp ? (OverlappedOp) owner : null;
        if (op == null || !op.isInFlight()) {
            // Never expected: a packet for a block that is not in flight here would mean a freed block was written.
            logger.error("Completion for an overlapped block that is not in flight: 0x{} (slot {})",
                    Long.toHexString(overlapped), slot);
            return;
        }
        inFlight--;
        try {
            op.completed();
        } catch (Throwable t) {
            // The operation is idle again whatever its owner did; the rest of the batch must still be dispatched.
            logger.warn("An overlapped operation's listener failed: {}", op, t);
        }
    }

    /** Queues a completion packet for {@code overlapped} (an operation that finished at once: see its caller). */
    void requeue(long overlapped) throws java.io.IOException {
        NativeCalls.count();
        if (Kernel32.PostQueuedCompletionStatus(port, 0, COMPLETION_KEY, overlapped) == 0) {
            throw WinError.newException("PostQueuedCompletionStatus", WinError.lastError());
        }
    }

    void started(OverlappedOp op) {
        inFlight++;
    }

    void free(OverlappedOp op) {
        slots.release(op.slot);
        live--;
        op.freeBlock();
    }

    /** Calls whose completion has not been dequeued (their blocks belong to the kernel). */
    public int inFlight() {
        return inFlight;
    }

    /** Operations made and not released (in flight or idle). */
    public int liveOps() {
        return live;
    }

    /**
     * Shutdown, step 1: cancels every call in flight. Their completions, which the caller then dequeues until
     * {@link #inFlight()} is 0, still reach the owners that have not released their operations (with
     * STATUS_CANCELLED, or whatever the call ended with first), so that an owner frees what it holds for the call
     * (a file handle, a buffer) as on any other completion.
     */
    public void cancelAll() {
        closing = true;
        for (int i = 0; i < slots.limit(); i++) {
            Object owner = slots.get(i);
            OverlappedOp op = owner instanceof OverlappedOp ? (OverlappedOp) owner : null;
            if (op != null && op.isInFlight()) {
                op.cancel();
                // A per-operation cancel can miss under Wine 10.0 (PortBinding.cancelAll): cancel by handle too.
                op.inFlightOn().cancelAll();
            }
        }
    }

    /**
     * Shutdown, step 2 (after the drain): frees every operation that is idle, released or not. One still in flight
     * (its completion never came) is left allocated: the kernel may still write its block.
     */
    public void freeAll() {
        for (int i = 0; i < slots.limit(); i++) {
            Object owner = slots.get(i);
            OverlappedOp op = owner instanceof OverlappedOp ? (OverlappedOp) owner : null;
            if (op != null && !op.isInFlight()) {
                op.markReleased();
                free(op);
            }
        }
    }
}
