package io.winloop;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelMetadata;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultFileRegion;
import io.netty.channel.EventLoop;
import io.netty.channel.FileRegion;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.UncheckedBooleanSupplier;
import io.netty.util.internal.StringUtil;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import io.winloop.internal.iocp.CompletionLoop;
import io.winloop.internal.iocp.OverlappedStream;
import io.winloop.internal.overlapped.OverlappedIo;
import io.winloop.internal.overlapped.PortBinding;
import io.winloop.internal.win.ByteBufAddress;
import io.winloop.internal.win.WinSocket;
import io.winloop.internal.win.WsaBufArray;
import io.winloop.internal.zerocopy.FileRegionStats;
import io.winloop.internal.zerocopy.FileRegionTransmitter;
import io.winloop.internal.zerocopy.TransmitTarget;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NotYetConnectedException;

/**
 * A TCP stream on Winloop, mirroring Netty's {@code AbstractEpollStreamChannel}: the read loop with half-closure,
 * and the write loop with gathering writes (one {@code WSASend} over many buffers), write spinning and
 * flush-on-writability.
 */
abstract class AbstractWinloopStreamChannel extends AbstractWinloopChannel implements DuplexChannel {
    private static final ChannelMetadata METADATA = new ChannelMetadata(false, 16);
    private static final String EXPECTED_TYPES = " (expected: " + StringUtil.simpleClassName(ByteBuf.class) + ", "
            + StringUtil.simpleClassName(DefaultFileRegion.class) + ')';
    private static final InternalLogger logger = InternalLoggerFactory.getInstance(AbstractWinloopStreamChannel.class);
    /** Returned by the write helpers when the socket accepted nothing: the write spin ends. */
    private static final int WRITE_STATUS_SNDBUF_FULL = Integer.MAX_VALUE;
    /** Returned when a TransmitFile or a WSASend is in flight: doWrite stops; its completion flushes again. */
    private static final int WRITE_STATUS_IN_FLIGHT = Integer.MIN_VALUE;
    private static final int MAX_BYTES_PER_GATHERING_WRITE_ATTEMPTED_LOW_THRESHOLD = 4096;
    /**
     * At most this many read loops between two that follow up a full read (see WinloopStreamUnsafe). Each probe of
     * a request / response connection is a recv that finds nothing (1/16 of a call per round trip at 16: 3.07
     * calls instead of 3.01 at 100 connections), while a connection that turns into a stream pays one poll per
     * read instead of a follow-up recv until the next probe finds data (at most this many loops, each time it
     * changes from requests to a stream).
     */
    private static final int MAX_SKIP_INTERVAL = 128;

    private final Runnable flushTask = () -> ((AbstractWinloopUnsafe) unsafe()).flush0();
    private RegionCopyChannel byteChannel;
    /** Zero-copy FileRegions (TransmitFile); made at the first region. */
    private FileRegionTransmitter transmitter;
    /** The overlapped operations of the loop the channel is registered with (set at registration). */
    private volatile OverlappedIo overlappedIo;
    /** The socket's association with a completion port, shared by all its overlapped calls; made when needed. */
    private PortBinding portBinding;
    /** Reads and writes in completion mode (a loop in {@link WinloopIoMode#COMPLETION}); null in readiness. */
    private CompletionModeStream completion;

    // RDHUP from the start, so that the peer's FIN is seen even while the channel is not reading.
    AbstractWinloopStreamChannel(Channel parent, WinSocket socket, SocketAddress local, SocketAddress remote) {
        super(parent, socket, local, remote, WinloopIoOps.valueOf(WinloopIoOps.RDHUP));
    }

    AbstractWinloopStreamChannel(WinSocket socket, boolean active) {
        super(null, socket, active, WinloopIoOps.valueOf(WinloopIoOps.RDHUP));
    }

    @Override
    protected AbstractWinloopUnsafe newUnsafe() {
        return new WinloopStreamUnsafe();
    }

    @Override
    public ChannelMetadata metadata() {
        return METADATA;
    }

    /** The cap of one gathering write, adapted to what the socket accepts (see epoll). */
    abstract long maxBytesPerGatheringWrite();

    abstract void maxBytesPerGatheringWrite(long maxBytes);

