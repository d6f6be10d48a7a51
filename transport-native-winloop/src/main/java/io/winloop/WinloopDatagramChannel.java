package io.winloop;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.AddressedEnvelope;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelMetadata;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.DefaultAddressedEnvelope;
import io.netty.channel.IoEvent;
import io.netty.channel.IoRegistration;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.InternetProtocolFamily;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.util.UncheckedBooleanSupplier;
import io.netty.util.internal.ObjectUtil;
import io.netty.util.internal.StringUtil;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import io.winloop.internal.win.ByteBufAddress;
import io.winloop.internal.win.Multicast;
import io.winloop.internal.win.WinError;
import io.winloop.internal.win.WinSocket;
import io.winloop.internal.win.Ws2_32;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.PortUnreachableException;
import java.net.SocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.NotYetConnectedException;

/**
 * A UDP {@link DatagramChannel} on Winloop, mirroring Netty's {@code EpollDatagramChannel}: {@code recvfrom} into
 * {@link DatagramPacket}s up to the {@link RecvByteBufAllocator}'s messages per read on each readiness event, and
 * {@code sendto} with WRITE interest while the socket would block.
 *
 * <h2>Windows specifics</h2>
 * <ul>
 * <li><b>ICMP port unreachable</b> arrives on Windows as WSAECONNRESET from the next {@code recvfrom}, on
 *     connected and unconnected sockets alike. Like the JDK ({@code Net.socket0} / {@code Net.connect0}), Winloop
 *     turns that reporting off with {@code SIO_UDP_CONNRESET} while the socket is unconnected and on while it is
 *     connected; a connected channel reports {@link PortUnreachableException}. The read loop also skips a
 *     WSAECONNRESET on an unconnected socket, in case the ioctl is not honoured (a layered provider, or a stale
 *     error queued before a disconnect): an unconnected channel serving many peers must keep reading.</li>
 * <li><b>Oversized datagrams</b>: when a datagram does not fit the receive buffer Windows fills the buffer with
 *     its first bytes, fails {@code recvfrom} with WSAEMSGSIZE and drops the rest. Winloop delivers the truncated
 *     datagram (logged at debug), as NIO on Windows and epoll do, so that no remote sender can raise
 *     exceptionCaught at will; size the {@link RecvByteBufAllocator} for the largest datagram expected.</li>
 * <li><b>Under Wine</b> (Linux sockets underneath) a connected socket's ICMP error comes back as WSAECONNREFUSED,
 *     from the next {@code send} (Wine 8.0) or reported to the AFD poll as AFD_POLL_CONNECT_FAIL with
 *     STATUS_CONNECTION_REFUSED (Wine 8.0 and 10.0, tools/probes/afd-states-probe.c), and unconnected sockets
 *     never see ICMP errors at all (Linux queues them only for connected sockets): all are mapped as on
 *     Windows.</li>
 * <li><b>disconnect()</b> is Winsock's {@code connect()} to an all-zero address.</li>
 * <li>{@link #isActive()} is true once the socket is bound (or at registration with
 *     {@code DATAGRAM_CHANNEL_ACTIVE_ON_REGISTRATION}), and stays true after {@link #disconnect()} because the
 *     socket stays bound — NIO's rule. ({@code EpollDatagramChannel} turns inactive on disconnect, after which it
 *     can no longer write; NIO and Winloop keep sending {@link DatagramPacket}s.)</li>
 * </ul>
 */
public final class WinloopDatagramChannel extends AbstractWinloopChannel implements DatagramChannel {
    private static final InternalLogger logger = InternalLoggerFactory.getInstance(WinloopDatagramChannel.class);
    private static final ChannelMetadata METADATA = new ChannelMetadata(true, 16);
    private static final String EXPECTED_TYPES =
            " (expected: " + StringUtil.simpleClassName(DatagramPacket.class) + ", "
            + StringUtil.simpleClassName(AddressedEnvelope.class) + '<'
            + StringUtil.simpleClassName(ByteBuf.class) + ", "
            + StringUtil.simpleClassName(InetSocketAddress.class) + ">, "
            + StringUtil.simpleClassName(ByteBuf.class) + ')';

