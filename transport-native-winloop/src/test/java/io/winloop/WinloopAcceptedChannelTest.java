package io.winloop;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketProtocolFamily;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What an accepted connection knows without a Win32 call of its own: its local address when the listener is bound
 * to one address (a getsockname fewer per connection), and that closing it cannot block unless SO_LINGER was set
 * (a getsockopt fewer per close). Both must still be what the socket would say.
 */
class WinloopAcceptedChannelTest {
    private EventLoopGroup group;

    @BeforeEach
    void startGroup() {
        group = new WinloopEventLoopGroup(1);
    }

    @AfterEach
    void stopGroup() throws InterruptedException {
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).sync();
    }

    @Test
    @Timeout(60)
    void aListenerBoundToOneAddressGivesItsAddressToEveryConnection() throws Exception {
        Channel server = bindServer(null, new InetSocketAddress("127.0.0.1", 0), null);
        InetSocketAddress serverAddress = (InetSocketAddress) server.localAddress();
        try (Socket client = new Socket("127.0.0.1", serverAddress.getPort())) {
            WinloopSocketChannel child = accepted.get(20, TimeUnit.SECONDS);
            assertEquals(serverAddress, child.localAddress());
            assertEquals(client.getRemoteSocketAddress(), child.localAddress(), "what the client connected to");
            assertEquals(client.getLocalSocketAddress(), child.remoteAddress());
        } finally {
            server.close().sync();
        }
    }

    @Test
    @Timeout(60)
    void aWildcardListenerAsksEachConnectionItsAddress() throws Exception {
        // IPv4 wildcard, and the default dual-stack IPv6 wildcard reached over IPv4.
        for (SocketProtocolFamily family : new SocketProtocolFamily[] {SocketProtocolFamily.INET, null}) {
            accepted = new CompletableFuture<>();
            InetSocketAddress wildcard = family == SocketProtocolFamily.INET
                    ? new InetSocketAddress(InetAddress.getByName("0.0.0.0"), 0) : new InetSocketAddress(0);
            Channel server = bindServer(family, wildcard, null);
            int port = ((InetSocketAddress) server.localAddress()).getPort();
            try (Socket client = new Socket("127.0.0.1", port)) {
                WinloopSocketChannel child = accepted.get(20, TimeUnit.SECONDS);
                assertFalse(child.localAddress().getAddress().isAnyLocalAddress(),
                        () -> "a connection's local address is never the wildcard: " + child.localAddress());
                assertEquals(new InetSocketAddress("127.0.0.1", port), child.localAddress(), "family " + family);
                assertEquals(client.getRemoteSocketAddress(), child.localAddress());
            } finally {
                server.close().sync();
            }
        }
    }

    @Test
    @Timeout(60)
    void lingeringIsKnownFromTheConfigAndAClosedLingeringConnectionDeliversEverything() throws Exception {
        byte[] payload = new byte[1 << 20];
        for (int i = 0; i < payload.length; i++) {
            payload[i] = (byte) (i * 31 + 7);
        }
        Channel server = bindServer(null, new InetSocketAddress("127.0.0.1", 0), 5);
        try (Socket client = new Socket("127.0.0.1", ((InetSocketAddress) server.localAddress()).getPort())) {
            client.setSoTimeout(20_000);
            WinloopSocketChannel child = accepted.get(20, TimeUnit.SECONDS);
            assertEquals(5, child.config().getSoLinger(), "the socket's SO_LINGER");
            assertTrue(child.config().isLingerOnClose());
            // Written then closed at once: with SO_LINGER the close happens off the loop and may block, and the
            // peer still gets every byte, then the end of stream.
            child.eventLoop().execute(() -> child.writeAndFlush(Unpooled.wrappedBuffer(payload))
                    .addListener(ChannelFutureListener.CLOSE));
            byte[] got = new byte[payload.length];
            InputStream in = client.getInputStream();
            int total = 0;
            while (total < got.length) {
                int r = in.read(got, total, got.length - total);
                assertTrue(r > 0, "the client reads all " + got.length + " bytes, got " + total);
                total += r;
            }
            assertArrayEquals(payload, got);
            assertEquals(-1, in.read(), "then the end of stream");
            assertTrue(child.closeFuture().await(20, TimeUnit.SECONDS));
            assertFalse(child.isOpen());
        } finally {
            server.close().sync();
        }
    }

    @Test
    @Timeout(60)
    void aConnectionDoesNotLingerUnlessTold() throws Exception {
        Channel server = bindServer(null, new InetSocketAddress("127.0.0.1", 0), null);
        try (Socket client = new Socket("127.0.0.1", ((InetSocketAddress) server.localAddress()).getPort())) {
            WinloopSocketChannel child = accepted.get(20, TimeUnit.SECONDS);
            // Windows' default (SO_DONTLINGER is TRUE), which is what lets a close skip asking.
            assertEquals(-1, child.config().getSoLinger(), "the socket's SO_LINGER: off");
            assertFalse(child.config().isLingerOnClose());
            child.config().setSoLinger(3);
            assertTrue(child.config().isLingerOnClose());
            child.config().setSoLinger(0); // on, zero seconds: closesocket resets at once, never blocks
            assertEquals(0, child.config().getSoLinger());
            assertFalse(child.config().isLingerOnClose());
            child.config().setSoLinger(-1);
            assertEquals(-1, child.config().getSoLinger());
            assertFalse(child.config().isLingerOnClose());
            child.close().sync();
        } finally {
            server.close().sync();
        }
    }

    private CompletableFuture<WinloopSocketChannel> accepted = new CompletableFuture<>();

    private Channel bindServer(SocketProtocolFamily family, InetSocketAddress address, Integer childLinger)
            throws InterruptedException {
        ServerBootstrap bootstrap = new ServerBootstrap().group(group)
                .channelFactory(() -> new WinloopServerSocketChannel(family))
                .childHandler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelActive(ChannelHandlerContext ctx) {
                        accepted.complete((WinloopSocketChannel) ctx.channel());
                    }
                });
        if (childLinger != null) {
            bootstrap.childOption(ChannelOption.SO_LINGER, childLinger);
        }
        return bootstrap.bind(address).sync().channel();
    }
}
