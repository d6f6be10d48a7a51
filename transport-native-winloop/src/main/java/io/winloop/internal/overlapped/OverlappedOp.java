package io.winloop.internal.overlapped;

import io.netty.util.ReferenceCountUtil;
import io.winloop.internal.win.Kernel32;
import io.winloop.internal.win.NativeCalls;
import io.winloop.internal.win.NativeMemory;

import java.io.IOException;

/**
 * One reusable overlapped operation of one owner (a channel): an off-heap block holding the OVERLAPPED the kernel
 * writes, the slot that leads its completion back here, and {@link #extraBytes} of the owner's own (e.g. a
 * TRANSMIT_FILE_BUFFERS, or the bytes a ReadFile fills). At most one call is in flight per operation.
 *
 * <p>Life of a call, all on the loop thread of the {@link OverlappedIo} that made the operation:
 * <ol>
 * <li>{@link #prepare} associates the handle with the loop's port if needed, zeroes the OVERLAPPED and sets the file
 * offset; it returns the OVERLAPPED's address to pass to ReadFile / WriteFile / TransmitFile / ConnectNamedPipe;</li>
 * <li>when that call returned success or {@code ERROR_IO_PENDING} the owner calls {@link #started()}: from then on
 * the block belongs to the kernel, because a completion packet is queued in both cases; on a handle that skips
 * the port on success (a completion-mode socket, {@link PortBinding#skipCompletionPortOnSuccess}) a success
 * queues nothing and the owner calls {@link #finishedAtOnce()} instead. A call that failed otherwise queues
 * nothing: the owner calls neither;</li>
 * <li>the completion, once dequeued, reaches the owner's {@link Listener} with the operation's NTSTATUS and byte
 * count, and the operation is idle again.</li>
 * </ol>
 * {@link #release()} gives the operation up: freed at once when idle; when a call is in flight it is cancelled
 * ({@code CancelIoEx}) and the block is freed when its completion is dequeued, without telling the owner. At the
 * loop's shutdown a call in flight of an operation not released is cancelled and its completion still reaches the
 * listener (the owner frees what it holds for the call); then every idle operation is freed.
 */
public final class OverlappedOp {
    /** Called on the loop thread when a started call completed. */
    public interface Listener {
        /**
         * @param ntStatus the call's NTSTATUS (0 = success; {@code STATUS_CANCELLED} after {@link #cancel()})
         * @param bytes    bytes transferred, also when the call failed or was cancelled part way
         */
        void onOverlappedComplete(OverlappedOp op, int ntStatus, long bytes);
    }

    /** OVERLAPPED on x64: Internal (NTSTATUS) @0, InternalHigh (bytes) @8, Offset @16, OffsetHigh @20, hEvent @24. */
    static final int OVERLAPPED_SIZE = 32;
    static final int INTERNAL = 0;
    static final int INTERNAL_HIGH = 8;
    static final int OFFSET = 16;
    static final int SLOT = 32;
    /** Where the owner's own bytes start in the block. */
    static final int EXTRA = 40;

    private final OverlappedIo io;
    final int slot;
    private final long block;
    private final int extraBytes;
    private final Listener listener;
    /** The binding of the handle the call in flight was issued on; null while idle. */
    private PortBinding inFlightOn;
    /** The binding {@link #prepare} readied a call on, until {@link #started()}. */
    private PortBinding prepared;
    private boolean released;
    /** What the kernel reads or writes during the call (a ByteBuf): see {@link #attach}. */
    private Object attachment;

    OverlappedOp(OverlappedIo io, int slot, int extraBytes, Listener listener) {
        this.io = io;
        this.slot = slot;
        this.extraBytes = extraBytes;
        this.listener = listener;
        this.block = NativeMemory.allocate(EXTRA + extraBytes);
        NativeMemory.putInt(block + SLOT, slot);
    }

    /**
     * Readies a call on {@code binding}'s handle at {@code fileOffset} (0 for pipes and sockets, where it is
     * ignored) and returns the OVERLAPPED address to pass to it.
     *
     * @throws IOException when the handle cannot be associated with this loop's port (see {@link PortBinding})
     * @throws IllegalStateException when a call is in flight, the operation was released, or the loop is shutting
     *                               down
     */
    public long prepare(PortBinding binding, long fileOffset) throws IOException {
        if (released) {
            throw new IllegalStateException("overlapped operation released");
        }
        if (inFlightOn != null) {
            throw new IllegalStateException("overlapped operation already in flight on " + inFlightOn);
        }
        if (io.isClosing()) {
            throw new IllegalStateException("the event loop is shutting down: no overlapped call may start");
        }
        binding.bindTo(io);
        NativeMemory.zero(block, OVERLAPPED_SIZE);
        NativeMemory.putLong(block + OFFSET, fileOffset); // Offset and OffsetHigh, little-endian
        prepared = binding;
        return block;
    }

