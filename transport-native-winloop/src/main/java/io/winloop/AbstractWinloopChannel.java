package io.winloop;

import io.netty.buffer.ByteBuf;
import io.netty.channel.AbstractChannel;
import io.netty.channel.Channel;
import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelMetadata;
import io.netty.channel.ChannelPromise;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.netty.channel.socket.SocketChannelConfig;
import io.netty.util.concurrent.Future;
import io.winloop.internal.win.ByteBufAddress;
import io.winloop.internal.win.SockAddr;
import io.winloop.internal.win.WinError;
import io.winloop.internal.win.WinSocket;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ConnectionPendingException;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.UnresolvedAddressException;
import java.util.concurrent.TimeUnit;

import static io.netty.util.internal.ObjectUtil.checkNotNull;

/**
 * The part all Winloop channels share, mirroring Netty's {@code AbstractEpollChannel}: the socket, the interest
 * ({@link WinloopIoOps}) submitted to the {@link WinloopIoHandler}, the nonblocking connect with its timeout, and
 * the read / write readiness dispatch.
 */
abstract class AbstractWinloopChannel extends AbstractChannel {
    private static final ChannelMetadata METADATA = new ChannelMetadata(false);

    final WinSocket socket;
    private final WinloopIoOps initial;
    /** The pending connect: while it is set, further connects fail. */
    private ChannelPromise connectPromise;
    private Future<?> connectTimeoutFuture;
    private SocketAddress requestedRemoteAddress;
    private volatile SocketAddress local;
    private volatile SocketAddress remote;

    private IoRegistration registration;
    boolean inputClosedSeenErrorOnRead;
    private WinloopIoOps ops;

    protected volatile boolean active;

    AbstractWinloopChannel(Channel parent, WinSocket socket, boolean active, WinloopIoOps initialOps) {
        super(parent);
        this.socket = checkNotNull(socket, "socket");
        this.active = active;
        if (active) {
            this.local = socket.localAddress();
            this.remote = socket.remoteAddress();
        }
        this.initial = initialOps;
        this.ops = initialOps;
    }

    /**
     * An accepted connection. {@code local} is its local address when the listener knows it (bound to one address,
     * so every connection it accepts has that address and port); null asks the socket (getsockname).
     */
    AbstractWinloopChannel(Channel parent, WinSocket socket, SocketAddress local, SocketAddress remote,
            WinloopIoOps initialOps) {
        super(parent);
        this.socket = checkNotNull(socket, "socket");
        this.active = true;
        this.remote = remote;
        this.local = local != null ? local : socket.localAddress();
        this.initial = initialOps;
        this.ops = initialOps;
    }

    void setFlag(int flag) {
        if (ops.contains(flag)) {
            return;
        }
        ops = ops.with(flag);
        if (isRegistered()) {
            registration().submit(ops);
        }
    }

    void clearFlag(int flag) {
        if (!ops.contains(flag)) {
            return;
        }
        ops = ops.without(flag);
        if (isRegistered()) {
            registration().submit(ops);
        }
    }

    boolean isFlagSet(int flag) {
        return ops.contains(flag);
    }

    /** True while an overlapped write is in flight (completion mode): nothing else may write then. */
    boolean isWriteInFlight() {
        return false;
    }

    final IoRegistration registration() {
        assert registration != null;
        return registration;
    }

    @Override
    public abstract ChannelConfig config();

    @Override
    public boolean isActive() {
        return active;
    }

    @Override
    public ChannelMetadata metadata() {
        return METADATA;
    }

    @Override
    public boolean isOpen() {
        return socket.isOpen();
    }

