package io.winloop;

import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.winloop.internal.win.WinSocket;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.Executor;

/** A TCP {@link SocketChannel} on Winloop: the drop-in replacement of {@code NioSocketChannel} on Windows. */
public final class WinloopSocketChannel extends AbstractWinloopStreamChannel implements SocketChannel {
    private final WinloopSocketChannelConfig config;

    public WinloopSocketChannel() {
        this((SocketProtocolFamily) null);
    }

    /** A channel whose socket is of {@code family} (INET or INET6; null for the default, dual-stack IPv6). */
    public WinloopSocketChannel(SocketProtocolFamily family) {
        super(newSocket(SocketFamily.isIPv6(family)), false);
        config = new WinloopSocketChannelConfig(this);
    }

    /** An accepted connection; {@code local} null when the listener cannot tell it (see the server channel). */
    WinloopSocketChannel(Channel parent, WinSocket socket, InetSocketAddress local, InetSocketAddress remote) {
        super(parent, socket, local, remote);
        config = new WinloopSocketChannelConfig(this);
        readBeforePolling = true;
    }

    /**
     * An accepted connection's first read tries a recv before any poll: a client usually speaks first and its
     * request is often queued by the time the server has accepted, registered and activated the channel. Found
     * data saves the first poll and its completion; nothing found costs one recv (WSAEWOULDBLOCK), and the poll
     * armed by doBeginRead then waits as always, and no event fires. Runs as a task, so that nothing is read
     * inside channelActive.
     */
    private boolean readBeforePolling;
    private final Runnable readBeforePollingTask = () -> {
        if (isOpen() && isActive() && isRegistered() && isFlagSet(WinloopIoOps.READ)) {
            ((WinloopSocketChannelUnsafe) unsafe()).readIfQueued();
        }
    };

    @Override
    protected void doBeginRead() throws Exception {
        super.doBeginRead();
        if (readBeforePolling && !isCompletionMode()) {
            readBeforePolling = false;
            eventLoop().execute(readBeforePollingTask);
        }
    }

    private static WinSocket newSocket(boolean ipv6) {
        try {
            return WinSocket.newStreamSocket(ipv6);
        } catch (IOException e) {
            throw new ChannelException("Failed to open a Winloop TCP socket", e);
        }
    }

    /**
     * How this connection reads and writes: {@link WinloopIoMode#COMPLETION} when its event loop is in completion
     * mode and its socket joined that loop's port, {@link WinloopIoMode#READINESS} otherwise (also after a move to
     * another loop that Windows could not follow, see {@link WinloopIoMode#COMPLETION}).
     */
    public WinloopIoMode ioMode() {
        return isCompletionMode() ? WinloopIoMode.COMPLETION : WinloopIoMode.READINESS;
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
    public WinloopSocketChannelConfig config() {
        return config;
    }

    @Override
    public ServerSocketChannel parent() {
        return (ServerSocketChannel) super.parent();
    }

    @Override
    long maxBytesPerGatheringWrite() {
        return config.getMaxBytesPerGatheringWrite();
    }

    @Override
    void maxBytesPerGatheringWrite(long maxBytes) {
        config.setMaxBytesPerGatheringWrite(maxBytes);
    }

    @Override
    void raiseMaxBytesPerGatheringWrite(long atLeast) {
        config.raiseMaxBytesPerGatheringWrite(atLeast);
    }

    @Override
    protected AbstractWinloopUnsafe newUnsafe() {
        return new WinloopSocketChannelUnsafe();
    }

    private final class WinloopSocketChannelUnsafe extends WinloopStreamUnsafe {
        @Override
        protected Executor prepareToClose() {
            try {
                // With SO_LINGER > 0, closesocket blocks (and on a nonblocking socket it would fail with
                // WSAEWOULDBLOCK): deregister now and close on GlobalEventExecutor, as epoll and NIO do.
                if (isOpen() && config.isLingerOnClose()) {
                    closeCompletionMode(); // on the loop thread: the close itself runs elsewhere
                    doDeregister();
                    socket.setBlocking(true);
                    return GlobalEventExecutor.INSTANCE;
                }
            } catch (Throwable ignore) {
                // Nothing to do: close normally.
            }
            return null;
        }
    }
}
