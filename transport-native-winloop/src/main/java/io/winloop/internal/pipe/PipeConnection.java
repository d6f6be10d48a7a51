package io.winloop.internal.pipe;

import io.netty.buffer.ByteBuf;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.netty.util.concurrent.Promise;
import io.winloop.internal.overlapped.OverlappedIo;
import io.winloop.internal.overlapped.OverlappedOp;
import io.winloop.internal.overlapped.PortBinding;
import io.winloop.internal.win.ByteBufAddress;
import io.winloop.internal.win.Kernel32;
import io.winloop.internal.win.NativeMemory;
import io.winloop.internal.win.Ntdll;
import io.winloop.internal.win.WinError;

import java.io.IOException;

/**
 * One connected end of a named pipe doing overlapped I/O: what {@code WinSocket} is to a socket channel. It owns the
 * handle and its {@link PortBinding}, the one read and the one write in flight (their {@link OverlappedOp}s and the
 * buffers the kernel fills or sends meanwhile), the move of a handle with calls in flight to another loop, and the
 * close that waits for those calls. It knows nothing of Netty's pipeline: each completion goes to its
 * {@link Listener} (the channel), which decides what it means.
 *
 * <p>Loop thread only (that of the loop it is registered with), except {@link #isOpen()}.
 */
public final class PipeConnection {
    /** Told of each completion, on the loop thread; never after {@link #close()} nor while a move is draining. */
    public interface Listener {
        /**
         * A read completed: {@code bytes} were written at {@code buf}'s writer index (not yet advanced), or the read
         * failed with {@code status}. The listener owns {@code buf}.
         */
        void readCompleted(ByteBuf buf, int status, int bytes);

        /** The zero-byte watch ({@link #watch()}) completed: data arrived (success) or the read failed. */
        void watchCompleted(int status);

        /** A write completed (its buffer is released already): {@code bytes} of it were written, or it failed. */
        void writeCompleted(int status, int bytes);
    }

    private final Listener listener;
    private volatile boolean open = true;
    /** The handle calls are issued on; INVALID_HANDLE_VALUE before it is opened and after {@link #close()}. */
    private volatile long handle = Kernel32.INVALID_HANDLE_VALUE;
    /** The handle and the port it is associated with (the port of the loop it is registered with). */
    private PortBinding binding;
    /** The overlapped operations of the loop it is registered with; its read and write operations. */
    private OverlappedIo io;
    private OverlappedOp readOperation;
    private OverlappedOp writeOperation;
    private boolean readInFlight;
    /** The read in flight is the zero-byte watch ({@link #watch()}). */
    private boolean watching;
    /** After close: the handle to close when the last call in flight on it completed. */
    private long closingHandle = Kernel32.INVALID_HANDLE_VALUE;
    /** A DWORD for PeekNamedPipe, and the zero-byte read's buffer (allocated on first use, freed on close). */
    private long scratch;

    // A move to another loop (or back to this one) with calls in flight: see deregistered().
    /** Set on the old loop from the deregistration until the last call in flight there completed. */
    private boolean moving;
    /** Completed on the old loop when its last call in flight completed; the next registration waits for it. */
    private volatile Promise<Void> moveDrained;
    /** Bytes a read in flight got before the move: the first bytes delivered after it. */
    private ByteBuf carriedRead;
    /** The buffer of the write in flight at the move, with its outcome, applied after it. */
    private ByteBuf carriedWrite;
    private int carriedWriteStatus;
    private int carriedWriteBytes;

    /** A client end, opened later ({@link #adopt}). */
    public PipeConnection(Listener listener) {
        this.listener = listener;
    }

    /**
     * An accepted server end. Its handle is associated with no port yet (thread-based accept) or with the server
     * loop's (port-based accept): the loop it is registered with associates it with its own, moving it if needed
     * and possible (PortBinding).
     */
    public PipeConnection(Listener listener, PortBinding accepted) {
        this.listener = listener;
        this.binding = accepted;
        this.handle = accepted.handle();
    }