    @Override
    protected void doClose() throws Exception {
        active = false;
        // Even with half-closure allowed, give up reading: the socket may not even be connected.
        inputClosedSeenErrorOnRead = true;
        try {
            ChannelPromise promise = connectPromise;
            if (promise != null) {
                promise.tryFailure(new ClosedChannelException());
                connectPromise = null;
            }
            Future<?> future = connectTimeoutFuture;
            if (future != null) {
                future.cancel(false);
                connectTimeoutFuture = null;
            }
            if (isRegistered()) {
                // Deregister (cancelling the AFD poll) before closesocket: a SOCKET value can be reused at once.
                // doClose may run on GlobalEventExecutor when SO_LINGER is set, hence the hop to the loop.
                EventLoop loop = eventLoop();
                if (loop.inEventLoop()) {
                    doDeregister();
                } else {
                    loop.execute(() -> {
                        try {
                            doDeregister();
                        } catch (Throwable cause) {
                            pipeline().fireExceptionCaught(cause);
                        }
                    });
                }
            }
        } finally {
            socket.close();
        }
    }

    @Override
    protected void doDisconnect() throws Exception {
        doClose();
    }

    @Override
    protected void doDeregister() throws Exception {
        IoRegistration registration = this.registration;
        if (registration != null) {
            ops = initial;
            registration.cancel();
        }
    }

    @Override
    protected boolean isCompatible(EventLoop loop) {
        return loop instanceof IoEventLoop && ((IoEventLoop) loop).isCompatible(AbstractWinloopUnsafe.class);
    }

    @Override
    protected void doRegister(ChannelPromise promise) {
        ((IoEventLoop) eventLoop()).register((AbstractWinloopUnsafe) unsafe()).addListener(f -> {
            if (f.isSuccess()) {
                registration = (IoRegistration) f.getNow();
                if (isActive()) {
                    submitCurrentOps();
                }
                promise.setSuccess();
            } else {
                promise.setFailure(f.cause());
            }
        });
    }

    final void submitCurrentOps() {
        registration().submit(ops);
    }

    @Override
    protected void doBeginRead() throws Exception {
        AbstractWinloopUnsafe unsafe = (AbstractWinloopUnsafe) unsafe();
        unsafe.readPending = true;
        // Set the read interest even if it looks set: the last read loop may have ended without reading.
        setFlag(WinloopIoOps.READ);
    }

    final boolean shouldBreakReadReady(ChannelConfig config) {
        return socket.isInputShutdown() && (inputClosedSeenErrorOnRead || !isAllowHalfClosure(config));
    }

    static boolean isAllowHalfClosure(ChannelConfig config) {
        return config instanceof SocketChannelConfig && ((SocketChannelConfig) config).isAllowHalfClosure();
    }

    final void clearReadFlag() {
        if (isRegistered()) {
            EventLoop loop = eventLoop();
            AbstractWinloopUnsafe unsafe = (AbstractWinloopUnsafe) unsafe();
            if (loop.inEventLoop()) {
                unsafe.clearReadFlag0();
            } else {
                loop.execute(() -> {
                    if (!unsafe.readPending && !config().isAutoRead()) {
                        unsafe.clearReadFlag0();
                    }
                });
            }
        } else {
            ops = ops.without(WinloopIoOps.READ);
        }
    }

    @Override
    protected abstract AbstractWinloopUnsafe newUnsafe();

    /** An off-heap copy of {@code buf} (which is released): Winsock reads memory addresses only. */
    protected final ByteBuf newDirectBuffer(ByteBuf buf) {
        return newDirectBuffer(buf, buf);
    }

    /** An off-heap copy of {@code buf}; {@code holder} (which owns {@code buf}) is released. */
    protected final ByteBuf newDirectBuffer(Object holder, ByteBuf buf) {
        return DirectBuffers.copyOf(alloc(), holder, buf);
    }

    /** True when {@code buf} must be copied off-heap before Winsock can send it. */
    static boolean isBufferCopyNeededForWrite(ByteBuf buf) {
        return !buf.hasMemoryAddress() && (!buf.isDirect()
                || buf.nioBufferCount() > io.winloop.internal.win.WsaBufArray.MAX_BUFFERS);
    }

    /** Fails with an {@link UnresolvedAddressException} naming {@code addr} and what it was for ("bind to"...). */
    protected static void checkResolvable(InetSocketAddress addr, String action) {
        if (addr.isUnresolved()) {
            throw new UnresolvedSocketAddressException(action, addr);
        }
    }

