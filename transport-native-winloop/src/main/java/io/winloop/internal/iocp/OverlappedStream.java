package io.winloop.internal.iocp;

import io.winloop.internal.overlapped.OverlappedIo;
import io.winloop.internal.overlapped.OverlappedOp;
import io.winloop.internal.overlapped.PortBinding;
import io.winloop.internal.win.NativeCalls;
import io.winloop.internal.win.NativeMemory;
import io.winloop.internal.win.Ntdll;
import io.winloop.internal.win.WinError;
import io.winloop.internal.win.WinSocket;
import io.winloop.internal.win.Ws2_32;

import java.io.IOException;

/**
 * The overlapped calls of one TCP socket in completion mode: at most one {@code WSARecv} and one {@code WSASend} in
 * flight, each with a reusable {@link OverlappedOp} on the loop's port. The socket skips the port on success
 * ({@link PortBinding#skipCompletionPortOnSuccess}) where its provider allows it ({@link Providers}), so a call the
 * kernel finishes inside the call returns its result at once and queues nothing; a call that pends completes later
 * through the {@link Listener}. The Netty semantics on top (read loop, write loop) are the channel's.
 *
 * <p>What the Wines do, measured with tools/probes/iocp-socket-probe.c (Wine 8.0 and 10.0 alike unless marked): an
 * overlapped WSARecv on a nonblocking socket pends when nothing is queued (no WSAEWOULDBLOCK, as Windows documents
 * for overlapped sockets); a pending read completes with 0 bytes at the FIN and with STATUS_CONNECTION_RESET at a
 * reset; CancelIoEx of a pending read completes it with STATUS_CANCELLED and loses no byte.
 *
 * <p>Loop thread only.
 */
public final class OverlappedStream {
    /** Returned by {@link #read} and {@link #write} when the call is in flight. */
    public static final int PENDING = -2;

    /** Completions of calls that pended. */
    public interface Listener {
        void readCompleted(int ntStatus, int bytes);

        void writeCompleted(int ntStatus, long bytes);
    }

    // The read op's own bytes: the WSABUF (16), the flags DWORD (4), the byte-count DWORD (4).
    private static final int READ_WSABUF = 0;
    private static final int READ_FLAGS = 16;
    private static final int READ_BYTES = 20;
    private static final int READ_EXTRA = 24;
    private static final int WRITE_BYTES = 0;
    private static final int WRITE_EXTRA = 8;

    private final WinSocket socket;
    private final PortBinding binding;
    private final CompletionLoop loop;
    private final OverlappedOp readOp;
    private final OverlappedOp writeOp;
    /** Index in the loop's {@link IdleReadSweep} while a buffered read is pending there, else -1. */
    int sweepIndex = -1;
    /** Set by a sweep that found this read pending; a second sweep that finds it still set cancels it. */
    boolean seenBySweep;
    /** The read that completed last had been seen pending by a sweep: the connection's messages are far apart. */
    private boolean completedAfterSweep;
    private boolean closed;

    /**
     * The calls of {@code socket} on {@code loop}'s port. Associates the socket with the port now (where
     * {@code binding} is not yet) and makes the socket skip the port on success where the provider allows it.
     */
    public OverlappedStream(WinSocket socket, PortBinding binding, CompletionLoop loop, Listener listener)
            throws IOException {
        this.socket = socket;
        this.binding = binding;
        this.loop = loop;
        OverlappedIo io = loop.overlappedIo();
        io.bind(binding);
        if (Providers.allowsSkipOnSuccess(socket)) {
            binding.skipCompletionPortOnSuccess();
        }
        readOp = io.newOp(READ_EXTRA, (op, status, bytes) -> {
            loop.idleReads().untrack(this);
            completedAfterSweep = seenBySweep;
            seenBySweep = false;
            listener.readCompleted(status, (int) bytes);
        });
        writeOp = io.newOp(WRITE_EXTRA, (op, status, bytes) -> listener.writeCompleted(status, bytes));
    }

    /** True while a read is in flight. */
    public boolean isReading() {
        return readOp.isInFlight();
    }

    /**
     * True when the read that completed last had waited across a sweep (its connection's messages are at least an
     * interval apart): its owner had better wait by AFD poll next.
     */
    public boolean wasSeenBySweep() {
        return completedAfterSweep;
    }