    /** False once {@link #close()} ran. From any thread. */
    public boolean isOpen() {
        return open;
    }

    /** True from the open or accept of a handle until {@link #close()}. */
    public boolean hasHandle() {
        return handle != Kernel32.INVALID_HANDLE_VALUE;
    }

    /** Null while the end has no handle (a client before it connects); then it binds its handle itself. */
    public PortBinding binding() {
        return binding;
    }

    /**
     * Takes the client end just opened: associates it with this loop's port. On a failure the caller still owns
     * {@code pipe} (and closes it).
     */
    public void adopt(long pipe) throws IOException {
        PortBinding opened = new PortBinding(pipe);
        io.bind(opened);
        binding = opened;
        handle = pipe;
    }

    /** Registered with a loop: the operations come from that loop's {@link OverlappedIo}. */
    public void registered(OverlappedIo loopIo) {
        io = loopIo;
        if (!open) {
            return;
        }
        releaseOperations();
        readOperation = loopIo.newOp(0, (op, status, bytes) -> readDone((ByteBuf) op.detach(), status, (int) bytes));
        writeOperation = loopIo.newOp(0, (op, status, bytes) -> writeDone((ByteBuf) op.detach(), status,
                (int) bytes));
    }

    /** True between a registration and the deregistration or close: reads and writes may start. */
    public boolean hasOperations() {
        return readOperation != null;
    }

    /** A read (or the watch) is in flight. */
    public boolean isReading() {
        return readInFlight;
    }

    /**
     * Starts a ReadFile into {@code buf}'s writable bytes, which must have a native address. Returns 0 when it
     * started (TRUE or ERROR_IO_PENDING: a completion comes, and {@code buf} is the kernel's until then), else the
     * error of a call that failed at once ({@code buf} released; no completion comes: pipe-probe.c, "ReadFile after
     * client closed").
     *
     * @throws IOException when the handle cannot be associated with the loop's port ({@code buf} released)
     */
    public int read(ByteBuf buf) throws IOException {
        long overlapped;
        try {
            overlapped = readOperation.prepare(binding, 0);
        } catch (IOException e) {
            buf.release();
            throw e;
        }
        long address = ByteBufAddress.of(buf, buf.writerIndex(), buf.writableBytes());
        if (Kernel32.ReadFile(handle, address, buf.writableBytes(), 0, overlapped) == 0) {
            int error = WinError.lastError();
            if (error != WinError.ERROR_IO_PENDING) {
                buf.release();
                return error;
            }
        }
        readOperation.attach(buf);
        readOperation.started();
        readInFlight = true;
        return 0;
    }

    /**
     * Starts the zero-byte ReadFile of an end that is not reading: it completes when data arrives (leaving it
     * unread: pipe-probe.c) or fails with ERROR_BROKEN_PIPE when the other end closes, so an end that does not read
     * still learns that its peer is gone (epoll's EPOLLRDHUP). Returns 0 when it started (or could not be readied,
     * which only a later read would report), else the error of a call that failed at once.
     */
    public int watch() {
        long overlapped;
        try {
            overlapped = readOperation.prepare(binding, 0);
        } catch (IOException e) {
            return 0;
        }
        if (Kernel32.ReadFile(handle, scratch(), 0, 0, overlapped) == 0) {
            int error = WinError.lastError();
            if (error != WinError.ERROR_IO_PENDING) {
                return error;
            }
        }
        readOperation.started();
        readInFlight = true;
        watching = true;
        return 0;
    }

    /** Cancels the read in flight, if any; its completion (STATUS_CANCELLED) still comes. */
    public void cancelRead() {
        if (readInFlight) {
            readOperation.cancel();
        }
    }

