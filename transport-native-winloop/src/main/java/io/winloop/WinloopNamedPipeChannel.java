package io.winloop;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.FileRegion;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.concurrent.Future;
import io.netty.util.internal.StringUtil;
import io.winloop.internal.overlapped.OverlappedIo;
import io.winloop.internal.overlapped.PortBinding;
import io.winloop.internal.pipe.PipeConnection;
import io.winloop.internal.pipe.PipeConnector;
import io.winloop.internal.pipe.PipeErrors;
import io.winloop.internal.pipe.PipeNames;
import io.winloop.internal.win.ByteBufAddress;
import io.winloop.internal.win.Ntdll;
import io.winloop.internal.win.WinError;

import java.io.IOException;
import java.net.SocketAddress;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ConnectionPendingException;
import java.nio.channels.NotYetConnectedException;

/**
 * One end of a Windows named pipe in byte mode, as a Netty {@link DuplexChannel} (Netty's domain socket channel for
 * Windows): the client end made by connecting to a {@link NamedPipeAddress}, or the server end a
 * {@link WinloopNamedPipeServerChannel} accepted.
 *
 * <p>Reads and writes are overlapped {@code ReadFile} / {@code WriteFile} completing on the event loop's completion
 * port. At most one read is in flight, into a buffer of the {@link RecvByteBufAllocator}'s guess; each completed read
 * fires {@code channelRead} then {@code channelReadComplete}, and the next read is started only while auto-read is
 * on or {@code read()} was called. At most one write is in flight: a buffer with a native address is written in
 * place; several small flushed buffers (and file regions) are copied into one direct buffer of up to 64 KiB. A
 * pipe write completes whole, so the outbound buffer (and writability) shrinks as writes complete.
 *
 * <p>End of stream ({@code ERROR_BROKEN_PIPE}: the other end closed) closes the channel, or with
 * {@code ALLOW_HALF_CLOSURE} fires {@code ChannelInputShutdownEvent} and {@code ChannelInputShutdownReadComplete}
 * and leaves it open (writes then fail with {@code ERROR_NO_DATA}). A pipe has no half-close on the wire: the other
 * end cannot learn that this one stopped writing short of a close, so {@link #shutdownOutput()} fails with
 * {@link UnsupportedOperationException} rather than pretend. {@link #shutdownInput()} only stops reading.
 *
 * <p>A client whose server has every instance busy ({@code ERROR_PIPE_BUSY}) retries the open on the event loop
 * (the documented busy-retry, without {@code WaitNamedPipe}, which would block the loop) until the connect timeout.
 * The client opens with {@code SECURITY_IDENTIFICATION}: the server may learn who connected but cannot impersonate
 * the client.
 *
 * <p>The pipe's handle and its calls in flight, their move between loops and the close that waits for them are
 * {@link PipeConnection}'s; this class gives their completions Netty's meaning.
 */
public final class WinloopNamedPipeChannel extends AbstractWinloopNamedPipeChannel implements DuplexChannel {
    private final WinloopNamedPipeChannelConfig config;
    private final PipeConnection connection;
    private volatile boolean inputShutdown;
    private volatile NamedPipeAddress remote;

    private boolean readPending;
    /** End of stream or a read error was seen: no read is started again (not even from channelReadComplete). */
    private boolean readEnded;
    /**
     * The read error (end of stream included) whose close waits for the write in flight to complete, or 0: see
     * {@link #readFailed}.
     */
    private int readEndAfterWrite;
    /**
     * A WriteFile was started and its outcome is not applied yet (also while a move carries it): no other write
     * starts, so that a flush from a promise listener cannot send entries a completion is still removing.
     */
    private boolean writeInFlight;
    /** The file region the write in flight came from, or null. */
    private FileRegion writeRegion;

    private ChannelPromise connectPromise;
    private PipeConnector connector;

    /** A client channel: connect it to a {@link NamedPipeAddress}. */
    public WinloopNamedPipeChannel() {
        super(null);
        config = new WinloopNamedPipeChannelConfig(this);
        connection = new PipeConnection((ClientUnsafe) unsafe());
    }

