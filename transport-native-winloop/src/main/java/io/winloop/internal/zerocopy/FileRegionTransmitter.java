package io.winloop.internal.zerocopy;

import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.DefaultFileRegion;
import io.netty.channel.EventLoop;
import io.netty.channel.FileRegion;
import io.netty.util.internal.SystemPropertyUtil;
import io.winloop.internal.overlapped.OverlappedIo;
import io.winloop.internal.overlapped.OverlappedOp;
import io.winloop.internal.overlapped.PortBinding;
import io.winloop.internal.win.Kernel32;
import io.winloop.internal.win.Mswsock;
import io.winloop.internal.win.Ntdll;
import io.winloop.internal.win.WinError;
import io.winloop.internal.win.WinFile;
import io.winloop.internal.win.WinSocket;

import java.io.IOException;

/**
 * Sends a stream channel's {@link DefaultFileRegion}s with overlapped {@code TransmitFile}: the kernel reads the file
 * and sends it, nothing passes through the JVM (as epoll's {@code sendfile}). One call at a time, of at most
 * {@link #maxBytesPerCall()} bytes (TransmitFile's limit is 2^31 - 2): the region stays the outbound buffer's current
 * message until its last call completes on the loop's port, so what is written after it waits (and counts toward
 * writability) meanwhile; each completion advances {@code transferred()} and the buffer's progress, and then
 * flushes again, which starts the next call or moves on to the next message. A call that fails or ends early fails
 * the region's write through Netty's usual write-error path.
 *
 * <p>The copying path ({@code FileRegion.transferTo} into the socket) remains for what this cannot or should not
 * send, chosen explicitly and logged once per reason at debug level: the channel's TRANSMIT_FILE mode (AUTO
 * copies on workstation editions of Windows: io.winloop.TransmitFilePolicy), a FileRegion that is not a
 * DefaultFileRegion, a region whose file HANDLE is hidden or is not a disk file ({@link RegionFiles}), a socket whose
 * provider gives no TransmitFile ({@link Mswsock#lookup}) or answers it with an error that means "not on this
 * transport" ({@link Mswsock#isUnsupported}: the rest of the region and every later one are copied), or a socket
 * whose completion port cannot follow the channel to another event loop (see {@link PortBinding}).
 *
 * <p>A region that starts at or after the end of its file fails before any call, with the message Netty's
 * {@code DefaultFileRegion.transferTo} gives ("Underlying file size X smaller then requested count Y"), rather than
 * with the WSAEINVAL TransmitFile answers an offset outside the file with.
 *
 * <p>Loop thread only, but for {@link #cancel()}.
 */
public final class FileRegionTransmitter implements OverlappedOp.Listener {
    /** {@link #write} started a call, or one is in flight: doWrite stops until its completion flushes again. */
    public static final int IN_FLIGHT = -1;
    /** {@link #write} cannot send this region: use the copying path. */
    public static final int COPY = -2;

    /** Bytes per TransmitFile call; a lower value (tests, -Dio.winloop.transmitFile.maxBytesPerCall) splits more. */
    private static volatile long maxBytesPerCall = clampBytesPerCall(
            SystemPropertyUtil.getLong("io.winloop.transmitFile.maxBytesPerCall", Mswsock.MAX_BYTES_PER_CALL));

    private final TransmitTarget channel;
    private final WinSocket socket;
    private final PortBinding binding;
    /** The socket's TransmitFile, looked up at its first region (null until then). */
    private Mswsock.TransmitFile function;
    /** The region being sent, its file handle (ours), and the size of the call in flight. */
    private DefaultFileRegion region;
    private long file;
    private long requested;
    /** The call in flight (null when none). */
    private OverlappedOp op;
    /** The region being sent by copying (decided once per region, not per chunk). */
    private FileRegion copying;
    /**
     * Why this socket cannot use TransmitFile any more (its port cannot follow it to another loop, its provider has
     * no TransmitFile or said it cannot send here), or null.
     */
    private String socketUnusable;
    /** What the last completion failed with, thrown by the next {@link #write} (Netty's write-error path). */
    private IOException failure;
    private volatile boolean closed;

