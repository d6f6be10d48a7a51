package io.winloop;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.RecvByteBufAllocator;
import io.winloop.internal.iocp.CompletionLoop;
import io.winloop.internal.iocp.OverlappedStream;
import io.winloop.internal.iocp.PinnedBuffers;
import io.winloop.internal.overlapped.PortBinding;
import io.winloop.internal.win.ByteBufAddress;
import io.winloop.internal.win.WinError;
import io.winloop.internal.win.WsaBufArray;

import java.io.IOException;

/**
 * A TCP stream channel's reads and writes in {@link WinloopIoMode#COMPLETION}: Netty's read loop and write loop
 * (as {@link AbstractWinloopStreamChannel} has them for readiness) over the overlapped calls of an
 * {@link OverlappedStream}.
 *
 * <p>Reads: a read loop starts when a posted WSARecv completes (its bytes are the loop's first read) and goes on
 * with WSARecvs that finish at once, as long as the {@link RecvByteBufAllocator.Handle} says to continue; it ends
 * with a read in flight, or none when the handle stops it ({@code maxMessagesPerRead}, {@code autoRead} off). The
 * next loop's read is posted when Netty asks for one ({@code doBeginRead}, also from {@code autoRead}); a post that
 * finishes at once runs its loop as a task, so that nothing is read inside {@code channelActive} or
 * {@code channelReadComplete}. A read idle past the loop's threshold is cancelled and replaced by a zero-byte read
 * (no buffer pinned); its completion runs the readiness read loop (nonblocking recv), after which reads are
 * buffered again. A buffer without a native address (a heap allocator) gets zero-byte reads too.
 *
 * <p>Writes: {@link #write} sends a gathering WSASend; one that pends keeps the flushed messages (retained, see
 * {@link PinnedBuffers}) until its completion, which removes what was sent and flushes again.
 *
 * <p>Loop thread only.
 */
final class CompletionModeStream implements OverlappedStream.Listener {
    private final AbstractWinloopStreamChannel channel;
    private final AbstractWinloopStreamChannel.WinloopStreamUnsafe unsafe;
    private final OverlappedStream stream;
    /** A read finished at once when posted: its result waits for {@link #readAtOnceTask}. */
    private boolean readyAtOnce;
    /** Its buffer (null for a zero-byte read) and bytes. */
    private ByteBuf readyBuffer;
    private int readyBytes;
    private boolean inReadLoop;
    /** The next read is a zero-byte read (the last buffered one was cancelled as idle). */
    private boolean idle;
    /** What the last pending write failed with: thrown by the next doWrite (Netty's write-error path). */
    private IOException writeFailure;
    private final Runnable readAtOnceTask = this::readAtOnce;

    CompletionModeStream(AbstractWinloopStreamChannel channel, AbstractWinloopStreamChannel.WinloopStreamUnsafe unsafe,
                         PortBinding binding, CompletionLoop loop) throws IOException {
        this.channel = channel;
        this.unsafe = unsafe;
        this.stream = new OverlappedStream(channel.socket, binding, loop, this);
    }

    /** True while a read is posted or its bytes wait for their task: nothing else may read the socket then. */
    boolean isReading() {
        return stream.isReading() || readyAtOnce;
    }

    boolean isZeroByteReadPending() {
        return stream.isReading() && stream.isZeroByteRead();
    }

    boolean isWriting() {
        return stream.isWriting();
    }

    /** Netty asks for a read ({@code doBeginRead}): post one unless one is in flight or a loop is running. */
    void beginRead() {
        if (!isReading() && !inReadLoop) {
            postRead();
        }
    }

    /** Posts the first read of the next loop. */
    private void postRead() {
        ChannelConfig config = channel.config();
        if (channel.shouldBreakReadReady(config) || !channel.isOpen()) {
            return;
        }
        if (channel.socket.isInputShutdown()) {
            // shutdownInput(): the readiness loop reports end of stream without a call.
            channel.eventLoop().execute(unsafe::readReady);
            return;
        }
        RecvByteBufAllocator.Handle handle = unsafe.recvBufAllocHandle();
        ByteBuf buf = null;
        try {
            if (!idle) {
                buf = handle.allocate(config.getAllocator());
                long address = ByteBufAddress.of(buf, buf.writerIndex(), buf.writableBytes());
                if (address == 0) {
                    buf.release(); // heap memory moves: no overlapped read into it
                    buf = null;
                }
            }
            int result = buf == null ? stream.read(0, 0, null)
                    : stream.read(ByteBufAddress.of(buf, buf.writerIndex(), buf.writableBytes()), buf.writableBytes(),
                    buf);
            if (result == OverlappedStream.PENDING) {
                return; // the buffer stays with the call
            }
            readyAtOnce = true;
            readyBuffer = buf;
            readyBytes = result;
            channel.eventLoop().execute(readAtOnceTask);
        } catch (Throwable t) {
            // As a loop's failure: the channelReadComplete it fires must not post again (autoRead would loop).
            inReadLoop = true;
            try {
                unsafe.handleReadException(channel.pipeline(), buf, t, false, handle);
            } finally {
                inReadLoop = false;
            }
        }
    }

    private void readAtOnce() {
        if (!readyAtOnce) {
            return; // closed meanwhile
        }
        readyAtOnce = false;
        ByteBuf buf = readyBuffer;
        readyBuffer = null;
        if (buf == null) {
            readQueued();
        } else {
            readLoop(buf, 0, readyBytes);
        }
    }