    /**
     * Reads into {@code byteBuf}: the bytes read, 0 when the socket has nothing now, -1 at end of stream.
     */
    protected final int doReadBytes(ByteBuf byteBuf) throws Exception {
        if (socket.isInputShutdown()) {
            return -1; // shutdownInput(): end of stream, as a read after SHUT_RD returns on Linux
        }
        int writerIndex = byteBuf.writerIndex();
        int writable = byteBuf.writableBytes();
        unsafe().recvBufAllocHandle().attemptedBytesRead(writable);
        AbstractWinloopUnsafe unsafe = (AbstractWinloopUnsafe) unsafe();
        if (unsafe.endOfStreamReported && !unsafe.abortReported) {
            return -1; // what recv would say (0): AFD proved nothing is queued before the FIN
        }
        long address = ByteBufAddress.of(byteBuf, writerIndex, writable);
        int n = address != 0 ? socket.recv(address, writable) : readViaDirectCopy(byteBuf, writerIndex, writable);
        if (n > 0) {
            byteBuf.writerIndex(writerIndex + n);
            return n;
        }
        if (n == 0 && unsafe.abortReported) {
            // AFD reported the connection aborted (reset). Windows' recv then fails with WSAECONNRESET by itself;
            // Wine's returns end of stream instead (tools/probes/afd-states-probe.c), so report the reset here.
            IOException reset = WinError.newException("recv", WinError.WSAECONNRESET);
            reset.addSuppressed(new IOException("reported by AFD_POLL_ABORT; recv itself read end of stream"));
            throw reset;
        }
        return n == 0 ? -1 : 0;
    }

    /** Heap buffers: receive into a pooled direct buffer, then copy (Winsock needs a stable native address). */
    private int readViaDirectCopy(ByteBuf byteBuf, int writerIndex, int writable) throws IOException {
        ByteBuf direct = alloc().directBuffer(writable);
        try {
            int n = socket.recv(ByteBufAddress.of(direct, 0, writable), writable);
            if (n > 0) {
                byteBuf.setBytes(writerIndex, direct, 0, n);
            }
            return n;
        } finally {
            direct.release();
        }
    }

    protected abstract class AbstractWinloopUnsafe extends AbstractUnsafe implements WinloopIoHandle {
        boolean readPending;
        /** AFD reported AFD_POLL_ABORT: the connection was reset, so end of stream means the reset. */
        boolean abortReported;
        /** AFD reported AFD_POLL_DISCONNECT: the peer's FIN is queued, no byte can arrive after what is queued. */
        boolean peerClosedReported;
        /**
         * AFD reported the peer's FIN with nothing queued before it ({@link WinloopIoEvent#isEndOfStream()}): the
         * read loop takes end of stream without the recv that would only return 0 (one call per connection).
         */
        boolean endOfStreamReported;

        Channel channel() {
            return AbstractWinloopChannel.this;
        }

        @Override
        public long socket() {
            return socket.handle();
        }

        @Override
        public void close() {
            close(voidPromise());
        }

        @Override
        public void handle(IoRegistration registration, IoEvent event) {
            WinloopIoEvent winloopEvent = (WinloopIoEvent) event;
            if (winloopEvent.isAborted()) {
                abortReported = true;
            }
            if (winloopEvent.isPeerClosed()) {
                peerClosedReported = true;
            }
            if (winloopEvent.isEndOfStream()) {
                endOfStreamReported = true;
            }
            // Writable first: a pending connect must finish (or fail) before anything is read (netty#3785).
            if (winloopEvent.isWritable()) {
                writeReady(winloopEvent);
            }
            if (winloopEvent.isReadable() && isOpen()) {
                readReady();
            }
            // After the read: all data is read before the input is shut down (netty#4317).
            if (winloopEvent.isRdHup() && isOpen()) {
                rdHupReady();
            }
        }

        /**
         * The peer closed its side while the channel was not reading (or as well): read what is left, which ends
         * in end of stream and the half-closure events, then stop watching for it (epoll's epollRdHupReady).
         */
        final void rdHupReady() {
            if (isActive()) {
                readReady();
            } else {
                shutdownInput(false);
            }
            clearFlag(WinloopIoOps.RDHUP);
        }

