package io.winloop;

import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelMetadata;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import io.winloop.internal.win.WinSocket;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * A TCP {@link ServerSocketChannel} on Winloop: the drop-in replacement of {@code NioServerSocketChannel} on
 * Windows. Accepted connections are {@link WinloopSocketChannel}s on the child event loops.
 */
public final class WinloopServerSocketChannel extends AbstractWinloopChannel implements ServerSocketChannel {
    private static final ChannelMetadata METADATA = new ChannelMetadata(false, 16);

    private final WinloopServerSocketChannelConfig config;

    public WinloopServerSocketChannel() {
        this((SocketProtocolFamily) null);
    }

    /** A server whose socket is of {@code family} (INET or INET6; null for the default, dual-stack IPv6). */
    public WinloopServerSocketChannel(SocketProtocolFamily family) {
        super(null, newSocket(SocketFamily.isIPv6(family)), false, WinloopIoOps.NONE);
        config = new WinloopServerSocketChannelConfig(this);
    }

    private static WinSocket newSocket(boolean ipv6) {
        try {
            return WinSocket.newStreamSocket(ipv6);
        } catch (IOException e) {
            throw new ChannelException("Failed to open a Winloop TCP server socket", e);
        }
    }

    @Override
    public ChannelMetadata metadata() {
        return METADATA;
    }

    @Override
    public WinloopServerSocketChannelConfig config() {
        return config;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return null;
    }

    @Override
    public InetSocketAddress localAddress() {
        return (InetSocketAddress) super.localAddress();
    }

    @Override
    protected SocketAddress remoteAddress0() {
        return null;
    }

    @Override
    protected void doBind(SocketAddress localAddress) throws Exception {
        super.doBind(localAddress);
        socket.listen(config.getBacklog());
        active = true;
    }

    @Override
    protected void doWrite(ChannelOutboundBuffer in) throws Exception {
        throw new UnsupportedOperationException();
    }

    @Override
    protected Object filterOutboundMessage(Object msg) throws Exception {
        throw new UnsupportedOperationException();
    }

    @Override
    protected boolean doConnect(SocketAddress remoteAddress, SocketAddress localAddress) throws Exception {
        throw new UnsupportedOperationException();
    }

    @Override
    protected AbstractWinloopUnsafe newUnsafe() {
        return new WinloopServerSocketUnsafe();
    }

    /**
     * The local address of every connection this listener accepts, when it is known without asking: a listener
     * bound to one address (not the wildcard) accepts only connections to that address and port, so each child
     * skips a getsockname (a Win32 call per connection; the C AFD server of the benchmark makes none). Null for a
     * wildcard listener: its connections' local address is whichever of the host's addresses the client used.
     */
    private InetSocketAddress acceptedLocalAddress() {
        InetSocketAddress local = localAddress();
        return local == null || local.getAddress() == null || local.getAddress().isAnyLocalAddress() ? null : local;
    }

    private final class WinloopServerSocketUnsafe extends AbstractWinloopUnsafe {
        @Override
        public void connect(SocketAddress remote, SocketAddress local, ChannelPromise promise) {
            promise.setFailure(new UnsupportedOperationException("a server channel cannot connect"));
        }

        @Override
        void readReady() {
            assert eventLoop().inEventLoop();
            final ChannelConfig config = config();
            if (shouldBreakReadReady(config)) {
                clearReadFlag0();
                return;
            }
            final RecvByteBufAllocator.Handle allocHandle = recvBufAllocHandle();
            final ChannelPipeline pipeline = pipeline();
            // As NIO's accept loop: attempted and last "bytes" both stay 0, so continueReading() keeps accepting
            // until nothing is pending or MAX_MESSAGES_PER_READ connections were taken this turn. (Setting an
            // attempt of 1, as epoll does with its own handle, would stop the default handle after one accept.)
            allocHandle.reset(config);

            Throwable exception = null;
            try {
                try {
                    do {
                        WinSocket child = socket.accept();
                        if (child == null) {
                            break; // nothing pending now
                        }
                        allocHandle.incMessagesRead(1);
                        readPending = false;
                        pipeline.fireChannelRead(newChildChannel(child));
                    } while (allocHandle.continueReading());
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

        private WinloopSocketChannel newChildChannel(WinSocket child) throws IOException {
            try {
                return new WinloopSocketChannel(WinloopServerSocketChannel.this, child, acceptedLocalAddress(),
                        socket.lastAcceptedPeer());
            } catch (RuntimeException e) {
                child.close();
                throw e;
            }
        }
    }
}