    /** Raises the cap to at least {@code atLeast}; may leave it unread (see the socket channel's config). */
    abstract void raiseMaxBytesPerGatheringWrite(long atLeast);

    private void adjustMaxBytesPerGatheringWrite(long attempted, long written, long oldMaxBytesPerGatheringWrite) {
        // SO_SNDBUF is tracked when set explicitly; Windows also grows the send buffer dynamically, so follow
        // what the socket actually accepted.
        if (attempted == written) {
            if (attempted << 1 > oldMaxBytesPerGatheringWrite) {
                maxBytesPerGatheringWrite(attempted << 1);
            }
        } else if (attempted > MAX_BYTES_PER_GATHERING_WRITE_ATTEMPTED_LOW_THRESHOLD && written < attempted >>> 1) {
            maxBytesPerGatheringWrite(attempted >>> 1);
        }
    }

    /** Writes one buffer; returns 0 (nothing attempted), 1 (one call) or WRITE_STATUS_SNDBUF_FULL. */
    private int writeBytes(ChannelOutboundBuffer in, ByteBuf buf) throws Exception {
        int readableBytes = buf.readableBytes();
        if (readableBytes == 0) {
            in.remove();
            return 0;
        }
        // Without Unsafe, a direct buffer's address comes from its internal NIO buffer, which the buffer keeps (an
        // echo's write finds the one its read made): no ByteBuffer view per write, as nioBuffers() would allocate.
        long address = completion == null ? ByteBufAddress.of(buf, buf.readerIndex(), readableBytes) : 0;
        if (address != 0) {
            int written = socket.send(address, readableBytes);
            if (written > 0) {
                // A single write the socket took whole raises the cap (as NIO's doWrite does), so that a response's
                // head and a body above the first cap (SO_SNDBUF x 2; Wine reports Linux's 16 KiB, so 32 KiB) go in
                // one WSASend from the next response on, not a head-only WSASend and a send() of the body. Only
                // raises: NIO also halves it after a partial single write, which made bulk writes of 16 KiB chunks
                // under Wine (SocketConditionalWritabilityTest) several times slower here.
                if (written == readableBytes) {
                    raiseMaxBytesPerGatheringWrite((long) readableBytes << 1);
                }
                in.removeBytes(written);
                return 1;
            }
            return WRITE_STATUS_SNDBUF_FULL;
        }
        // A direct buffer without a single address (e.g. a composite of direct buffers), or any buffer in completion
        // mode (its WSASend takes a WSABUF array): gather its components.
        WsaBufArray array = cleanWsaBufArray();
        array.add(buf);
        if (array.count() == 0) {
            throw new IOException("cannot send a buffer without native memory: " + buf);
        }
        return writeBytesMultiple(in, array);
    }

    private WsaBufArray cleanWsaBufArray() {
        WsaBufArray array = registration().attachment();
        array.clear();
        array.maxBytes(maxBytesPerGatheringWrite());
        return array;
    }

    private int writeBytesMultiple(ChannelOutboundBuffer in, WsaBufArray array) throws Exception {
        final long expected = array.size();
        final long written;
        if (completion != null) {
            written = completion.write(in, array);
            if (written == OverlappedStream.PENDING) {
                return WRITE_STATUS_IN_FLIGHT;
            }
        } else {
            written = socket.sendv(array.memoryAddress(), array.count());
        }
        if (written > 0) {
            adjustMaxBytesPerGatheringWrite(expected, written, array.maxBytes());
            in.removeBytes(written);
            return 1;
        }
        return WRITE_STATUS_SNDBUF_FULL;
    }

    private int writeFileRegion(ChannelOutboundBuffer in, FileRegion region) throws Exception {
        if (region.transferred() >= region.count()) {
            in.remove();
            return 0;
        }
        if (transmitter == null) {
            transmitter = new FileRegionTransmitter(new TransmitTargetImpl(), socket, portBinding());
        }
        if (transmitter.write(region, overlappedIo) == FileRegionTransmitter.IN_FLIGHT) {
            return WRITE_STATUS_IN_FLIGHT;
        }
        // The copying path (FileRegionTransmitter logged why the region cannot go zero-copy).
        if (region.transferred() == 0) {
            FileRegionStats.copiedRegion();
        }
        if (byteChannel == null) {
            byteChannel = new RegionCopyChannel(socket, alloc());
        }
        final long flushedAmount = region.transferTo(byteChannel, region.transferred());
        if (flushedAmount > 0) {
            in.progress(flushedAmount);
            if (region.transferred() >= region.count()) {
                in.remove();
            }
            return 1;
        }
        return WRITE_STATUS_SNDBUF_FULL;
    }

