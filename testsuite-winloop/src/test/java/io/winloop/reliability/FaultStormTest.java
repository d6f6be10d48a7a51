package io.winloop.reliability;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.winloop.ResourceBaseline;
import io.winloop.WinloopEventLoopGroup;
import io.winloop.WinloopServerSocketChannel;
import io.winloop.WinloopSocketChannel;
import io.winloop.internal.win.Wine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What production does to a transport: refused-connect storms, peers that reset, servers that close with writes
 * pending, closes from foreign threads with polls in flight, shutdown under load, connect timeouts. After each, the
 * OS handles, the transport's native blocks and Netty's leak detector are back where they were, and the loop still
 * serves a fresh connection.
 */
class FaultStormTest {
    private ResourceBaseline baseline;
    private EventLoopGroup serverGroup;
    private EventLoopGroup clientGroup;
    private Channel echoServer;

    @BeforeEach
    void setUp() throws Exception {
        baseline = ResourceBaseline.takeWatchingLeaks();
        serverGroup = new WinloopEventLoopGroup(1);
        clientGroup = new WinloopEventLoopGroup(1);
        echoServer = Echo.start(serverGroup, PooledByteBufAllocator.DEFAULT);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (echoServer != null) {
            assertStillServes();
            echoServer.close().sync();
        }
        clientGroup.shutdownGracefully(0, 5, TimeUnit.SECONDS).sync();
        serverGroup.shutdownGracefully(0, 5, TimeUnit.SECONDS).sync();
        baseline.assertRestored(getClass().getSimpleName());
    }

    @io.netty.channel.ChannelHandler.Sharable
    private static final class Idle extends ChannelInboundHandlerAdapter {
        static final Idle INSTANCE = new Idle();
    }

    private Bootstrap client() {
        return new Bootstrap().group(clientGroup).channel(WinloopSocketChannel.class).handler(Idle.INSTANCE);
    }