    /** Bytes waiting in the pipe (0 when unknown: a broken or closed pipe, which the next read reports). */
    public int bytesAvailable() {
        long count = scratch();
        if (Kernel32.PeekNamedPipe(handle, 0, 0, 0, count, 0) == 0) {
            return 0;
        }
        return NativeMemory.getInt(count);
    }

    /**
     * Starts a WriteFile of {@code data}'s readable bytes, which must have a native address. Returns 0 when it
     * started ({@code data} is the kernel's until the completion, then released here), else the error of a call
     * that failed at once ({@code data} released). A pipe write completes whole (pipe-probe.c).
     *
     * @throws IOException when the handle cannot be associated with the loop's port ({@code data} released)
     */
    public int write(ByteBuf data) throws IOException {
        int length = data.readableBytes();
        long address = ByteBufAddress.of(data, data.readerIndex(), length);
        long overlapped;
        try {
            overlapped = writeOperation.prepare(binding, 0);
        } catch (IOException | RuntimeException e) {
            data.release();
            throw e;
        }
        if (Kernel32.WriteFile(handle, address, length, 0, overlapped) == 0) {
            int error = WinError.lastError();
            if (error != WinError.ERROR_IO_PENDING) {
                data.release();
                return error;
            }
        }
        writeOperation.attach(data);
        writeOperation.started();
        return 0;
    }

    private long scratch() {
        if (scratch == 0) {
            scratch = NativeMemory.allocate(8);
        }
        return scratch;
    }

    private void readDone(ByteBuf buf, int status, int bytes) {
        readInFlight = false;
        boolean watch = watching;
        watching = false;
        if (moving) {
            if (!watch && open && bytes > 0 && (status == Ntdll.STATUS_SUCCESS || status == Ntdll.STATUS_CANCELLED)) {
                buf.writerIndex(buf.writerIndex() + bytes);
                carriedRead = buf;
            } else {
                ReferenceCountUtil.safeRelease(buf);
            }
            finishMoveIfDrained();
        } else if (!open) {
            ReferenceCountUtil.safeRelease(buf);
            finishCloseIfDrained();
        } else if (watch) {
            listener.watchCompleted(status);
        } else {
            listener.readCompleted(buf, status, bytes);
        }
    }

    private void writeDone(ByteBuf data, int status, int bytes) {
        if (moving) {
            // Applied after the next registration (resumeCarriedWrite). A write is cancelled only by a close or the
            // old loop's shutdown: applied, that fails the write and closes.
            carriedWrite = data;
            carriedWriteStatus = status;
            carriedWriteBytes = bytes;
            finishMoveIfDrained();
            return;
        }
        data.release();
        if (!open) {
            finishCloseIfDrained();
        } else {
            listener.writeCompleted(status, bytes);
        }
    }

    /**
     * Deregistered: operations belong to the loop that made them, so they are given up here and the next loop
     * makes new ones. (The handle itself moves only where Windows can move it: PortBinding.) With calls in flight
     * their completions, which this (old) loop still dequeues, are kept instead of told, and applied after the
     * next registration, which waits for them ({@link #unfinishedMove()}): the handle may change ports only with
     * nothing in flight on it, and the state is the old loop's until then. The read is cancelled; bytes it got
     * before the cancel took are the first delivered after the move ({@link #takeCarriedRead()}). The write is left
     * to complete (the peer reading it), because a cancelled write's byte count cannot be trusted: under Wine it
     * says 0 after the reader took part of the data (tools/probes/pipe-probe.c), and writing it again would repeat
     * those bytes (WinloopNamedPipeMoveTest). A closed end keeps its operations until its calls completed: their
     * completions close the handle.
     */
    public void deregistered() {
        if (closingHandle != Kernel32.INVALID_HANDLE_VALUE) {
            return;
        }
        if (isAnyCallInFlight()) {
            moving = true;
            moveDrained = ImmediateEventExecutor.INSTANCE.newPromise();
            if (readInFlight) {
                readOperation.cancel();
            }
        } else {
            releaseOperations();
        }
    }