    /**
     * An accepted server end. Its handle is associated with no port yet (thread-based accept) or with the server
     * loop's (port-based accept): the loop it is registered with associates it with its own, moving it if needed and
     * possible (WinloopIoHandler.register, PortBinding).
     */
    WinloopNamedPipeChannel(WinloopNamedPipeServerChannel parent, PortBinding accepted, NamedPipeAddress address) {
        super(parent);
        config = new WinloopNamedPipeChannelConfig(this);
        connection = new PipeConnection((ClientUnsafe) unsafe(), accepted);
        this.active = true;
        this.local = address;
        this.remote = address;
    }

    @Override
    public WinloopNamedPipeChannelConfig config() {
        return config;
    }

    @Override
    public boolean isOpen() {
        return connection.isOpen();
    }

    @Override
    public WinloopNamedPipeServerChannel parent() {
        return (WinloopNamedPipeServerChannel) super.parent();
    }

    @Override
    public NamedPipeAddress remoteAddress() {
        return (NamedPipeAddress) super.remoteAddress();
    }

    @Override
    protected SocketAddress remoteAddress0() {
        return remote;
    }

    @Override
    protected PipeUnsafe newUnsafe() {
        return new ClientUnsafe();
    }

    @Override
    protected void doRegister(ChannelPromise promise) {
        Future<Void> move = connection.unfinishedMove();
        if (move != null) {
            // The previous loop has not seen the last completion of the move yet: register once it has.
            move.addListener(f -> eventLoop().execute(() -> doRegister(promise)));
            return;
        }
        if (!isOpen()) {
            promise.setFailure(new ClosedChannelException()); // closed while the move drained
            return;
        }
        super.doRegister(promise);
    }

    /**
     * The write in flight at a move is applied as if it completed now, which continues the flush; without one, what
     * was flushed while the channel was off its loop is written now. Then the idle watch, if not reading.
     */
    @Override
    void registered() {
        if (!connection.resumeCarriedWrite() && active) {
            ((ClientUnsafe) unsafe()).flushAfterWrite();
        }
        watchIfIdle();
    }

    @Override
    protected void doDeregister() throws Exception {
        connection.deregistered();
        super.doDeregister();
    }

    /** Delivers the bytes a read got before the move, as one read batch, then reads on as asked. */
    private void deliverCarriedRead() {
        ByteBuf buf = connection.takeCarriedRead();
        if (!isOpen() || inputShutdown) {
            buf.release();
            return;
        }
        RecvByteBufAllocator.Handle allocHandle = unsafe().recvBufAllocHandle();
        allocHandle.reset(config);
        allocHandle.lastBytesRead(buf.readableBytes());
        allocHandle.incMessagesRead(1);
        readPending = false;
        pipeline().fireChannelRead(buf);
        allocHandle.readComplete();
        pipeline().fireChannelReadComplete();
        readOnOrWatch();
    }

    @Override
    protected void doBind(SocketAddress localAddress) {
        throw new UnsupportedOperationException("a named pipe client has no local address to bind; bind a "
                + StringUtil.simpleClassName(WinloopNamedPipeServerChannel.class) + " instead");
    }

    @Override
    protected void doDisconnect() throws Exception {
        doClose();
    }

    @Override
    protected void doClose() throws Exception {
        active = false;
        connection.close(); // first, so that the connect promise's listeners see the channel closed
        ChannelPromise promise = connectPromise;
        if (promise != null) {
            promise.tryFailure(new ClosedChannelException());
            connectPromise = null;
        }
        if (connector != null) {
            connector.cancel();
            connector = null;
        }
    }

    @Override
    protected void doBeginRead() {
        readPending = true;
        if (connection.hasCarriedRead()) {
            deliverCarriedRead();
            return;
        }
        if (!connection.isReading() && !readEnded && active && !inputShutdown && isRegistered()) {
            startRead(true);
        }
    }

    /** Starts a ReadFile: the first of a read batch ({@code newBatch}), or the next one within it. */
    private void startRead(boolean newBatch) {
        RecvByteBufAllocator.Handle allocHandle = unsafe().recvBufAllocHandle();
        if (newBatch) {
            allocHandle.reset(config);
        }
        ByteBuf buf = allocHandle.allocate(config.getAllocator());
        if (ByteBufAddress.of(buf, buf.writerIndex(), buf.writableBytes()) == 0) {
            // A heap allocator: the kernel needs memory that does not move.
            int capacity = buf.writableBytes();
            buf.release();
            buf = alloc().directBuffer(capacity);
        }
        allocHandle.attemptedBytesRead(buf.writableBytes());
        int error;
        try {
            error = connection.read(buf);
        } catch (IOException e) {
            pipeline().fireExceptionCaught(e);
            unsafe().close(unsafe().voidPromise());
            return;
        }
        if (error != 0) {
            readFailed(error);
        }
    }