        /** Called when the socket is readable (data, end of stream, pending connection, or an error to read). */
        abstract void readReady();

        final boolean shouldStopReading(ChannelConfig config) {
            // A read() from channelRead / channelReadComplete leaves readPending set (netty#2254).
            return !readPending && !config.isAutoRead();
        }

        /** Shuts the input down after end of stream (or a read error), honouring ALLOW_HALF_CLOSURE. */
        void shutdownInput(boolean allDataRead) {
            if (!socket.isInputShutdown()) {
                if (isAllowHalfClosure(config())) {
                    try {
                        socket.shutdown(true, false);
                    } catch (IOException ignored) {
                        // Already effectively shut down.
                        fireEventAndClose(ChannelInputShutdownEvent.INSTANCE);
                        return;
                    } catch (NotYetConnectedException ignore) {
                        // Already effectively shut down.
                    }
                    if (shouldStopReading(config())) {
                        clearReadFlag0();
                    }
                    pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
                } else {
                    close(voidPromise());
                    return;
                }
            }
            if (allDataRead && !inputClosedSeenErrorOnRead) {
                inputClosedSeenErrorOnRead = true;
                pipeline().fireUserEventTriggered(ChannelInputShutdownReadComplete.INSTANCE);
            }
        }

        private void fireEventAndClose(Object evt) {
            pipeline().fireUserEventTriggered(evt);
            close(voidPromise());
        }

        @Override
        protected final void flush0() {
            // With WRITE interest set, a flush is pending on writability: the loop will call forceFlush(). With a
            // write in flight (completion mode), its completion flushes again.
            if (!isFlagSet(WinloopIoOps.WRITE) && !isWriteInFlight()) {
                super.flush0();
            }
        }

        final void writeReady(WinloopIoEvent event) {
            if (connectPromise != null) {
                finishConnect(event);
            } else if (!socket.isOutputShutdown() && !isWriteInFlight()) {
                super.flush0();
            }
        }

        final void clearReadFlag0() {
            assert eventLoop().inEventLoop();
            readPending = false;
            clearFlag(WinloopIoOps.READ);
        }

        @Override
        public void connect(final SocketAddress remoteAddress, final SocketAddress localAddress,
                            final ChannelPromise promise) {
            if (promise.isDone() || !ensureOpen(promise)) {
                return;
            }
            try {
                if (connectPromise != null) {
                    throw new ConnectionPendingException();
                }
                boolean wasActive = isActive();
                if (doConnect(remoteAddress, localAddress)) {
                    fulfillConnectPromise(promise, wasActive);
                } else {
                    connectPromise = promise;
                    requestedRemoteAddress = remoteAddress;
                    final int connectTimeoutMillis = config().getConnectTimeoutMillis();
                    if (connectTimeoutMillis > 0) {
                        connectTimeoutFuture = eventLoop().schedule(() -> {
                            ChannelPromise connectPromise = AbstractWinloopChannel.this.connectPromise;
                            if (connectPromise != null && !connectPromise.isDone()
                                    && connectPromise.tryFailure(new ConnectTimeoutException(
                                    "connection timed out after " + connectTimeoutMillis + " ms: "
                                            + remoteAddress))) {
                                close(voidPromise());
                            }
                        }, connectTimeoutMillis, TimeUnit.MILLISECONDS);
                    }
                    promise.addListener((ChannelFutureListener) future -> {
                        // A cancelled connect closes the socket.
                        if (future.isCancelled()) {
                            if (connectTimeoutFuture != null) {
                                connectTimeoutFuture.cancel(false);
                            }
                            connectPromise = null;
                            close(voidPromise());
                        }
                    });
                }
            } catch (Throwable t) {
                closeIfClosed();
                promise.tryFailure(annotateConnectException(t, remoteAddress));
            }
        }

