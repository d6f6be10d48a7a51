package io.winloop.internal.pipe;

import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;
import io.winloop.internal.win.NativeMemory;

import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One reusable OVERLAPPED block for one kind of overlapped operation (connect, read or write) on one pipe handle,
 * and the buffer the kernel reads or writes while it is in flight.
 *
 * <p>The memory rule of the AFD poller holds here too: from {@link #begin} until the operation's packet is dequeued
 * from the completion port, the block and the buffer belong to the kernel. {@link #close()} of an operation in flight
 * only marks it; the packet (which a CancelIoEx or CloseHandle makes come) then frees the block and releases the
 * buffer. The packet may be dequeued by another thread than the owner's (an accepted pipe stays on its server's
 * port), hence the atomic state; the owner's callback always runs on the owner's executor.
 */
public final class PipeOperation {
    /** Receives a completed operation on the owner's executor. */
    public interface Callback {
        /**
         * @param held   the buffer given to {@link #begin} (now the owner's again), or null
         * @param status the NTSTATUS the operation completed with (0 = success)
         * @param bytes  bytes transferred
         */
        void completed(PipeOperation operation, ByteBuf held, int status, int bytes);
    }

    /** Supplies the executor the callback runs on (a channel's current event loop). */
    public interface Owner {
        /** Null when the owner has no executor any more (its packets' buffers are then released). */
        Executor executor();

        /** The loop whose port this operation completes on is shutting down: close (from any thread). */
        void closeForPortShutdown();
    }

    static final int OVERLAPPED_SIZE = 32;
    /** Where the slot number lives, right after the OVERLAPPED: a packet finds its operation through it. */
    static final int SLOT = OVERLAPPED_SIZE;
    private static final int BLOCK_SIZE = OVERLAPPED_SIZE + 8;

    private static final int IDLE = 0;
    private static final int PENDING = 1;
    private static final int ABANDONED = 2;
    private static final int FREED = 3;

    private final PipeCompletions completions;
    private final Owner owner;
    private final Callback callback;
    final int slot;
    private final long block;
    private final AtomicInteger state = new AtomicInteger(IDLE);
    private volatile ByteBuf held;

    PipeOperation(PipeCompletions completions, int slot, Owner owner, Callback callback) {
        this.completions = completions;
        this.slot = slot;
        this.owner = owner;
        this.callback = callback;
        this.block = NativeMemory.allocate(BLOCK_SIZE);
        NativeMemory.putInt(block + SLOT, slot);
    }

    /** The OVERLAPPED to pass to the call started right after {@link #begin}. */
    public long overlapped() {
        return block;
    }

    /** True while the kernel owns the block (a packet is still to come). */
    public boolean isPending() {
        return state.get() == PENDING;
    }

    /**
     * Hands the block (and {@code buffer}, may be null) to the kernel: call it right before the Win32 call that
     * takes {@link #overlapped()}. If that call fails without queuing a packet, call {@link #notStarted()}.
     */
    public void begin(ByteBuf buffer) {
        if (!state.compareAndSet(IDLE, PENDING)) {
            throw new IllegalStateException("overlapped operation not idle: " + state.get());
        }
        NativeMemory.zero(block, OVERLAPPED_SIZE);
        held = buffer;
        completions.started();
    }

    /** The call failed at once (no packet will come): the block is the owner's again; returns the buffer. */
    public ByteBuf notStarted() {
        ByteBuf buffer = held;
        held = null;
        state.set(IDLE);
        completions.finished();
        return buffer;
    }

    /** A packet for this operation was dequeued (on the port's thread). */
    void onPacket(int bytes) {
        int status = NativeMemory.getInt(block); // OVERLAPPED.Internal: the NTSTATUS
        final ByteBuf buffer = held;
        held = null;
        completions.finished();
        if (state.compareAndSet(ABANDONED, FREED)) {
            ReferenceCountUtil.safeRelease(buffer);
            free();
            return;
        }
        state.compareAndSet(PENDING, IDLE);
        Executor executor = owner.executor();
        if (executor == null) {
            ReferenceCountUtil.safeRelease(buffer);
            return;
        }
        if (executor instanceof EventExecutor && ((EventExecutor) executor).inEventLoop()) {
            callback.completed(this, buffer, status, bytes);
            return;
        }
        try {
            executor.execute(() -> callback.completed(this, buffer, status, bytes));
        } catch (RejectedExecutionException e) {
            ReferenceCountUtil.safeRelease(buffer);
        }
    }

    /**
     * The owner is done with this operation (its handle is closed or being closed): frees the block now, or when
     * the packet of the operation in flight is dequeued (the caller cancels it or closes the handle).
     */
    public void close() {
        if (state.compareAndSet(PENDING, ABANDONED)) {
            return;
        }
        if (state.compareAndSet(IDLE, FREED)) {
            ReferenceCountUtil.safeRelease(held);
            held = null;
            free();
        }
    }

    /** Asks the owner to close (its port's loop is going away). */
    public void closeOwner() {
        owner.closeForPortShutdown();
    }

    private void free() {
        completions.remove(this);
        NativeMemory.free(block);
    }
}