    /**
     * While the channel is not reading (auto-read off, no read() asked), the zero-byte watch stays pending
     * ({@link PipeConnection#watch()}), so that it learns its peer is gone.
     */
    private void watchIfIdle() {
        if (!isOpen() || !active || inputShutdown || readEnded || connection.isReading()
                || !connection.hasOperations()) {
            return;
        }
        int error = connection.watch();
        if (error != 0 && PipeErrors.isEndOfStream(error)) {
            readFailed(error);
        }
    }

    /** After a read batch: the next batch when asked for (auto-read or read()), else the idle watch. */
    private void readOnOrWatch() {
        if (isOpen() && active && !inputShutdown && !readEnded && !connection.isReading()
                && (readPending || config.isAutoRead())) {
            startRead(true);
        } else {
            watchIfIdle();
        }
    }

    private void readFailed(int error) {
        if (error == WinError.ERROR_OPERATION_ABORTED && (!isOpen() || inputShutdown)) {
            return; // our own cancel
        }
        readEnded = true;
        RecvByteBufAllocator.Handle allocHandle = unsafe().recvBufAllocHandle();
        readPending = false;
        allocHandle.lastBytesRead(-1);
        allocHandle.readComplete();
        pipeline().fireChannelReadComplete();
        if (writeInFlight && !(PipeErrors.isEndOfStream(error) && config.isAllowHalfClosure())) {
            // A write is in flight and this would close the channel, failing the write's messages. The system may
            // have completed that write already: Windows does not order the packets of one dequeued batch, so the
            // peer's close can arrive before the success of a write it has read. The write's completion decides
            // first (writeCompleted), then the channel ends.
            readEndAfterWrite = error;
            return;
        }
        readEnded(error);
    }

    private void readEnded(int error) {
        if (PipeErrors.isEndOfStream(error)) {
            endOfStream();
        } else {
            pipeline().fireExceptionCaught(PipeErrors.newException("ReadFile(" + remote + ")", error));
            unsafe().close(unsafe().voidPromise());
        }
    }

    private void endOfStream() {
        if (config.isAllowHalfClosure()) {
            if (!inputShutdown) {
                inputShutdown = true;
                pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
                pipeline().fireUserEventTriggered(ChannelInputShutdownReadComplete.INSTANCE);
            }
        } else {
            unsafe().close(unsafe().voidPromise());
        }
    }

    @Override
    protected Object filterOutboundMessage(Object msg) {
        if (msg instanceof ByteBuf) {
            ByteBuf buf = (ByteBuf) msg;
            if (ByteBufAddress.of(buf, buf.readerIndex(), buf.readableBytes()) != 0 || !buf.isReadable()) {
                return buf;
            }
            return DirectBuffers.copyOf(alloc(), buf, buf); // heap (or a composite): one direct copy
        }
        if (msg instanceof FileRegion) {
            return msg;
        }
        throw new UnsupportedOperationException("unsupported message type: " + StringUtil.simpleClassName(msg)
                + " (expected: ByteBuf, FileRegion)");
    }

    @Override
    protected void doWrite(ChannelOutboundBuffer in) throws Exception {
        if (writeInFlight) {
            return; // writeCompleted continues the flush
        }
        if (!isRegistered()) {
            return; // off its loop: the next registration continues the flush (registered())
        }
        for (;;) {
            Object msg = in.current();
            if (msg == null) {
                return;
            }
            if (msg instanceof ByteBuf) {
                ByteBuf buf = (ByteBuf) msg;
                int readable = buf.readableBytes();
                if (readable == 0) {
                    in.remove();
                    continue;
                }
                if (readable < PipeWriteStaging.GATHER_BELOW && in.size() > 1) {
                    startWrite(PipeWriteStaging.gather(in, alloc()), null);
                } else {
                    startWrite(buf.retainedSlice(buf.readerIndex(), Math.min(readable, Integer.MAX_VALUE)), null);
                }
                return;
            }
            FileRegion region = (FileRegion) msg;
            if (region.transferred() >= region.count()) {
                in.remove();
                continue;
            }
            startWrite(PipeWriteStaging.copyOf(region, alloc()), region);
            return;
        }
    }