    /** True while a write is in flight. */
    public boolean isWriting() {
        return writeOp.isInFlight();
    }

    /**
     * Posts a WSARecv of {@code length} bytes at {@code address}. {@code buffer} (the ByteBuf behind the address)
     * stays with the call and is released if the stream is closed while the call is in flight.
     *
     * @return the bytes received when the call finished at once (0: end of stream), or {@link #PENDING}
     * @throws IOException what WSARecv failed with at once (a reset, for one)
     */
    public int read(long address, int length, Object buffer) throws IOException {
        long overlapped = readOp.prepare(binding, 0);
        long extra = readOp.extra();
        NativeMemory.putInt(extra + READ_WSABUF, length);
        NativeMemory.putLong(extra + READ_WSABUF + 8, address);
        NativeMemory.putInt(extra + READ_FLAGS, 0);
        NativeMemory.putInt(extra + READ_BYTES, 0);
        NativeCalls.count();
        int result = Ws2_32.WSARecv(socket.handle(), extra + READ_WSABUF, 1, extra + READ_BYTES, extra + READ_FLAGS,
                overlapped, 0);
        if (result == 0 && binding.skipsCompletionPortOnSuccess()) {
            readOp.finishedAtOnce();
            return NativeMemory.getInt(extra + READ_BYTES);
        }
        if (result != 0) {
            int error = WinError.lastError();
            if (error != WinError.ERROR_IO_PENDING) {
                throw WinError.newException("WSARecv", error);
            }
        }
        readOp.started();
        readOp.attach(buffer);
        loop.idleReads().track(this);
        return PENDING;
    }

    /** The buffer given to the {@link #read} that completed through the port. */
    public Object takeReadBuffer() {
        return readOp.detach();
    }

    /**
     * Posts a gathering WSASend of the {@code count} WSABUFs at {@code buffers} (Winsock captures the array; the
     * memory it points to must stay valid until the completion: the caller keeps it, see {@link PinnedBuffers}).
     *
     * @return the bytes sent when the call finished at once, or {@link #PENDING}
     */
    public long write(long buffers, int count) throws IOException {
        long overlapped = writeOp.prepare(binding, 0);
        long bytesSent = writeOp.extra() + WRITE_BYTES;
        NativeMemory.putInt(bytesSent, 0);
        NativeCalls.count();
        int result = Ws2_32.WSASend(socket.handle(), buffers, count, bytesSent, 0, overlapped, 0);
        if (result == 0 && binding.skipsCompletionPortOnSuccess()) {
            writeOp.finishedAtOnce();
            return NativeMemory.getInt(bytesSent) & 0xFFFFFFFFL;
        }
        if (result != 0) {
            int error = WinError.lastError();
            if (error != WinError.ERROR_IO_PENDING) {
                throw WinError.newException("WSASend", error);
            }
        }
        writeOp.started();
        return PENDING;
    }

    /** Keeps {@code pins} with the write in flight: released at its completion, or after a close's cancel. */
    public void pinWrite(PinnedBuffers pins) {
        writeOp.attach(pins);
    }

    /** The pins given to {@link #pinWrite}, the caller's again once the write completed. */
    public PinnedBuffers takeWritePins() {
        return (PinnedBuffers) writeOp.detach();
    }

    /** The sweep's cancel of a buffered read idle too long: it completes with STATUS_CANCELLED (or its data). */
    void cancelIdleRead() {
        readOp.cancel();
    }

    /** The exception for a call that completed with {@code ntStatus}. */
    public static IOException failure(String call, int ntStatus) {
        IOException e = WinError.newException(call, WinError.wsaErrorOfStatus(ntStatus));
        e.addSuppressed(new IOException("completed with " + WinError.describeStatus(ntStatus)));
        return e;
    }

    /** True when {@code ntStatus} is STATUS_CANCELLED. */
    public static boolean isCancelled(int ntStatus) {
        return ntStatus == Ntdll.STATUS_CANCELLED;
    }

    /**
     * Gives both operations up before the socket is closed: a call in flight is cancelled, and its block (and the
     * buffer or pins it holds) is freed when its completion is dequeued. Idempotent.
     */
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        loop.idleReads().untrack(this);
        readOp.release();
        writeOp.release();
        // A per-operation cancel can miss under Wine 10.0 (see PortBinding.cancelAll): cancel by handle too.
        binding.cancelAll();
    }
}
