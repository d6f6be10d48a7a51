package io.winloop.reliability;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.winloop.ResourceBaseline;
import io.winloop.WinloopChannelOption;
import io.winloop.WinloopEventLoopGroup;
import io.winloop.WinloopSocketChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bad input gets a clear exception that names the problem, and the loop keeps serving everyone else: after every
 * case a connection on the same loops still echoes, and nothing leaked.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BadInputTest {
    private ResourceBaseline baseline;
    private EventLoopGroup group;
    private Channel echoServer;

    @BeforeEach
    void setUp() throws Exception {
        baseline = ResourceBaseline.takeWatchingLeaks();
        group = new WinloopEventLoopGroup(1);
        echoServer = Echo.start(group, PooledByteBufAllocator.DEFAULT);
    }

    @AfterEach
    void tearDown() throws Exception {
        assertEchoes();
        echoServer.close().sync();
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).sync();
        baseline.assertRestored("bad input");
    }

    @ChannelHandler.Sharable
    private static final class Idle extends ChannelInboundHandlerAdapter {
        static final Idle INSTANCE = new Idle();
    }

    private Bootstrap client() {
        return new Bootstrap().group(group).channel(WinloopSocketChannel.class).handler(Idle.INSTANCE);
    }

    private void assertEchoes() throws Exception {
        CompletableFuture<String> reply = new CompletableFuture<>();
        Channel ch = new Bootstrap().group(group).channel(WinloopSocketChannel.class)
                .handler(new SimpleChannelInboundHandler<ByteBuf>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
                        reply.complete(msg.toString(StandardCharsets.US_ASCII));
                    }
                }).connect(echoServer.localAddress()).sync().channel();
        ch.writeAndFlush(Unpooled.copiedBuffer("ok", StandardCharsets.US_ASCII));
        assertEquals("ok", reply.get(10, TimeUnit.SECONDS));
        ch.close().sync();
    }

    @Test
    void unresolvedAddress() throws Exception {
        ChannelFuture f = client().connect(InetSocketAddress.createUnresolved("no-such-host.invalid", 80));
        assertTrue(f.await(10, TimeUnit.SECONDS));
        // Bootstrap resolves first: the name that cannot be resolved is in the message.
        assertTrue(f.cause().toString().contains("no-such-host.invalid"), f.cause().toString());

        Channel ch = client().register().sync().channel();
        ChannelFuture direct = ch.connect(InetSocketAddress.createUnresolved("no-such-host.invalid", 80));
        assertTrue(direct.await(10, TimeUnit.SECONDS));
        assertInstanceOf(UnresolvedAddressException.class, direct.cause());
        ch.close().sync();
    }

    @Test
    void wrongAddressFamily() throws Exception {
        Channel ch = new Bootstrap().group(group).handler(Idle.INSTANCE)
                .channelFactory(() -> new WinloopSocketChannel(SocketProtocolFamily.INET))
                .register().sync().channel();
        ChannelFuture f = ch.connect(new InetSocketAddress("::1", 80));
        assertTrue(f.await(10, TimeUnit.SECONDS));
        assertFalse(f.isSuccess());
        assertTrue(f.cause().getMessage().contains("IPv6 address")
                && f.cause().getMessage().contains("WSAEAFNOSUPPORT (10047)"), f.cause().getMessage());
        ch.close().sync();
    }

    @Test
    void portOutOfRange() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new InetSocketAddress("127.0.0.1", 70000));
        assertTrue(e.getMessage().contains("port out of range"), e.getMessage());
    }

    @Test
    void writeToAClosedChannel() throws Exception {
        Channel ch = client().connect(echoServer.localAddress()).sync().channel();
        ch.close().sync();
        ByteBuf buf = Unpooled.directBuffer(16).writeZero(16);
        ChannelFuture f = ch.writeAndFlush(buf);
        assertTrue(f.await(10, TimeUnit.SECONDS));
        assertInstanceOf(ClosedChannelException.class, f.cause());
        assertEquals(0, buf.refCnt(), "the rejected message was released");
    }

    @Test
    void optionValuesOutOfRange() throws Exception {
        Channel ch = client().connect(echoServer.localAddress()).sync().channel();
        try {
            IllegalArgumentException linger = assertThrows(IllegalArgumentException.class,
                    () -> ch.config().setOption(ChannelOption.SO_LINGER, 70_000));
            assertTrue(linger.getMessage().contains("SO_LINGER"), linger.getMessage());
            IllegalArgumentException rcvbuf = assertThrows(IllegalArgumentException.class,
                    () -> ch.config().setOption(ChannelOption.SO_RCVBUF, -1));
            assertTrue(rcvbuf.getMessage().contains("SO_RCVBUF"), rcvbuf.getMessage());
            IllegalArgumentException tos = assertThrows(IllegalArgumentException.class,
                    () -> ch.config().setOption(ChannelOption.IP_TOS, 300));
            assertTrue(tos.getMessage().contains("IP_TOS"), tos.getMessage());
            IllegalArgumentException idle = assertThrows(IllegalArgumentException.class,
                    () -> ch.config().setOption(WinloopChannelOption.TCP_KEEPIDLE, 0));
            assertTrue(idle.getMessage().contains("TCP_KEEPIDLE"), idle.getMessage());
            // The channel still works after the refusals.
            assertTrue(ch.config().setOption(ChannelOption.SO_LINGER, 5));
            assertEquals(5, ch.config().getOption(ChannelOption.SO_LINGER));
            ch.config().setOption(ChannelOption.SO_LINGER, -1);
        } finally {
            ch.close().sync();
        }
    }

    @Test
    void winloopChannelOnANioLoopAndTheReverse() throws Exception {
        EventLoopGroup nio = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            ChannelFuture winloopOnNio = nio.register(new WinloopSocketChannel());
            assertTrue(winloopOnNio.await(10, TimeUnit.SECONDS));
            assertInstanceOf(IllegalStateException.class, winloopOnNio.cause());
            assertTrue(winloopOnNio.cause().getMessage().contains("incompatible event loop type"),
                    winloopOnNio.cause().getMessage());
            // As with every Netty transport, a channel that could not register stays the caller's to close
            // (unregistered, so forcibly, as ServerBootstrap does).
            assertTrue(winloopOnNio.channel().isOpen());
            winloopOnNio.channel().unsafe().closeForcibly();
            assertFalse(winloopOnNio.channel().isOpen());

            ChannelFuture nioOnWinloop = group.register(new NioSocketChannel());
            assertTrue(nioOnWinloop.await(10, TimeUnit.SECONDS));
            assertInstanceOf(IllegalStateException.class, nioOnWinloop.cause());
            assertTrue(nioOnWinloop.cause().getMessage().contains("incompatible event loop type"),
                    nioOnWinloop.cause().getMessage());
            nioOnWinloop.channel().unsafe().closeForcibly();
        } finally {
            nio.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }
}