    private void startWrite(ByteBuf data, FileRegion region) throws IOException {
        int error = connection.write(data);
        if (error != 0) {
            throw PipeErrors.newException("WriteFile(" + remote + ")", error);
        }
        writeInFlight = true;
        writeRegion = region;
    }

    // A closed (or never connected) channel counts as shut down, as NIO's does.
    @Override
    public boolean isInputShutdown() {
        return inputShutdown || !active;
    }

    /** Always false while active: a pipe's output cannot be shut down alone (see {@link #shutdownOutput()}). */
    @Override
    public boolean isOutputShutdown() {
        return !active;
    }

    @Override
    public boolean isShutdown() {
        return !active;
    }

    @Override
    public ChannelFuture shutdownInput() {
        return shutdownInput(newPromise());
    }

    /** Stops reading (a read in flight is cancelled); the other end is not told, as a pipe cannot tell it. */
    @Override
    public ChannelFuture shutdownInput(ChannelPromise promise) {
        EventLoop loop = eventLoop();
        if (loop.inEventLoop()) {
            shutdownInput0(promise);
        } else {
            loop.execute(() -> shutdownInput0(promise));
        }
        return promise;
    }

    private void shutdownInput0(ChannelPromise promise) {
        if (!active) {
            promise.setFailure(isOpen() ? new NotYetConnectedException() : new ClosedChannelException());
            return;
        }
        inputShutdown = true;
        connection.cancelRead(); // its completion (STATUS_CANCELLED) releases the buffer
        promise.setSuccess();
    }

    @Override
    public ChannelFuture shutdownOutput() {
        return shutdownOutput(newPromise());
    }

    /**
     * Fails: a named pipe has no half-close. The other end learns that this one is done only when it is closed, and
     * closing ends both directions; faking it (reporting success while the other end still waits) would hang
     * protocols that wait for end of stream. Close the channel instead, or frame the end in the protocol.
     */
    @Override
    public ChannelFuture shutdownOutput(ChannelPromise promise) {
        promise.setFailure(new UnsupportedOperationException("a named pipe cannot shut down its output alone "
                + "(no half-close on a pipe: the other end sees end of stream only when this end closes)"));
        return promise;
    }

    @Override
    public ChannelFuture shutdown() {
        return shutdown(newPromise());
    }

    @Override
    public ChannelFuture shutdown(ChannelPromise promise) {
        return shutdownOutput(promise);
    }

    /** Also the connection's listener: its completions, on the loop thread of an open channel. */
    private final class ClientUnsafe extends PipeUnsafe implements PipeConnection.Listener {
        @Override
        public void watchCompleted(int status) {
            if (inputShutdown) {
                return;
            }
            if (status == Ntdll.STATUS_SUCCESS) {
                // Data arrived: read it if asked to meanwhile, else leave it in the pipe until read().
                if (readPending || config.isAutoRead()) {
                    startRead(true);
                }
                return;
            }
            int error = PipeErrors.errorOfStatus(status);
            if (error == WinError.ERROR_OPERATION_ABORTED) {
                watchIfIdle();
                return;
            }
            readFailed(error);
        }

        @Override
        public void readCompleted(ByteBuf buf, int status, int bytes) {
            if (inputShutdown) {
                buf.release();
                return;
            }
            if (status != Ntdll.STATUS_SUCCESS) {
                buf.release();
                readFailed(PipeErrors.errorOfStatus(status));
                return;
            }
            RecvByteBufAllocator.Handle allocHandle = unsafe().recvBufAllocHandle();
            ChannelPipeline pipeline = pipeline();
            if (bytes > 0) {
                buf.writerIndex(buf.writerIndex() + bytes);
                allocHandle.lastBytesRead(bytes);
                allocHandle.incMessagesRead(1);
                readPending = false;
                pipeline.fireChannelRead(buf);
            } else {
                buf.release();
                allocHandle.lastBytesRead(0);
            }
            // Netty's read loop: more reads in this batch while the allocator asks for them and bytes are waiting. A
            // ReadFile starts within a batch only when PeekNamedPipe sees bytes (it then completes at once), so
            // channelReadComplete is never held back by a read that waits for the peer.
            if (bytes > 0 && isOpen() && active && !inputShutdown && !readEnded && !connection.isReading()
                    && allocHandle.continueReading() && connection.bytesAvailable() > 0) {
                startRead(false);
                return; // in flight: the batch goes on; failed at once: readFailed ended it
            }
            allocHandle.readComplete();
            pipeline.fireChannelReadComplete();
            readOnOrWatch();
        }