    /**
     * The call prepared last returned success or {@code ERROR_IO_PENDING}: its completion will be queued, and the
     * block is the kernel's until then.
     */
    public void started() {
        if (prepared == null) {
            throw new IllegalStateException("started() without prepare()");
        }
        inFlightOn = prepared;
        prepared = null;
        inFlightOn.inFlight++;
        io.started(this);
    }

    /**
     * The call prepared last succeeded at once on a handle with {@link PortBinding#skipsCompletionPortOnSuccess()}:
     * no packet will come, so the operation is idle again at once; its result is in {@link #status()} and
     * {@link #bytes()}. When the handle does not skip, a success is {@link #started()} like a pending call.
     */
    public void finishedAtOnce() {
        if (prepared == null) {
            throw new IllegalStateException("finishedAtOnce() without prepare()");
        }
        if (!prepared.skipsCompletionPortOnSuccess()) {
            throw new IllegalStateException(prepared + " queues a packet on success: the call must be started()");
        }
        prepared = null;
    }

    /**
     * A call that succeeded at once, whose owner wants its completion through the {@link Listener} all the same
     * (TransmitFile's path): started, and when the handle skips the port on success, its packet is posted here
     * (one more call, only for a call the kernel finished inside the call itself).
     */
    public void startedAfterSuccess() throws IOException {
        boolean post = prepared != null && prepared.skipsCompletionPortOnSuccess();
        started();
        if (post) {
            io.requeue(block);
        }
    }

    /** The NTSTATUS the kernel wrote into the OVERLAPPED (valid after a completion or an inline success). */
    public int status() {
        return NativeMemory.getInt(block + INTERNAL);
    }

    /** The byte count the kernel wrote into the OVERLAPPED. */
    public long bytes() {
        return NativeMemory.getLong(block + INTERNAL_HIGH);
    }

    /**
     * Keeps {@code resource} (e.g. the ByteBuf a ReadFile fills or a WriteFile sends) with the call: the owner takes
     * it back in its listener with {@link #detach()}; when the operation is released with the call in flight, it is
     * released ({@link ReferenceCountUtil#safeRelease}) once the completion is dequeued, not before, since the
     * kernel may use its memory until then (and the listener is not called).
     */
    public void attach(Object resource) {
        attachment = resource;
    }

    /** The resource given to {@link #attach}, now the owner's again (null if none). */
    public Object detach() {
        Object resource = attachment;
        attachment = null;
        return resource;
    }

    /** True from {@link #started()} until the completion is dequeued. */
    public boolean isInFlight() {
        return inFlightOn != null;
    }

    /** The address of the owner's {@code extraBytes} in the block (stable for the operation's life). */
    public long extra() {
        return block + EXTRA;
    }

    public int extraBytes() {
        return extraBytes;
    }

    /**
     * Asks the kernel to cancel the call in flight; its completion (STATUS_CANCELLED, or whatever it ended with
     * first) still comes through the {@link Listener}. Returns false when nothing was in flight or the call had
     * completed already (its completion is queued).
     */
    public boolean cancel() {
        if (inFlightOn == null) {
            return false;
        }
        NativeCalls.count();
        return Kernel32.CancelIoEx(inFlightOn.handle(), block) != 0;
    }

    /**
     * Gives the operation up: the block is freed now when idle, or cancelled and freed once its completion is
     * dequeued (the listener is not called then). Idempotent.
     */
    public void release() {
        if (released) {
            return;
        }
        released = true;
        if (inFlightOn == null) {
            ReferenceCountUtil.safeRelease(detach());
            io.free(this);
        } else {
            cancel();
        }
    }

    PortBinding inFlightOn() {
        return inFlightOn;
    }

    boolean isReleased() {
        return released;
    }

    void markReleased() {
        released = true;
    }

    /** Called by {@link OverlappedIo} with this operation's dequeued completion. */
    void completed() {
        PortBinding binding = inFlightOn;
        inFlightOn = null;
        binding.inFlight--;
        if (released) {
            ReferenceCountUtil.safeRelease(detach());
            io.free(this);
            return;
        }
        int status = NativeMemory.getInt(block + INTERNAL);
        long bytes = NativeMemory.getLong(block + INTERNAL_HIGH);
        listener.onOverlappedComplete(this, status, bytes);
    }

    void freeBlock() {
        NativeMemory.free(block);
    }

    @Override
    public String toString() {
        return "OverlappedOp(slot=" + slot + (inFlightOn != null ? ", in flight on " + inFlightOn : ", idle")
                + (released ? ", released" : "") + ")";
    }
}