    /**
     * What a registration must wait for: the old loop's last completion of a move in progress; null when there is
     * none (a finished move is forgotten here). From the new loop's thread.
     */
    public Future<Void> unfinishedMove() {
        Promise<Void> drained = moveDrained;
        if (drained == null) {
            return null;
        }
        if (!drained.isDone()) {
            return drained;
        }
        moveDrained = null;
        return null;
    }

    private void finishMoveIfDrained() {
        if (isAnyCallInFlight()) {
            return;
        }
        readOperation.release();
        readOperation = null;
        writeOperation.release();
        writeOperation = null;
        moving = false;
        moveDrained.setSuccess(null);
    }

    /** True when a read got bytes before a move; {@link #takeCarriedRead()} hands them over. */
    public boolean hasCarriedRead() {
        return carriedRead != null;
    }

    /** The bytes a read got before a move (the caller owns them), or null. */
    public ByteBuf takeCarriedRead() {
        ByteBuf buf = carriedRead;
        carriedRead = null;
        return buf;
    }

    /**
     * After a registration: tells the listener the outcome of the write that was in flight at a move, as if it
     * completed now; false when there was none.
     */
    public boolean resumeCarriedWrite() {
        ByteBuf data = carriedWrite;
        if (data == null) {
            return false;
        }
        carriedWrite = null;
        data.release();
        listener.writeCompleted(carriedWriteStatus, carriedWriteBytes);
        return true;
    }

    /**
     * Closes the end: cancels what is in flight and closes the handle once those calls completed. Wine's
     * asynchronous I/O finds its file through the HANDLE at every step, so a handle closed (and its value reused)
     * under a call in flight could let that call touch another file (notes of the overlapped mechanism). Each
     * cancelled call still completes (STATUS_CANCELLED, or STATUS_PIPE_BROKEN: tools/probes/pipe-probe.c), also
     * during the loop's shutdown drain. Data already written stays readable by the other end until it reads end of
     * stream (no DisconnectNamedPipe, which would drop it).
     */
    public void close() {
        open = false;
        long h = handle;
        handle = Kernel32.INVALID_HANDLE_VALUE;
        if (binding != null) {
            binding.cancelAll();
        }
        closingHandle = h;
        Promise<Void> drained = moveDrained;
        if (drained != null) {
            // Closed during a move: the handle closes once the old loop saw its calls complete (at once if it has).
            drained.addListener(f -> finishClose());
        } else if (!isAnyCallInFlight()) {
            finishClose();
        }
    }

    private boolean isAnyCallInFlight() {
        return readOperation != null && readOperation.isInFlight()
                || writeOperation != null && writeOperation.isInFlight();
    }

    private void finishCloseIfDrained() {
        if (closingHandle != Kernel32.INVALID_HANDLE_VALUE && !isAnyCallInFlight()) {
            finishClose();
        }
    }

    /** The handle of a closed end, closed once no call is in flight on it. */
    private void finishClose() {
        releaseOperations();
        if (carriedRead != null) {
            carriedRead.release();
            carriedRead = null;
        }
        if (carriedWrite != null) {
            carriedWrite.release(); // its message is failed with the rest of the outbound buffer
            carriedWrite = null;
        }
        long h = closingHandle;
        closingHandle = Kernel32.INVALID_HANDLE_VALUE;
        if (h != Kernel32.INVALID_HANDLE_VALUE) {
            Kernel32.CloseHandle(h);
        }
        if (scratch != 0) {
            NativeMemory.free(scratch);
            scratch = 0;
        }
    }

    private void releaseOperations() {
        if (readOperation != null) {
            readOperation.release();
            readOperation = null;
            readInFlight = false;
            watching = false;
        }
        if (writeOperation != null) {
            writeOperation.release();
            writeOperation = null;
        }
    }
}