    /** {@code binding}: the socket's association with a port, shared with its other overlapped calls. */
    public FileRegionTransmitter(TransmitTarget channel, WinSocket socket, PortBinding binding) {
        this.channel = channel;
        this.socket = socket;
        this.binding = binding;
    }

    private static long clampBytesPerCall(long bytes) {
        return Math.max(1, Math.min(Mswsock.MAX_BYTES_PER_CALL, bytes));
    }

    public static long maxBytesPerCall() {
        return maxBytesPerCall;
    }

    /** Tests: split regions into calls of at most {@code bytes} (at most 2^31 - 2). */
    public static void maxBytesPerCall(long bytes) {
        maxBytesPerCall = clampBytesPerCall(bytes);
    }

    /**
     * Sends (more of) {@code msg}, the outbound buffer's current message, which still has bytes to send, with the
     * overlapped operations of the channel's loop ({@code io}).
     *
     * @return {@link #IN_FLIGHT} or {@link #COPY}
     * @throws IOException what the last call failed with, or why this one could not start
     */
    public int write(FileRegion msg, OverlappedIo io) throws IOException {
        if (failure != null) {
            IOException cause = failure;
            failure = null;
            finishRegion();
            throw cause;
        }
        if (op != null) {
            return IN_FLIGHT; // a flush while the call is in flight: its completion flushes again
        }
        if (msg == copying) {
            return COPY;
        }
        if (msg != region) {
            finishRegion(); // a region given up by the copying path or a failure left nothing open, but be sure
            String reason = copyReason(msg, io);
            if (reason != null) {
                RegionFiles.logFallback(reason);
                copying = msg;
                return COPY;
            }
            long handle = RegionFiles.openHandle((DefaultFileRegion) msg);
            if (handle == 0) {
                copying = msg; // RegionFiles logged why
                return COPY;
            }
            FileRegionStats.fileOpened();
            region = (DefaultFileRegion) msg;
            file = handle;
            startsInFile();
        }
        long remaining = region.count() - region.transferred();
        long length = Math.min(remaining, maxBytesPerCall);
        OverlappedOp call = io.newOp(0, this);
        long overlapped;
        try {
            overlapped = call.prepare(binding, region.position() + region.transferred());
        } catch (IOException e) {
            // The socket is associated with another loop's port and cannot move (Wine): copy from here on.
            call.release();
            copyFromHere(e.getMessage());
            return COPY;
        }
        FileRegionStats.transmitFileCall();
        boolean succeeded = function.call(socket.handle(), file, (int) length, overlapped) != 0;
        if (!succeeded) {
            int error = WinError.lastError();
            if (error != Mswsock.WSA_IO_PENDING) {
                call.release();
                if (Mswsock.isUnsupported(error)) {
                    copyFromHere("TransmitFile failed with " + WinError.describe(error) + ", which means it cannot "
                            + "send on this socket's transport");
                    return COPY;
                }
                finishRegion();
                throw WinError.newException("TransmitFile", error);
            }
        }
        if (succeeded) {
            call.startedAfterSuccess(); // its completion comes through the port even where success skips it
        } else {
            call.started(); // pending: the completion will be queued
        }
        op = call;
        requested = length;
        return IN_FLIGHT;
    }

    /**
     * Why {@code msg}, a new region, goes through the copying path, or null when TransmitFile sends it (then this
     * socket's TransmitFile has been looked up).
     *
     * @throws IllegalArgumentException when the channel's mode is the default and -Dio.winloop.transmitFile is bad
     */
    private String copyReason(FileRegion msg, OverlappedIo io) {
        if (socketUnusable != null) {
            return socketUnusable;
        }
        String reason = RegionFiles.unsupportedReason(msg);
        if (reason != null) {
            return reason;
        }
        if (io == null) {
            return "the channel is not registered with a Winloop event loop";
        }
        reason = channel.transmitFileCopyReason();
        if (reason != null) {
            return reason;
        }
        RegionFiles.logTransmitFile(channel.transmitFileReason());
        if (function == null) {
            try {
                function = Mswsock.lookup(socket.handle());
            } catch (IOException e) {
                socketUnusable = "this socket's provider gives no TransmitFile: " + e.getMessage();
                return socketUnusable;
            }
        }
        return null;
    }