    private final WinloopDatagramChannelConfig config;
    private volatile boolean connected;

    /** A channel whose socket is dual-stack IPv6 where available (see {@link SocketFamily}), IPv4 otherwise. */
    public WinloopDatagramChannel() {
        this((SocketProtocolFamily) null);
    }

    /**
     * A channel of {@code family} (null for the default).
     *
     * @deprecated use {@link #WinloopDatagramChannel(SocketProtocolFamily)}
     */
    @Deprecated
    public WinloopDatagramChannel(InternetProtocolFamily family) {
        this(family == null ? null : family.toSocketProtocolFamily());
    }

    /** A channel whose socket is of {@code family}: INET, INET6 (dual-stack), or null for the default. */
    public WinloopDatagramChannel(SocketProtocolFamily family) {
        super(null, newSocket(SocketFamily.isIPv6(family)), false, WinloopIoOps.NONE);
        setConnReset(false);
        config = new WinloopDatagramChannelConfig(this);
    }

    private static WinSocket newSocket(boolean ipv6) {
        try {
            return WinSocket.newDatagramSocket(ipv6);
        } catch (IOException e) {
            throw new ChannelException("Failed to open a Winloop UDP socket", e);
        }
    }

    /** SIO_UDP_CONNRESET: report ICMP port unreachable as WSAECONNRESET (connected) or not (unconnected). */
    private void setConnReset(boolean enable) {
        try {
            socket.ioctlInt(Ws2_32.SIO_UDP_CONNRESET, "SIO_UDP_CONNRESET", enable ? 1 : 0);
        } catch (IOException e) {
            // Best effort, as in the JDK: the read loop copes with the other behaviour.
            logger.debug("WSAIoctl(SIO_UDP_CONNRESET, {}) failed on {}", enable, socket, e);
        }
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return (InetSocketAddress) super.remoteAddress();
    }