    private PortBinding portBinding() {
        if (portBinding == null) {
            portBinding = new PortBinding(socket.handle());
        }
        return portBinding;
    }

    @Override
    boolean isWriteInFlight() {
        return completion != null && completion.isWriting();
    }

    @Override
    protected void doWrite(ChannelOutboundBuffer in) throws Exception {
        if (completion != null) {
            completion.checkWriteFailure();
        }
        int writeSpinCount = config().getWriteSpinCount();
        do {
            final int msgCount = in.size();
            if (msgCount == 0) {
                clearFlag(WinloopIoOps.WRITE);
                return;
            }
            int status = msgCount > 1 && in.current() instanceof ByteBuf ? doWriteMultiple(in) : doWriteSingle(in);
            if (status == WRITE_STATUS_IN_FLIGHT) {
                clearFlag(WinloopIoOps.WRITE);
                return;
            }
            writeSpinCount -= status;
            // Keep looping even when the buffer was drained: a listener may have written and flushed again.
        } while (writeSpinCount > 0);

        if (writeSpinCount == 0) {
            // The quantum is used up but the socket is still writable as far as we know: try again later,
            // without waiting for writability.
            clearFlag(WinloopIoOps.WRITE);
            eventLoop().execute(flushTask);
        } else {
            // The socket accepted nothing: wait until AFD reports send space.
            setFlag(WinloopIoOps.WRITE);
        }
    }

    protected int doWriteSingle(ChannelOutboundBuffer in) throws Exception {
        Object msg = in.current();
        if (msg instanceof ByteBuf) {
            return writeBytes(in, (ByteBuf) msg);
        } else if (msg instanceof FileRegion) {
            return writeFileRegion(in, (FileRegion) msg);
        }
        throw new Error("Unexpected message type: " + StringUtil.className(msg));
    }

    private int doWriteMultiple(ChannelOutboundBuffer in) throws Exception {
        WsaBufArray array = cleanWsaBufArray();
        in.forEachFlushedMessage(array);
        if (array.count() >= 1) {
            return writeBytesMultiple(in, array);
        }
        // Only empty buffers were flushed.
        in.removeBytes(0);
        return 0;
    }

    @Override
    protected Object filterOutboundMessage(Object msg) {
        if (msg instanceof ByteBuf) {
            ByteBuf buf = (ByteBuf) msg;
            return isBufferCopyNeededForWrite(buf) ? newDirectBuffer(buf) : buf;
        }
        if (msg instanceof FileRegion) {
            return msg;
        }
        throw new UnsupportedOperationException(
                "unsupported message type: " + StringUtil.simpleClassName(msg) + EXPECTED_TYPES);
    }

    @Override
    protected final void doShutdownOutput() throws Exception {
        socket.shutdown(false, true);
    }

    /**
     * Netty's shutdownInput() means "read no more", as SHUT_RD on Linux. Winsock's SD_RECEIVE means more: "if
     * there is still data queued on the socket waiting to be received, or data arrives subsequently, the
     * connection is reset" (shutdown() documentation), which would abort the peer's half of a half-closed
     * conversation. So the input is only marked shut down: nothing more is read (the next read sees end of stream,
     * as after SHUT_RD), and what the peer still sends waits unread until close. Once end of stream was read, no
     * data can follow, and the read loop's own shutdown (AbstractWinloopChannel) uses SD_RECEIVE.
     */
    private void shutdownInput0(final ChannelPromise promise) {
        try {
            if (!isActive()) {
                // As shutdown(SD_RECEIVE) would answer (WSAENOTCONN), and NIO and epoll do.
                throw isOpen() ? new NotYetConnectedException() : new ClosedChannelException();
            }
            socket.stopReceiving();
            promise.setSuccess();
        } catch (Throwable cause) {
            promise.setFailure(cause);
        }
    }