    /**
     * The region just opened must start inside its file: at or after its end there is nothing TransmitFile could
     * send (it would fail with WSAEINVAL), so fail now as DefaultFileRegion.transferTo does. A region that starts
     * inside and ends after it sends what there is first, and fails on the short completion (netty#8868).
     */
    private void startsInFile() throws IOException {
        long size;
        try {
            size = WinFile.size(file);
        } catch (IOException e) {
            finishRegion();
            throw e;
        }
        long offset = region.position() + region.transferred();
        if (offset < 0 || offset >= size) { // < 0: position + transferred overflowed, beyond any file
            IOException e = shortFile(size);
            finishRegion();
            throw e;
        }
    }

    /** From now on this socket copies: the rest of the current region and every later one (logged once). */
    private void copyFromHere(String reason) {
        socketUnusable = reason;
        RegionFiles.logFallback(reason);
        copying = region;
        finishRegion();
    }

    /** The loop that started the call: move to the channel's loop if it changed since (a re-registration). */
    @Override
    public void onOverlappedComplete(OverlappedOp call, int ntStatus, long bytes) {
        call.release();
        EventLoop loop = channel.eventLoop();
        if (loop.inEventLoop()) {
            completed(ntStatus, bytes);
        } else {
            loop.execute(() -> completed(ntStatus, bytes));
        }
    }

    private void completed(int ntStatus, long bytes) {
        op = null;
        if (closed || region == null) {
            finishRegion();
            return;
        }
        ChannelOutboundBuffer in = channel.outboundBuffer();
        if (bytes > 0) {
            RegionFiles.addTransferred(region, bytes);
            FileRegionStats.transmitted(bytes);
            if (in != null) {
                in.progress(bytes);
            }
        }
        if (ntStatus != Ntdll.STATUS_SUCCESS && Mswsock.isUnsupportedStatus(ntStatus)) {
            // What was sent is counted above; the copying path sends the rest from region.transferred().
            copyFromHere("TransmitFile completed with " + WinError.describeStatus(ntStatus) + ", which means it "
                    + "cannot send on this socket's transport");
        } else if (ntStatus != Ntdll.STATUS_SUCCESS) {
            failure = WinError.newException("TransmitFile", WinError.wsaErrorOfStatus(ntStatus));
            failure.addSuppressed(new IOException("TransmitFile completed with " + WinError.describeStatus(ntStatus)
                    + " after " + bytes + " of " + requested + " bytes"));
        } else if (bytes < requested) {
            // TransmitFile stops at the end of the file: the file is shorter than the region (netty#8868).
            failure = shortFile(-1);
        } else if (region.transferred() >= region.count()) {
            FileRegionStats.transmittedRegion();
            finishRegion();
            if (in != null) {
                in.remove();
            }
        }
        channel.flushAgain();
    }

    /** Netty's DefaultFileRegion message for a file shorter than the region; {@code size} < 0: read it now. */
    private IOException shortFile(long size) {
        if (size < 0) {
            try {
                size = WinFile.size(file);
            } catch (IOException e) {
                return e;
            }
        }
        return new IOException("Underlying file size " + size + " smaller then requested count " + region.count());
    }

    /** Closes the file handle of the region being sent, if any. */
    private void finishRegion() {
        region = null;
        long handle = file;
        file = 0;
        if (handle != 0) {
            WinFile.close(handle);
            FileRegionStats.fileClosed();
        }
    }

    /**
     * The channel is closing (maybe off the loop, with SO_LINGER): cancel the call in flight, by handle (the only
     * way Wine 10.0 finds a TransmitFile; and under Wine closesocket alone does not end it). Must run before the
     * socket is closed. The completion still comes, to the loop, which frees the operation and the file handle.
     */
    public void cancel() {
        closed = true;
        if (binding != null && binding.isBound()) {
            Kernel32.CancelIoEx(socket.handle(), 0);
        }
        EventLoop loop = channel.eventLoop();
        if (loop.inEventLoop() && op == null) {
            finishRegion();
        }
    }

    /** True while a call is in flight (for tests). */
    public boolean isInFlight() {
        return op != null;
    }
}