    @Override
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) super.localAddress();
    }

    @Override
    public ChannelMetadata metadata() {
        return METADATA;
    }

    @Override
    public WinloopDatagramChannelConfig config() {
        return config;
    }

    @Override
    public boolean isActive() {
        return socket.isOpen() && (config.getActiveOnOpen() && isRegistered() || active);
    }

    @Override
    public boolean isConnected() {
        return connected;
    }

    @Override
    protected void doBind(SocketAddress localAddress) throws Exception {
        if (localAddress instanceof InetSocketAddress) {
            InetSocketAddress address = (InetSocketAddress) localAddress;
            // 0.0.0.0 on a dual-stack socket would bind ::ffff:0.0.0.0 (IPv4 only): bind :: as epoll does.
            if (socket.isIPv6() && address.getAddress() instanceof Inet4Address
                    && address.getAddress().isAnyLocalAddress()) {
                localAddress = new InetSocketAddress(InetAddress.getByAddress(new byte[16]), address.getPort());
            }
        }
        super.doBind(localAddress);
        active = true;
    }

    @Override
    protected boolean doConnect(SocketAddress remoteAddress, SocketAddress localAddress) throws Exception {
        // connect() on a UDP socket completes at once on Windows (it only records the peer).
        if (super.doConnect(remoteAddress, localAddress)) {
            connected = true;
            setConnReset(true);
            return true;
        }
        return false;
    }

    @Override
    protected void doDisconnect() throws Exception {
        socket.disconnectDatagram();
        connected = false;
        setConnReset(false);
        resetCachedAddresses();
    }

    @Override
    protected void doClose() throws Exception {
        super.doClose();
        connected = false;
    }

    // ---- writes ----------------------------------------------------------------------------------------------

    @Override
    protected void doWrite(ChannelOutboundBuffer in) throws Exception {
        int maxMessagesPerWrite = maxMessagesPerWrite();
        while (maxMessagesPerWrite > 0) {
            Object msg = in.current();
            if (msg == null) {
                break;
            }
            try {
                boolean done = false;
                for (int i = config().getWriteSpinCount(); i > 0; --i) {
                    if (doWriteMessage(msg)) {
                        done = true;
                        break;
                    }
                }
                if (done) {
                    in.remove();
                    maxMessagesPerWrite--;
                } else {
                    break; // the send buffer is full: wait for writability
                }
            } catch (IOException | RuntimeException e) {
                // One failed datagram fails its own write only: a datagram channel talks to many peers
                // (netty#2665).
                maxMessagesPerWrite--;
                in.remove(e);
            }
        }
        if (in.isEmpty()) {
            clearFlag(WinloopIoOps.WRITE);
        } else {
            setFlag(WinloopIoOps.WRITE);
        }
    }

    /** Sends one datagram: true when sent, false when the socket would block. */
    private boolean doWriteMessage(Object msg) throws IOException {
        final ByteBuf data;
        final InetSocketAddress recipient;
        if (msg instanceof AddressedEnvelope) {
            @SuppressWarnings("unchecked")
            AddressedEnvelope<ByteBuf, InetSocketAddress> envelope = (AddressedEnvelope<ByteBuf, InetSocketAddress>) msg;
            data = envelope.content();
            recipient = envelope.recipient();
        } else {
            data = (ByteBuf) msg;
            recipient = null;
        }
        if (recipient == null && !connected) {
            throw new NotYetConnectedException();
        }
        int length = data.readableBytes();
        int n = socket.sendToRaw(ByteBufAddress.of(data, data.readerIndex(), length), length, recipient);
        if (n >= 0) {
            return true;
        }
        int error = -n;
        if (error == WinError.WSAEWOULDBLOCK || error == WinError.WSAENOBUFS) {
            return false;
        }
        if (recipient == null && isPortUnreachable(error)) {
            throw portUnreachable("send", error);
        }
        throw WinError.newDatagramException(recipient == null ? "send(" + remoteAddress() + ")"
                : "sendto(" + recipient + ")", error);
    }

    private static boolean isPortUnreachable(int error) {
        // Windows reports ICMP port unreachable as WSAECONNRESET; Wine passes Linux's ECONNREFUSED through as
        // WSAECONNREFUSED.
        return error == WinError.WSAECONNRESET || error == WinError.WSAECONNREFUSED;
    }

    private PortUnreachableException portUnreachable(String operation, int error) {
        return new PortUnreachableException(operation + " failed: " + WinError.describe(error)
                + ": ICMP port unreachable from " + remoteAddress());
    }

    /** True when Winsock cannot read {@code buf} in place: one datagram needs one contiguous native block. */
    private static boolean needsCopy(ByteBuf buf) {
        return !buf.hasMemoryAddress() && !(buf.isDirect() && buf.nioBufferCount() == 1);
    }

    @Override
    protected Object filterOutboundMessage(Object msg) throws SocketException {
        if (msg instanceof DatagramPacket) {
            DatagramPacket packet = (DatagramPacket) msg;
            checkRecipient(packet);
            ByteBuf content = packet.content();
            return needsCopy(content) ? new DatagramPacket(newDirectBuffer(packet, content), packet.recipient())
                    : msg;
        }
        if (msg instanceof ByteBuf) {
            ByteBuf buf = (ByteBuf) msg;
            return needsCopy(buf) ? newDirectBuffer(buf) : buf;
        }
        if (msg instanceof AddressedEnvelope) {
            @SuppressWarnings("unchecked")
            AddressedEnvelope<Object, SocketAddress> e = (AddressedEnvelope<Object, SocketAddress>) msg;
            checkRecipient(e);
            if (e.content() instanceof ByteBuf
                    && (e.recipient() == null || e.recipient() instanceof InetSocketAddress)) {
                ByteBuf content = (ByteBuf) e.content();
                return needsCopy(content) ? new DefaultAddressedEnvelope<ByteBuf, InetSocketAddress>(
                        newDirectBuffer(e, content), (InetSocketAddress) e.recipient()) : e;
            }
        }
        throw new UnsupportedOperationException(
                "unsupported message type: " + StringUtil.simpleClassName(msg) + EXPECTED_TYPES);
    }

    /**
     * A recipient that was never resolved, or port 0, fails its write before any call. Windows refuses port 0 as a
     * destination (WSAEADDRNOTAVAIL), Wine 8 answers WSAEINVAL, and Wine 10 reports success and drops the datagram:
     * checked here, a user gets the same clear failure everywhere.
     */
    private static void checkRecipient(AddressedEnvelope<?, ?> envelope) throws SocketException {
        if (!(envelope.recipient() instanceof InetSocketAddress)) {
            return;
        }
        InetSocketAddress recipient = (InetSocketAddress) envelope.recipient();
        if (recipient.isUnresolved()) {
            throw new UnresolvedSocketAddressException("send a datagram to", recipient);
        }
        if (recipient.getPort() == 0) {
            throw new SocketException("cannot send a datagram to port 0 (" + recipient
                    + "): Windows refuses it with WSAEADDRNOTAVAIL (10049)");
        }
    }

    // ---- reads -----------------------------------------------------------------------------------------------

    @Override
    protected AbstractWinloopUnsafe newUnsafe() {
        return new WinloopDatagramChannelUnsafe();
    }

    final class WinloopDatagramChannelUnsafe extends AbstractWinloopUnsafe {
        /**
         * Windows fails the next recv of a connected datagram socket with WSAECONNRESET after an ICMP port
         * unreachable. Wine (8.0 and 10.0) reports it to the AFD poll instead, as AFD_POLL_CONNECT_FAIL with
         * STATUS_CONNECTION_REFUSED, and recv then finds nothing (tools/probes/afd-states-probe.c, "connected UDP
         * socket"): whichever way the error comes, a connected channel reports PortUnreachableException.
         */
        @Override
        public void handle(IoRegistration registration, IoEvent event) {
            WinloopIoEvent winloopEvent = (WinloopIoEvent) event;
            if (winloopEvent.isConnectFailed() && isConnected() && isOpen()) {
                int error = WinError.wsaErrorOfStatus(winloopEvent.status());
                if (isPortUnreachable(error)) {
                    pipeline().fireExceptionCaught(portUnreachable("AFD poll", error));
                }
            }
            super.handle(registration, event);
        }

        @Override
        void readReady() {
            assert eventLoop().inEventLoop();
            final WinloopDatagramChannelConfig config = config();
            final RecvByteBufAllocator.Handle allocHandle = recvBufAllocHandle();
            final ChannelPipeline pipeline = pipeline();
            final ByteBufAllocator allocator = config.getAllocator();
            allocHandle.reset(config);

            Throwable exception = null;
            try {
                try {
                    boolean connected = isConnected();
                    do {
                        if (!readOne(allocHandle, allocHandle.allocate(allocator), connected)) {
                            break;
                        }
                        readPending = false;
                        if (!isOpen()) {
                            break; // closed from channelRead: its SOCKET value may already be reused
                        }
                    } while (continueReading(allocHandle));
                } catch (Throwable t) {
                    exception = t;
                }
                allocHandle.readComplete();
                pipeline.fireChannelReadComplete();
                if (exception != null) {
                    pipeline.fireExceptionCaught(exception);
                }
            } finally {
                if (shouldStopReading(config)) {
                    clearReadFlag();
                }
            }
        }
    }

    /**
     * Whether to read another datagram. A datagram shorter than the buffer does not mean the socket is drained
     * (the default guess of {@code continueReading()}), hence TRUE_SUPPLIER, as in epoll.
     */
    private static boolean continueReading(RecvByteBufAllocator.Handle allocHandle) {
        if (allocHandle instanceof RecvByteBufAllocator.ExtendedHandle) {
            return ((RecvByteBufAllocator.ExtendedHandle) allocHandle)
                    .continueReading(UncheckedBooleanSupplier.TRUE_SUPPLIER);
        }
        return allocHandle.continueReading();
    }

    /** Receives one datagram into {@code byteBuf} (which it owns) and fires it; false when none was waiting. */
    private boolean readOne(RecvByteBufAllocator.Handle allocHandle, ByteBuf byteBuf, boolean connected)
            throws IOException {
        ByteBuf bounce = null;
        try {
            final int writerIndex = byteBuf.writerIndex();
            final int writable = byteBuf.writableBytes();
            allocHandle.attemptedBytesRead(writable);
            long address;
            if (needsCopy(byteBuf)) {
                // A heap buffer: receive into a direct one, then copy (Winsock needs a stable native address).
                bounce = alloc().directBuffer(writable);
                address = ByteBufAddress.of(bounce, 0, writable);
            } else {
                address = ByteBufAddress.of(byteBuf, writerIndex, writable);
            }
            for (;;) {
                int n = socket.recvFromRaw(address, writable);
                if (n == -WinError.WSAEMSGSIZE) {
                    // Larger than the buffer: Winsock filled the buffer with its first bytes (and the sender) and
                    // dropped the rest. Deliver it truncated, as NIO on Windows and epoll do: an exception would
                    // let any remote sender raise exceptionCaught at will.
                    logger.debug("{}: a datagram from {} was larger than the {}-byte receive buffer; delivered "
                            + "truncated ({})", WinloopDatagramChannel.this,
                            connected ? remoteAddress() : socket.lastSender(), writable,
                            WinError.describe(WinError.WSAEMSGSIZE));
                    n = writable;
                }
                if (n >= 0) {
                    if (bounce != null) {
                        byteBuf.setBytes(writerIndex, bounce, 0, n);
                    }
                    byteBuf.writerIndex(writerIndex + n);
                    InetSocketAddress sender = connected ? remoteAddress() : socket.lastSender();
                    DatagramPacket packet = new DatagramPacket(byteBuf, localAddress(), sender);
                    byteBuf = null;
                    allocHandle.lastBytesRead(Math.max(1, n)); // a 0-byte datagram is not the end of data
                    allocHandle.incMessagesRead(1);
                    pipeline().fireChannelRead(packet);
                    return true;
                }
                int error = -n;
                if (error == WinError.WSAEWOULDBLOCK) {
                    allocHandle.lastBytesRead(-1);
                    return false;
                }
                if (isPortUnreachable(error)) {
                    if (connected) {
                        throw portUnreachable("recvfrom", error);
                    }
                    // An unconnected socket learned that some earlier datagram was refused: not this channel's
                    // failure (SIO_UDP_CONNRESET is off, so this is a stale or LSP-induced report). Read on.
                    logger.debug("{}: ignoring {} on an unconnected datagram socket", this,
                            WinError.describe(error));
                    continue;
                }
                throw WinError.newDatagramException("recvfrom", error);
            }
        } finally {
            if (byteBuf != null) {
                byteBuf.release();
            }
            if (bounce != null) {
                bounce.release();
            }
        }
    }

    // ---- multicast -------------------------------------------------------------------------------------------

    @Override
    public ChannelFuture joinGroup(InetAddress multicastAddress) {
        return joinGroup(multicastAddress, newPromise());
    }

    @Override
    public ChannelFuture joinGroup(InetAddress multicastAddress, ChannelPromise promise) {
        try {
            return joinGroup(multicastAddress, defaultInterface(), null, promise);
        } catch (IOException | RuntimeException e) {
            promise.setFailure(e);
        }
        return promise;
    }

    @Override
    public ChannelFuture joinGroup(InetSocketAddress multicastAddress, NetworkInterface networkInterface) {
        return joinGroup(multicastAddress, networkInterface, newPromise());
    }

    @Override
    public ChannelFuture joinGroup(InetSocketAddress multicastAddress, NetworkInterface networkInterface,
                                   ChannelPromise promise) {
        return joinGroup(multicastAddress.getAddress(), networkInterface, null, promise);
    }

    @Override
    public ChannelFuture joinGroup(InetAddress multicastAddress, NetworkInterface networkInterface,
                                   InetAddress source) {
        return joinGroup(multicastAddress, networkInterface, source, newPromise());
    }

    @Override
    public ChannelFuture joinGroup(InetAddress multicastAddress, NetworkInterface networkInterface,
                                   InetAddress source, ChannelPromise promise) {
        ObjectUtil.checkNotNull(multicastAddress, "multicastAddress");
        ObjectUtil.checkNotNull(networkInterface, "networkInterface");
        return membership(true, multicastAddress, networkInterface, source, promise);
    }

    @Override
    public ChannelFuture leaveGroup(InetAddress multicastAddress) {
        return leaveGroup(multicastAddress, newPromise());
    }

    @Override
    public ChannelFuture leaveGroup(InetAddress multicastAddress, ChannelPromise promise) {
        try {
            return leaveGroup(multicastAddress, defaultInterface(), null, promise);
        } catch (IOException | RuntimeException e) {
            promise.setFailure(e);
        }
        return promise;
    }

    @Override
    public ChannelFuture leaveGroup(InetSocketAddress multicastAddress, NetworkInterface networkInterface) {
        return leaveGroup(multicastAddress, networkInterface, newPromise());
    }

    @Override
    public ChannelFuture leaveGroup(InetSocketAddress multicastAddress, NetworkInterface networkInterface,
                                    ChannelPromise promise) {
        return leaveGroup(multicastAddress.getAddress(), networkInterface, null, promise);
    }

    @Override
    public ChannelFuture leaveGroup(InetAddress multicastAddress, NetworkInterface networkInterface,
                                    InetAddress source) {
        return leaveGroup(multicastAddress, networkInterface, source, newPromise());
    }

    @Override
    public ChannelFuture leaveGroup(InetAddress multicastAddress, NetworkInterface networkInterface,
                                    InetAddress source, ChannelPromise promise) {
        ObjectUtil.checkNotNull(multicastAddress, "multicastAddress");
        ObjectUtil.checkNotNull(networkInterface, "networkInterface");
        return membership(false, multicastAddress, networkInterface, source, promise);
    }

    /** IP_MULTICAST_IF if set, else the interface of the bound address (as NIO does). */
    private NetworkInterface defaultInterface() throws IOException {
        NetworkInterface iface = config.getNetworkInterface();
        return iface != null ? iface : NetworkInterface.getByInetAddress(localAddress().getAddress());
    }

    private ChannelFuture membership(boolean join, InetAddress group, NetworkInterface iface, InetAddress source,
                                     ChannelPromise promise) {
        runInLoop(promise, () -> Multicast.joinOrLeave(socket, join, group, iface, source));
        return promise;
    }

    @Override
    public ChannelFuture block(InetAddress multicastAddress, NetworkInterface networkInterface,
                               InetAddress sourceToBlock) {
        return block(multicastAddress, networkInterface, sourceToBlock, newPromise());
    }

    @Override
    public ChannelFuture block(InetAddress multicastAddress, NetworkInterface networkInterface,
                               InetAddress sourceToBlock, ChannelPromise promise) {
        ObjectUtil.checkNotNull(multicastAddress, "multicastAddress");
        ObjectUtil.checkNotNull(sourceToBlock, "sourceToBlock");
        ObjectUtil.checkNotNull(networkInterface, "networkInterface");
        runInLoop(promise, () -> Multicast.block(socket, multicastAddress, networkInterface, sourceToBlock));
        return promise;
    }

    @Override
    public ChannelFuture block(InetAddress multicastAddress, InetAddress sourceToBlock) {
        return block(multicastAddress, sourceToBlock, newPromise());
    }

    @Override
    public ChannelFuture block(InetAddress multicastAddress, InetAddress sourceToBlock, ChannelPromise promise) {
        try {
            return block(multicastAddress, defaultInterface(), sourceToBlock, promise);
        } catch (IOException | RuntimeException e) {
            promise.setFailure(e);
        }
        return promise;
    }

    private interface SocketOp {
        void run() throws IOException;
    }

    private void runInLoop(ChannelPromise promise, SocketOp op) {
        Runnable task = () -> {
            try {
                op.run();
                promise.setSuccess();
            } catch (IOException | RuntimeException e) {
                promise.setFailure(e);
            }
        };
        if (!isRegistered() || eventLoop().inEventLoop()) {
            task.run();
        } else {
            eventLoop().execute(task);
        }
    }
}