    // A closed (or never connected) channel counts as shut down, as NIO's does.
    @Override
    public boolean isOutputShutdown() {
        return socket.isOutputShutdown() || !isActive();
    }

    @Override
    public boolean isInputShutdown() {
        return socket.isInputShutdown() || !isActive();
    }

    @Override
    public boolean isShutdown() {
        return socket.isShutdown() || !isActive();
    }

    @Override
    public ChannelFuture shutdownOutput() {
        return shutdownOutput(newPromise());
    }

    @Override
    public ChannelFuture shutdownOutput(final ChannelPromise promise) {
        EventLoop loop = eventLoop();
        if (loop.inEventLoop()) {
            ((AbstractUnsafe) unsafe()).shutdownOutput(promise);
        } else {
            loop.execute(() -> ((AbstractUnsafe) unsafe()).shutdownOutput(promise));
        }
        return promise;
    }

    @Override
    public ChannelFuture shutdownInput() {
        return shutdownInput(newPromise());
    }

    @Override
    public ChannelFuture shutdownInput(final ChannelPromise promise) {
        // Never through prepareToClose(): that is for closesocket, which SO_LINGER can make block; a shutdown never
        // blocks, and the channel stays open and registered.
        EventLoop loop = eventLoop();
        if (loop.inEventLoop()) {
            shutdownInput0(promise);
        } else {
            loop.execute(() -> shutdownInput0(promise));
        }
        return promise;
    }

    @Override
    public ChannelFuture shutdown() {
        return shutdown(newPromise());
    }

    @Override
    public ChannelFuture shutdown(final ChannelPromise promise) {
        ChannelFuture shutdownOutputFuture = shutdownOutput();
        if (shutdownOutputFuture.isDone()) {
            shutdownOutputDone(shutdownOutputFuture, promise);
        } else {
            shutdownOutputFuture.addListener((ChannelFutureListener) f -> shutdownOutputDone(f, promise));
        }
        return promise;
    }

    private void shutdownOutputDone(final ChannelFuture shutdownOutputFuture, final ChannelPromise promise) {
        ChannelFuture shutdownInputFuture = shutdownInput();
        if (shutdownInputFuture.isDone()) {
            shutdownDone(shutdownOutputFuture, shutdownInputFuture, promise);
        } else {
            shutdownInputFuture.addListener(
                    (ChannelFutureListener) f -> shutdownDone(shutdownOutputFuture, f, promise));
        }
    }

    private static void shutdownDone(ChannelFuture shutdownOutputFuture, ChannelFuture shutdownInputFuture,
                                     ChannelPromise promise) {
        Throwable shutdownOutputCause = shutdownOutputFuture.cause();
        Throwable shutdownInputCause = shutdownInputFuture.cause();
        if (shutdownOutputCause != null) {
            if (shutdownInputCause != null) {
                logger.debug("Exception suppressed because a previous exception occurred.", shutdownInputCause);
            }
            promise.setFailure(shutdownOutputCause);
        } else if (shutdownInputCause != null) {
            promise.setFailure(shutdownInputCause);
        } else {
            promise.setSuccess();
        }
    }

    @Override
    protected void doBeginRead() throws Exception {
        if (completion != null && isActive()) {
            ((AbstractWinloopUnsafe) unsafe()).readPending = true;
            completion.beginRead();
            return;
        }
        super.doBeginRead();
    }

    /** True when the channel reads and writes with overlapped calls (a loop in completion mode). */
    final boolean isCompletionMode() {
        return completion != null;
    }

    /** Tests: completion mode waits for this idle connection with an AFD poll (no buffer pinned). */
    final boolean isWaitingForReadiness() {
        return completion != null && completion.isWaitingForReadiness();
    }

    /** Gives the completion-mode calls up (on the loop thread, before closesocket or a deregistration). */
    final void closeCompletionMode() {
        CompletionModeStream stream = completion;
        if (stream != null) {
            completion = null;
            stream.close();
        }
    }

    @Override
    protected void doDeregister() throws Exception {
        if (completion != null && eventLoop().inEventLoop()) {
            closeCompletionMode();
        }
        super.doDeregister();
    }