    @Override
    public void readCompleted(int ntStatus, int bytes) {
        ByteBuf buf = (ByteBuf) stream.takeReadBuffer();
        if (OverlappedStream.isCancelled(ntStatus)) {
            // The sweep cancelled a read idle too long (a close releases the operation: no call comes then).
            if (bytes > 0) {
                ntStatus = 0; // data came first: a read like any other
            } else {
                if (buf != null) {
                    buf.release();
                }
                idle = true;
                if (!unsafe.shouldStopReading(channel.config())) {
                    postRead();
                }
                return;
            }
        }
        if (buf == null && ntStatus == 0) {
            readQueued(); // a zero-byte read: data or the FIN is queued now
            return;
        }
        readLoop(buf, ntStatus, bytes);
    }

    /** After a zero-byte read: the readiness read loop (nonblocking recv), then buffered reads again. */
    private void readQueued() {
        idle = false;
        inReadLoop = true;
        try {
            unsafe.readReady();
        } finally {
            inReadLoop = false;
        }
        postIfStillReading();
    }

    /** A read loop whose first read (into {@code buf}) completed with {@code ntStatus} and {@code bytes}. */
    private void readLoop(ByteBuf buf, int ntStatus, int bytes) {
        final ChannelConfig config = channel.config();
        final RecvByteBufAllocator.Handle allocHandle = unsafe.recvBufAllocHandle();
        final ChannelPipeline pipeline = channel.pipeline();
        allocHandle.reset(config);
        boolean allDataRead = false;
        inReadLoop = true;
        try {
            for (;;) {
                if (ntStatus != 0) {
                    throw OverlappedStream.failure("WSARecv", ntStatus);
                }
                if (buf == null) {
                    break; // never expected: a buffered read without its buffer
                }
                if (bytes == 0 && unsafe.abortReported && !channel.socket.isInputShutdown()) {
                    // A read posted after the reset: Windows (and Wine 10.0) fail it with WSAECONNRESET, Wine 8.0
                    // completes it with end of stream (tools/probes/iocp-socket-probe.c); AFD saw the abort.
                    IOException reset = WinError.newException("WSARecv", WinError.WSAECONNRESET);
                    reset.addSuppressed(new IOException("reported by AFD_POLL_ABORT; WSARecv read end of stream"));
                    throw reset;
                }
                allocHandle.attemptedBytesRead(buf.writableBytes());
                // After shutdownInput() nothing more is delivered: what arrived is dropped, as end of stream.
                int n = channel.socket.isInputShutdown() ? -1 : bytes == 0 ? -1 : bytes;
                if (n > 0) {
                    buf.writerIndex(buf.writerIndex() + n);
                }
                allocHandle.lastBytesRead(n);
                if (n <= 0) {
                    buf.release();
                    buf = null;
                    allDataRead = true;
                    unsafe.readPending = false;
                    break;
                }
                allocHandle.incMessagesRead(1);
                unsafe.readPending = false;
                pipeline.fireChannelRead(buf);
                buf = null;
                if (channel.shouldBreakReadReady(config) || !allocHandle.continueReading()) {
                    break;
                }
                buf = allocHandle.allocate(config.getAllocator());
                long address = ByteBufAddress.of(buf, buf.writerIndex(), buf.writableBytes());
                if (address == 0) {
                    buf.release();
                    buf = null;
                    break; // a heap buffer: the next loop waits with a zero-byte read
                }
                int result = stream.read(address, buf.writableBytes(), buf);
                if (result == OverlappedStream.PENDING) {
                    buf = null; // the call holds it; its completion starts the next loop
                    break;
                }
                bytes = result;
            }
            allocHandle.readComplete();
            inReadLoop = false;
            pipeline.fireChannelReadComplete();
            if (allDataRead) {
                unsafe.shutdownInput(true);
            }
        } catch (Throwable t) {
            // inReadLoop stays set: the channelReadComplete it fires must not post a read before the input is
            // shut down (a reset would be read again, for ever, with autoRead on).
            unsafe.handleReadException(pipeline, buf, t, allDataRead, allocHandle);
        } finally {
            inReadLoop = false;
        }
        postIfStillReading();
    }

    private void postIfStillReading() {
        if (!isReading() && channel.isOpen() && channel.isActive()
                && !unsafe.shouldStopReading(channel.config())) {
            postRead();
        }
    }

    /**
     * Sends the {@code array}'s buffers, the first flushed messages of {@code in}.
     *
     * @return the bytes sent at once, or {@link OverlappedStream#PENDING} (the completion flushes again)
     */
    long write(ChannelOutboundBuffer in, WsaBufArray array) throws Exception {
        long written = stream.write(array.memoryAddress(), array.count());
        if (written == OverlappedStream.PENDING) {
            stream.pinWrite(PinnedBuffers.of(in, array.size()));
        }
        return written;
    }

    /** Throws what the last pending write failed with, if it did. */
    void checkWriteFailure() throws IOException {
        IOException failure = writeFailure;
        if (failure != null) {
            writeFailure = null;
            throw failure;
        }
    }

    @Override
    public void writeCompleted(int ntStatus, long bytes) {
        PinnedBuffers pins = stream.takeWritePins();
        try {
            ChannelOutboundBuffer in = unsafe.outboundBuffer();
            if (in == null) {
                return; // closed or output shut down meanwhile: Netty failed the messages already
            }
            if (ntStatus != 0) {
                writeFailure = OverlappedStream.failure("WSASend", ntStatus);
            } else {
                in.removeBytes(bytes);
            }
        } finally {
            if (pins != null) {
                pins.release();
            }
        }
        unsafe.flushAfterCompletion();
    }

    /** Cancels what is in flight before the socket closes (the blocks are freed as their completions come). */
    void close() {
        readyAtOnce = false;
        ByteBuf buf = readyBuffer;
        readyBuffer = null;
        if (buf != null) {
            buf.release();
        }
        stream.close();
    }
}
