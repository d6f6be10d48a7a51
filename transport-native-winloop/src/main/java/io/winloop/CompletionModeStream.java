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
 * {@code channelReadComplete}. A read idle past the loop's threshold is cancelled, and the connection then waits
 * the readiness way, with the AFD poll it keeps for the FIN asking for RECEIVE too (no buffer pinned); its data is
 * read with the readiness loop (nonblocking recv), after which reads are buffered again unless the wait lasted an
 * interval. A buffer without a native address (a heap allocator) waits that way too.
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
    /** Its buffer and bytes. */
    private ByteBuf readyBuffer;
    private int readyBytes;
    private boolean inReadLoop;
    /**
     * The connection is idle: the next wait is an AFD poll for RECEIVE (the readiness way, no buffer) instead of a
     * buffered WSARecv. Set when the sweep cancelled a buffered read, or one waited across a sweep, or the last
     * poll wait lasted an interval or more.
     */
    private boolean idle;
    /** The AFD poll waits for data in place of a WSARecv (READ interest set). */
    private boolean waitingForReadiness;
    /** When that wait began (System.nanoTime: idle connections only), and the loop's idle interval. */
    private long waitingSince;
    private final long idleNanos;
    /** What the last pending write failed with: thrown by the next doWrite (Netty's write-error path). */
    private IOException writeFailure;
    private final Runnable readAtOnceTask = this::readAtOnce;
    /** What a pending write keeps alive; made at the first write that pends, then reused. */
    private PinnedBuffers pins;

    CompletionModeStream(AbstractWinloopStreamChannel channel, AbstractWinloopStreamChannel.WinloopStreamUnsafe unsafe,
                         PortBinding binding, CompletionLoop loop) throws IOException {
        this.channel = channel;
        this.unsafe = unsafe;
        this.stream = new OverlappedStream(channel.socket, binding, loop, this);
        this.idleNanos = loop.idleReads().intervalNanos();
    }

    /** True while a read is posted or its bytes wait for their task: nothing else may read the socket then. */
    boolean isReading() {
        return stream.isReading() || readyAtOnce;
    }

    boolean isWaitingForReadiness() {
        return waitingForReadiness;
    }

    boolean isWriting() {
        return stream.isWriting();
    }

    /** Netty asks for a read ({@code doBeginRead}): post one unless one is in flight or a loop is running. */
    void beginRead() {
        if (waitingForReadiness) {
            channel.setFlag(WinloopIoOps.READ); // the readiness loop clears it when reading stops (autoRead off)
        } else if (!isReading() && !inReadLoop) {
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
            long address = 0;
            if (!idle) {
                buf = handle.allocate(config.getAllocator());
                address = ByteBufAddress.of(buf, buf.writerIndex(), buf.writableBytes());
                if (address == 0) {
                    buf.release(); // heap memory moves: no overlapped read into it
                    buf = null;
                }
            }
            if (buf == null) {
                waitForReadiness();
                return;
            }
            int result = stream.read(address, buf.writableBytes(), buf);
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
        readLoop(buf, 0, readyBytes);
    }

    /**
     * An idle connection (or a heap allocator's) waits the readiness way: the AFD poll, armed for the FIN anyway,
     * asks for RECEIVE too; no buffer is pinned. Not a zero-byte WSARecv, libuv's and Kestrel's way: under both
     * Wines a thousand pending zero-byte reads lost every echo when data came (WinloopCompletionModeTest with
     * -Dwinloop.test.sweptConnections=1000), while a thousand AFD polls are what readiness mode runs on.
     */
    private void waitForReadiness() {
        if (!waitingForReadiness) {
            waitingForReadiness = true;
            waitingSince = System.nanoTime();
            channel.setFlag(WinloopIoOps.READ);
        }
    }

    /**
     * The AFD poll reported the socket readable (or the peer's FIN while nothing was read): read with the readiness
     * loop (nonblocking recv), unless a WSARecv is in flight, which brings what is queued itself.
     */
    void readReadyByPoll() {
        if (isReading() || inReadLoop) {
            return;
        }
        boolean wasWaiting = waitingForReadiness;
        if (wasWaiting) {
            // Data within an interval: the connection woke up, back to buffered reads; else it stays idle between
            // messages and keeps waiting the readiness way, which needs no cancel.
            idle = System.nanoTime() - waitingSince >= idleNanos;
        }
        inReadLoop = true;
        try {
            unsafe.readByRecv();
        } finally {
            inReadLoop = false;
        }
        if (wasWaiting && !idle && waitingForReadiness) {
            waitingForReadiness = false;
            channel.clearFlag(WinloopIoOps.READ);
        } else if (waitingForReadiness) {
            waitingSince = System.nanoTime();
        }
        postIfStillReading();
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
        // A read that waited across a sweep: this connection is idle between messages, wait by poll next.
        idle = stream.wasSeenBySweep();
        readLoop(buf, ntStatus, bytes);
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
                    break; // a heap buffer: the next loop waits by AFD poll
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
        if (!isReading() && !waitingForReadiness && channel.isOpen() && channel.isActive()
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
            if (pins == null) {
                pins = new PinnedBuffers();
            }
            stream.pinWrite(pins.pin(in, array.size()));
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
        PinnedBuffers pinned = stream.takeWritePins();
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
            if (pinned != null) {
                pinned.release();
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