    class WinloopStreamUnsafe extends AbstractWinloopUnsafe {
        @Override
        public void overlappedIo(OverlappedIo io) {
            overlappedIo = io;
        }

        @Override
        public void completionMode(CompletionLoop loop) {
            closeCompletionMode();
            try {
                completion = new CompletionModeStream(AbstractWinloopStreamChannel.this, this, portBinding(), loop);
            } catch (IOException | IllegalStateException e) {
                // The socket stays associated with the port of the loop it came from (Wine cannot move it; a call
                // cancelled there may still be in flight): this channel goes on in readiness mode, which needs no
                // association, as its FileRegions go on by copying (FileRegionTransmitter).
                logger.debug("{} stays in readiness mode on its new event loop: {}", AbstractWinloopStreamChannel.this,
                        e.getMessage());
            }
        }

        /** A pending write completed: flush what is left (or throw what it failed with, from doWrite). */
        final void flushAfterCompletion() {
            flush0();
        }

        /**
         * Whether to follow a read that filled its buffer with another recv. Under readiness a full read cannot
         * tell whether more is queued; NIO and epoll find out with one more read, which a request whose size is
         * the buffer's (a 64 KiB message in Netty's largest read buffer) pays on every message for nothing. AFD's
         * poll reports data still queued at once, so stopping after a full read loses nothing but a poll and a
         * share of a wait when more was queued. So: follow up (as NIO does) until a follow-up finds nothing, then
         * stop after full reads, probing with a follow-up every {@code skipInterval}-th read loop (doubling up to
         * {@value #MAX_SKIP_INTERVAL} while probes find nothing; a probe that finds data means a stream: follow up
         * again). 0: always follow up. Two empty follow-ups in a row are needed to start skipping, so that a
         * stream whose reader once caught up with its writer keeps NIO's behaviour.
         */
        private int skipInterval;
        private int loopsSinceProbe;
        private int emptyFollowUps;
        private boolean followUpFullReads = true;
        private final UncheckedBooleanSupplier maybeMoreData = () -> followUpFullReads
                && recvBufAllocHandle().lastBytesRead() == recvBufAllocHandle().attemptedBytesRead();

        void handleReadException(ChannelPipeline pipeline, ByteBuf byteBuf, Throwable cause,
                                         boolean allDataRead, RecvByteBufAllocator.Handle allocHandle) {
            if (byteBuf != null) {
                if (byteBuf.isReadable()) {
                    readPending = false;
                    pipeline.fireChannelRead(byteBuf);
                } else {
                    byteBuf.release();
                }
            }
            allocHandle.readComplete();
            pipeline.fireChannelReadComplete();
            pipeline.fireExceptionCaught(cause);
            // Out of memory or an I/O error ends reading for good (netty#10434).
            if (allDataRead || cause instanceof OutOfMemoryError || cause instanceof IOException) {
                shutdownInput(true);
            }
        }

        @Override
        void readReady() {
            if (completion != null) {
                completion.readReadyByPoll(); // completion mode: recv only when no WSARecv is in flight
                return;
            }
            readReady(false);
        }

        /** The readiness read loop (nonblocking recv), for completion mode's waits by poll. */
        final void readByRecv() {
            readReady(false);
        }

        /**
         * A read no readiness asked for (an accepted connection's first, see WinloopSocketChannel): when it finds
         * nothing queued it fires nothing either, so no channelReadComplete follows a read that never happened.
         */
        final void readIfQueued() {
            readReady(true);
        }