        private void fulfillConnectPromise(ChannelPromise promise, boolean wasActive) {
            if (promise == null) {
                return; // closed by cancellation; the promise was notified already
            }
            active = true;
            submitCurrentOps();
            boolean active = isActive();
            boolean promiseSet = promise.trySuccess();
            // channelActive fires even when the user cancelled the attempt: what happened, happened.
            if (!wasActive && active) {
                pipeline().fireChannelActive();
            }
            if (!promiseSet) {
                close(voidPromise());
            }
        }

        private void fulfillConnectPromise(ChannelPromise promise, Throwable cause) {
            if (promise == null) {
                return;
            }
            promise.tryFailure(cause);
            closeIfClosed();
        }

        private void finishConnect(WinloopIoEvent event) {
            assert eventLoop().inEventLoop();
            boolean connectStillInProgress = false;
            try {
                boolean wasActive = isActive();
                if (!doFinishConnect(event)) {
                    connectStillInProgress = true;
                    return;
                }
                fulfillConnectPromise(connectPromise, wasActive);
            } catch (Throwable t) {
                fulfillConnectPromise(connectPromise, annotateConnectException(t, requestedRemoteAddress));
            } finally {
                if (!connectStillInProgress) {
                    if (connectTimeoutFuture != null) {
                        connectTimeoutFuture.cancel(false);
                    }
                    connectPromise = null;
                }
            }
        }

        private boolean doFinishConnect(WinloopIoEvent event) throws Exception {
            InetSocketAddress requested = requestedRemoteAddress instanceof InetSocketAddress
                    ? (InetSocketAddress) requestedRemoteAddress : null;
            if (event.isConnectFailed()) {
                throw socket.connectFailure(requested, event.status());
            }
            if (socket.finishConnect(requested)) {
                clearFlag(WinloopIoOps.WRITE);
                remote = socket.remoteAddress();
                if (remote == null) {
                    remote = requestedRemoteAddress;
                }
                requestedRemoteAddress = null;
                return true;
            }
            setFlag(WinloopIoOps.WRITE);
            return false;
        }
    }

    @Override
    protected void doBind(SocketAddress local) throws Exception {
        InetSocketAddress address = toInet(local);
        checkResolvable(address, "bind to");
        socket.bind(address);
        this.local = socket.localAddress();
    }

    static InetSocketAddress toInet(SocketAddress address) {
        if (address instanceof InetSocketAddress) {
            return (InetSocketAddress) address;
        }
        throw new UnsupportedOperationException("unsupported address type: "
                + (address == null ? "null" : address.getClass().getName()) + " (expected: InetSocketAddress)");
    }

    /** Starts a connect; true when it completed at once. */
    protected boolean doConnect(SocketAddress remoteAddress, SocketAddress localAddress) throws Exception {
        if (localAddress != null) {
            checkResolvable(toInet(localAddress), "bind to");
        }
        InetSocketAddress remoteSocketAddr = toInet(remoteAddress);
        checkResolvable(remoteSocketAddr, "connect to");
        remoteSocketAddr = SockAddr.connectable(remoteSocketAddr);
        if (remote != null) {
            throw new AlreadyConnectedException();
        }
        if (localAddress != null) {
            socket.bind(toInet(localAddress));
        }
        boolean connected = doConnect0(remoteSocketAddr);
        if (connected) {
            InetSocketAddress actual = socket.remoteAddress();
            remote = actual != null ? actual : remoteSocketAddr;
        }
        // The bind happened even when the connect is still in progress (netty#3463).
        local = socket.localAddress();
        return connected;
    }

    boolean doConnect0(InetSocketAddress remote) throws Exception {
        boolean success = false;
        try {
            boolean connected = socket.connect(remote);
            if (!connected) {
                setFlag(WinloopIoOps.WRITE);
            }
            success = true;
            return connected;
        } finally {
            if (!success) {
                doClose();
            }
        }
    }

    @Override
    protected SocketAddress localAddress0() {
        return local;
    }

    @Override
    protected SocketAddress remoteAddress0() {
        return remote;
    }

    /** Caches the addresses again (after accept or a datagram connect / disconnect). */
    void resetCachedAddresses() {
        local = socket.localAddress();
        remote = socket.remoteAddress();
    }
}