        @Override
        public void writeCompleted(int status, int bytes) {
            FileRegion region = writeRegion;
            writeRegion = null;
            ChannelOutboundBuffer in = unsafe().outboundBuffer();
            if (in == null) {
                writeInFlight = false;
                return;
            }
            // writeInFlight stays set while the outbound buffer is updated: a promise listener that writes and flushes
            // must not start a WriteFile from entries this completion is still removing (that would send them twice).
            if (status != Ntdll.STATUS_SUCCESS) {
                int error = PipeErrors.errorOfStatus(status);
                IOException cause = PipeErrors.newException("WriteFile(" + remote + ")", error);
                in.remove(cause);
                writeInFlight = false;
                if (error != WinError.ERROR_OPERATION_ABORTED) {
                    pipeline().fireExceptionCaught(cause);
                }
                unsafe().close(unsafe().voidPromise());
                return;
            }
            if (region != null) {
                in.progress(bytes);
                if (region.transferred() >= region.count()) {
                    in.remove();
                }
            } else {
                in.removeBytes(bytes);
            }
            writeInFlight = false;
            int readError = readEndAfterWrite;
            if (readError != 0) {
                readEndAfterWrite = 0;
                readEnded(readError); // the other end left: what is still queued fails with the close
                return;
            }
            ((ClientUnsafe) unsafe()).flushAfterWrite();
        }

        @Override
        public PortBinding portBinding() {
            return connection.binding(); // null for a client until it connects
        }

        @Override
        public void overlappedIo(OverlappedIo loopIo) {
            connection.registered(loopIo);
        }

        @Override
        protected void flush0() {
            if (!writeInFlight) {
                super.flush0();
            }
        }

        void flushAfterWrite() {
            super.flush0();
        }

        @Override
        public void connect(SocketAddress remoteAddress, SocketAddress localAddress, ChannelPromise promise) {
            if (!promise.setUncancellable() || !ensureOpen(promise)) {
                return;
            }
            try {
                if (connectPromise != null) {
                    throw new ConnectionPendingException();
                }
                if (active || connection.hasHandle()) {
                    throw new AlreadyConnectedException();
                }
                if (localAddress != null) {
                    throw new UnsupportedOperationException("a named pipe client has no local address: "
                            + localAddress);
                }
                NamedPipeAddress address = NamedPipeAddress.connectTarget(remoteAddress);
                // Through the unnormalized path (PipeNames), then checked: owned by someone the policy trusts.
                PipeConnector opening = new PipeConnector(eventLoop(), PipeNames.unnormalizedPath(address.name()),
                        address.toString(), config.getConnectTimeoutMillis(), promise,
                        new Opening(address, promise));
                if (opening.connect()) {
                    connected(promise, address);
                } else {
                    connectPromise = promise;
                    connector = opening;
                }
            } catch (Throwable t) {
                promise.tryFailure(t);
                closeIfClosed();
            }
        }

        private void connected(ChannelPromise promise, NamedPipeAddress address) {
            remote = address;
            local = address;
            active = true;
            boolean promiseSet = promise.trySuccess();
            pipeline().fireChannelActive();
            if (!promiseSet) {
                close(voidPromise());
            } else {
                watchIfIdle();
            }
        }

        /** A connect's client end: checked and taken when opened; the outcome of its busy retries. */
        private final class Opening implements PipeConnector.Listener {
            private final NamedPipeAddress address;
            private final ChannelPromise promise;

            Opening(NamedPipeAddress address, ChannelPromise promise) {
                this.address = address;
                this.promise = promise;
            }

            @Override
            public void opened(long pipe) throws IOException {
                config.getOwnerPolicy().checkOwner(pipe, address);
                connection.adopt(pipe);
            }

            @Override
            public void connected() {
                connectPromise = null;
                connector = null;
                ClientUnsafe.this.connected(promise, address);
            }

            @Override
            public void failed(Throwable cause) {
                connectPromise = null;
                promise.tryFailure(cause);
                close(voidPromise());
            }
        }
    }
}