    /** A fresh connection still gets its echo. */
    private void assertStillServes() throws Exception {
        CompletableFuture<String> reply = new CompletableFuture<>();
        Channel ch = new Bootstrap().group(clientGroup).channel(WinloopSocketChannel.class)
                .handler(new SimpleChannelInboundHandler<ByteBuf>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
                        reply.complete(msg.toString(java.nio.charset.StandardCharsets.US_ASCII));
                    }
                }).connect(echoServer.localAddress()).sync().channel();
        ch.writeAndFlush(ch.alloc().buffer().writeBytes("still here".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        assertEquals("still here", reply.get(10, TimeUnit.SECONDS));
        ch.close().sync();
    }

    private static InetSocketAddress closedPort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            return new InetSocketAddress("127.0.0.1", socket.getLocalPort());
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void thousandConnectsToAClosedPortFailFastAsRefused() throws Exception {
        InetSocketAddress closed = closedPort();
        Bootstrap bootstrap = client().option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000);
        int refused = 0;
        long slowestNanos = 0;
        for (int wave = 0; wave < 10; wave++) {
            List<ChannelFuture> futures = new ArrayList<>();
            long start = System.nanoTime();
            for (int i = 0; i < 100; i++) {
                futures.add(bootstrap.connect(closed));
            }
            for (ChannelFuture future : futures) {
                future.await();
                assertFalse(future.isSuccess());
                assertInstanceOf(ConnectException.class, future.cause(), () -> "cause: " + future.cause());
                assertTrue(future.cause().getMessage().contains("WSAECONNREFUSED (10061)"),
                        future.cause().getMessage());
                // Bootstrap closes a channel whose connect failed (CLOSE_ON_FAILURE), right after notifying.
                assertTrue(future.channel().closeFuture().await(5, TimeUnit.SECONDS), "closed after refusal");
                refused++;
            }
            slowestNanos = Math.max(slowestNanos, System.nanoTime() - start);
        }
        assertEquals(1000, refused);
        System.out.printf("refused storm: 1000 connects refused, slowest wave of 100 took %.2f s%n",
                slowestNanos / 1e9);
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void peersThatResetMidTransferDoNotDisturbTheServer() throws Exception {
        SocketAddress address = echoServer.localAddress();
        byte[] chunk = new byte[64 * 1024];
        for (int i = 0; i < 50; i++) {
            // A blocking JDK socket as the rude peer: write a lot, then reset (SO_LINGER 0) while echoes flow.
            try (Socket peer = new Socket()) {
                peer.connect(address);
                peer.setSoLinger(true, 0);
                for (int j = 0; j < 4; j++) {
                    peer.getOutputStream().write(chunk);
                }
            }
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aServerThatClosesWithWritesPendingFailsThemAndReleasesTheirBuffers() throws Exception {
        CompletableFuture<ChannelFuture> lastWrite = new CompletableFuture<>();
        CountDownLatch accepted = new CountDownLatch(1);
        Channel server = new ServerBootstrap().group(serverGroup).channel(WinloopServerSocketChannel.class)
                .childHandler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelActive(ChannelHandlerContext ctx) {
                        // Queue far more than the socket buffers hold (the peer never reads), then close.
                        ChannelFuture last = null;
                        for (int i = 0; i < 256; i++) {
                            last = ctx.writeAndFlush(ctx.alloc().directBuffer(64 * 1024).writeZero(64 * 1024));
                        }
                        lastWrite.complete(last);
                        ctx.close();
                        accepted.countDown();
                    }
                }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        Channel client = client().option(ChannelOption.AUTO_READ, false).connect(server.localAddress()).sync()
                .channel();
        assertTrue(accepted.await(10, TimeUnit.SECONDS));
        ChannelFuture last = lastWrite.get(10, TimeUnit.SECONDS);
        last.await(10, TimeUnit.SECONDS);
        assertFalse(last.isSuccess(), "16 MiB cannot have been sent to a peer that never reads");
        assertInstanceOf(ClosedChannelException.class, last.cause());
        client.close().sync();
        server.close().sync();
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void channelsClosedFromForeignThreadsWithPollsInFlight() throws Exception {
        List<Channel> channels = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            channels.add(client().connect(echoServer.localAddress()).sync().channel());
        }
        // Every channel now has a read poll in flight. Close them all from 4 foreign threads at once.
        ExecutorService closers = Executors.newFixedThreadPool(4);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<java.util.concurrent.Future<?>> done = new ArrayList<>();
            for (Channel ch : channels) {
                done.add(closers.submit(() -> {
                    go.await();
                    return ch.close().await(10, TimeUnit.SECONDS);
                }));
            }
            go.countDown();
            for (java.util.concurrent.Future<?> f : done) {
                assertEquals(Boolean.TRUE, f.get(30, TimeUnit.SECONDS));
            }
        } finally {
            closers.shutdownNow();
        }
        for (Channel ch : channels) {
            assertFalse(ch.isOpen());
            assertFalse(ch.isRegistered() && ch.isActive());
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shutdownGracefullyUnderFullLoad() throws Exception {
        EventLoopGroup loadServer = new WinloopEventLoopGroup(1);
        EventLoopGroup loadClients = new WinloopEventLoopGroup(1);
        Channel server = Echo.start(loadServer, PooledByteBufAllocator.DEFAULT);
        AtomicLong echoed = new AtomicLong();
        for (int i = 0; i < 50; i++) {
            new Bootstrap().group(loadClients).channel(WinloopSocketChannel.class)
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                                @Override
                                public void channelActive(ChannelHandlerContext ctx) {
                                    ctx.writeAndFlush(ctx.alloc().buffer(1024).writeZero(1024));
                                }

                                @Override
                                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                    echoed.addAndGet(((ByteBuf) msg).readableBytes());
                                    ctx.writeAndFlush(msg); // ping-pong for ever
                                }

                                @Override
                                public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                    ctx.close();
                                }
                            });
                        }
                    }).connect(server.localAddress()).sync();
        }
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (echoed.get() < 200 * 1024 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertTrue(echoed.get() > 0, "load was flowing");
        long start = System.nanoTime();
        io.netty.util.concurrent.Future<?> a = loadServer.shutdownGracefully(0, 5, TimeUnit.SECONDS);
        io.netty.util.concurrent.Future<?> b = loadClients.shutdownGracefully(0, 5, TimeUnit.SECONDS);
        assertTrue(a.await(30, TimeUnit.SECONDS) && b.await(30, TimeUnit.SECONDS), "shutdown finished");
        assertTrue(a.isSuccess() && b.isSuccess());
        assertFalse(server.isOpen());
        System.out.printf("shutdown under load: %d KiB echoed, both groups down in %.2f s%n",
                echoed.get() >> 10, (System.nanoTime() - start) / 1e9);
    }

    /**
     * A connect that is never answered. Without a routable black hole (tests may only use loopback), the listener's
     * accept queue is filled instead: Linux, and so Wine, then drops further SYNs, so the connect hangs and the
     * timeout must fire. Windows answers a full backlog with a reset instead, so there the attempt is refused; the
     * assertion says which of the two each platform must produce.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void connectTimeoutToAnAddressThatNeverAnswers() throws Exception {
        try (ServerSocket full = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            List<Socket> fillers = new ArrayList<>();
            try {
                InetSocketAddress address = new InetSocketAddress("127.0.0.1", full.getLocalPort());
                for (int i = 0; i < 4; i++) {
                    Socket s = new Socket();
                    fillers.add(s);
                    try {
                        s.connect(address, 500);
                    } catch (java.io.IOException ignore) {
                        break; // the queue is full
                    }
                }
                ChannelFuture future = client().option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 1000).connect(address);
                assertTrue(future.await(20, TimeUnit.SECONDS));
                assertFalse(future.isSuccess());
                if (Wine.isWine()) {
                    assertInstanceOf(ConnectTimeoutException.class, future.cause(), () -> "" + future.cause());
                    assertTrue(future.cause().getMessage().contains("connection timed out after 1000 ms"),
                            future.cause().getMessage());
                    assertTrue(future.cause().getMessage().contains(String.valueOf(full.getLocalPort())),
                            future.cause().getMessage());
                } else {
                    assertTrue(future.cause() instanceof ConnectTimeoutException
                            || future.cause() instanceof ConnectException, () -> "" + future.cause());
                }
                assertTrue(future.channel().closeFuture().await(5, TimeUnit.SECONDS), "closed after the failure");
            } finally {
                for (Socket s : fillers) {
                    s.close();
                }
            }
        }
    }
}