        private void readReady(boolean quietIfEmpty) {
            final ChannelConfig config = config();
            if (shouldBreakReadReady(config)) {
                clearReadFlag0();
                return;
            }
            final RecvByteBufAllocator.Handle allocHandle = recvBufAllocHandle();
            final ChannelPipeline pipeline = pipeline();
            final ByteBufAllocator allocator = config.getAllocator();
            allocHandle.reset(config);

            ByteBuf byteBuf = null;
            boolean allDataRead = false;
            // Once the peer's FIN is queued, read to the end (as epoll's RDHUP read does): nothing more can come.
            followUpFullReads = skipInterval == 0 || peerClosedReported || ++loopsSinceProbe >= skipInterval;
            if (followUpFullReads) {
                loopsSinceProbe = 0;
            }
            boolean lastReadWasFull = false;
            int followUps = 0; // follow-ups of a full read: +1 when one found nothing, forced to -1 by one with data
            boolean readAny = false;
            try {
                do {
                    byteBuf = allocHandle.allocate(allocator);
                    allocHandle.lastBytesRead(doReadBytes(byteBuf));
                    if (lastReadWasFull && followUps >= 0) {
                        int n = allocHandle.lastBytesRead();
                        followUps = n > 0 ? -1 : n == 0 ? followUps + 1 : followUps;
                    }
                    lastReadWasFull = allocHandle.lastBytesRead() == allocHandle.attemptedBytesRead();
                    if (allocHandle.lastBytesRead() <= 0) {
                        byteBuf.release();
                        byteBuf = null;
                        allDataRead = allocHandle.lastBytesRead() < 0;
                        if (allDataRead) {
                            readPending = false;
                        } else if (quietIfEmpty && !readAny) {
                            return; // nothing queued: the poll armed by doBeginRead waits as always
                        }
                        break;
                    }
                    readAny = true;
                    allocHandle.incMessagesRead(1);
                    readPending = false;
                    pipeline.fireChannelRead(byteBuf);
                    byteBuf = null;
                    if (shouldBreakReadReady(config)) {
                        // The input was shut down or the channel closed from channelRead: never read a SOCKET
                        // value that may already belong to another socket.
                        break;
                    }
                } while (allocHandle instanceof RecvByteBufAllocator.ExtendedHandle
                        ? ((RecvByteBufAllocator.ExtendedHandle) allocHandle).continueReading(maybeMoreData)
                        : allocHandle.continueReading());
                if (followUps < 0) {
                    skipInterval = 0; // a stream: a full read is followed by more
                    emptyFollowUps = 0;
                } else if (followUps > 0 && ++emptyFollowUps >= 2) {
                    // Two loops in a row whose follow-up found nothing: requests of the buffer's size.
                    skipInterval = Math.min(MAX_SKIP_INTERVAL, Math.max(2, skipInterval * 2));
                }

                allocHandle.readComplete();
                pipeline.fireChannelReadComplete();

                if (allDataRead) {
                    shutdownInput(true);
                }
            } catch (Throwable t) {
                handleReadException(pipeline, byteBuf, t, allDataRead, allocHandle);
            } finally {
                if (shouldStopReading(config)) {
                    clearReadFlag();
                }
            }
        }
    }

    @Override
    protected void doClose() throws Exception {
        try {
            if (transmitter != null) {
                transmitter.cancel(); // before closesocket: see FileRegionTransmitter.cancel()
            }
            if (completion != null && eventLoop().inEventLoop()) {
                closeCompletionMode(); // off the loop (SO_LINGER), prepareToClose did it
            }
            if (isActive()) {
                socket.shutdownOutputBeforeClose();
            }
            super.doClose();
        } finally {
            if (byteChannel != null) {
                byteChannel.releaseBounce();
            }
        }
    }

    /** The channel as {@link FileRegionTransmitter} sees it: the four things it needs, not the channel's unsafe. */
    private final class TransmitTargetImpl implements TransmitTarget {
        @Override
        public EventLoop eventLoop() {
            return AbstractWinloopStreamChannel.this.eventLoop();
        }

        @Override
        public String transmitFileCopyReason() {
            return TransmitFilePolicy.copyReason(transmitFileMode());
        }

        @Override
        public String transmitFileReason() {
            return TransmitFilePolicy.transmitReason(transmitFileMode());
        }

        /** Its TRANSMIT_FILE option, or the process default. */
        private TransmitFileMode transmitFileMode() {
            ChannelConfig config = config();
            return config instanceof WinloopSocketChannelConfig
                    ? ((WinloopSocketChannelConfig) config).getTransmitFileMode() : TransmitFilePolicy.defaultMode();
        }

        @Override
        public ChannelOutboundBuffer outboundBuffer() {
            return unsafe().outboundBuffer();
        }

        @Override
        public void flushAgain() {
            ((AbstractWinloopUnsafe) unsafe()).flush0();
        }
    }
}
