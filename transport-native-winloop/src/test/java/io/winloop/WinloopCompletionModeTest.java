package io.winloop;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Completion mode's own mechanisms, with loops made in that mode whatever -Dio.winloop.ioMode says (the mode's
 * Netty semantics are proven by Netty's testsuite in testsuite-winloop/completion-A and -B, and by every test of this
 * module run once more in completion mode): the switch, byte-exact echoes across read sizes, a WSASend that pends
 * while the peer does not read (and completes, or is closed, in flight), and an idle connection that waits by AFD poll.
 */
@Timeout(90)
class WinloopCompletionModeTest {
    private EventLoopGroup group;
    private ResourceBaseline baseline;

    @BeforeEach
    void setUp() {
        baseline = ResourceBaseline.takeWatchingLeaks();
        group = new MultiThreadIoEventLoopGroup(1, WinloopIoHandler.newFactory(WinloopIoMode.COMPLETION));
    }

    @AfterEach
    void tearDown() throws Exception {
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).sync();
        baseline.assertRestored();
    }

    @Test
    void theModeIsChosenPerLoopAndReportedPerChannel() throws Exception {
        CompletableFuture<WinloopSocketChannel> child = new CompletableFuture<>();
        Channel server = server(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelActive(ChannelHandlerContext ctx) {
                child.complete((WinloopSocketChannel) ctx.channel());
            }
        });
        EventLoopGroup readiness = new WinloopEventLoopGroup(1, WinloopIoMode.READINESS);
        try {
            WinloopSocketChannel client = (WinloopSocketChannel) new Bootstrap().group(readiness)
                    .channel(WinloopSocketChannel.class).handler(new ChannelInboundHandlerAdapter())
                    .connect(server.localAddress()).sync().channel();
            assertEquals(WinloopIoMode.COMPLETION, child.get(10, TimeUnit.SECONDS).ioMode(), "accepted child");
            assertEquals(WinloopIoMode.READINESS, client.ioMode(), "client on a readiness loop");
            client.close().sync();
        } finally {
            server.close().sync();
            readiness.shutdownGracefully(0, 5, TimeUnit.SECONDS).sync();
        }
    }

    @Test
    void aBadModePropertyIsRefusedByName() {
        String old = System.getProperty(WinloopIoMode.PROPERTY);
        try {
            System.setProperty(WinloopIoMode.PROPERTY, "../iocp\u0000");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    WinloopIoMode::fromSystemProperty);
            assertTrue(e.getMessage().contains("-Dio.winloop.ioMode=") && e.getMessage().contains("readiness or "
                    + "completion"), e.getMessage());
            System.setProperty(WinloopIoMode.PROPERTY, " Completion ");
            assertEquals(WinloopIoMode.COMPLETION, WinloopIoMode.fromSystemProperty());
            System.setProperty(WinloopIoMode.PROPERTY, "");
            assertEquals(WinloopIoMode.READINESS, WinloopIoMode.fromSystemProperty());
        } finally {
            if (old == null) {
                System.clearProperty(WinloopIoMode.PROPERTY);
            } else {
                System.setProperty(WinloopIoMode.PROPERTY, old);
            }
        }
        assertThrows(NullPointerException.class, () -> WinloopIoHandler.newFactory(8, null));
    }

    /** 1 byte, a read's worth, more than Netty's largest read buffer, and a bulk transfer whose sends can pend. */
    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {1, 2048, 65537, 4 << 20})
    void anEchoReturnsEveryByteOnceInOrder(int size) throws Exception {
        Channel server = server(EchoHandler.INSTANCE);
        byte[] sent = pattern(size);
        Collector collector = new Collector(size);
        Channel client = client(collector, true).connect(server.localAddress()).sync().channel();
        assertEquals(WinloopIoMode.COMPLETION, ((WinloopSocketChannel) client).ioMode());
        // Several writes, so that the reads see messages in pieces and back to back.
        for (int offset = 0; offset < size; ) {
            int length = Math.min(size - offset, 1 + (int) ((offset * 7919L) % 70000));
            client.write(Unpooled.wrappedBuffer(sent, offset, length));
            offset += length;
        }
        client.flush();
        assertArrayEquals(sent, collector.done.get(60, TimeUnit.SECONDS));
        client.close().sync();
        server.close().sync();
    }

    @Test
    void aWriteThePeerDoesNotReadPendsAndCompletesOnceItReads() throws Exception {
        int size = 16 << 20;
        byte[] sent = pattern(size);
        CompletableFuture<AbstractWinloopStreamChannel> child = new CompletableFuture<>();
        Channel server = server(activeChild(child));
        Collector collector = new Collector(size);
        Channel client = client(collector, false).connect(server.localAddress()).sync().channel();
        AbstractWinloopStreamChannel writer = child.get(10, TimeUnit.SECONDS);
        ChannelFuture write = writer.writeAndFlush(Unpooled.wrappedBuffer(sent));
        waitOnLoop(writer, writer::isWriteInFlight, "a WSASend in flight while the peer does not read");
        assertFalse(write.isDone(), "the write cannot be done while the peer reads nothing");
        client.config().setAutoRead(true);
        assertArrayEquals(sent, collector.done.get(60, TimeUnit.SECONDS));
        assertTrue(write.await(10, TimeUnit.SECONDS) && write.isSuccess(), "write: " + write.cause());
        client.close().sync();
        server.close().sync();
    }

    /** The pinned buffers and the operation's block are freed when the cancelled WSASend's packet comes. */
    @Test
    void aCloseWithAWriteInFlightFailsTheWriteAndLeaksNothing() throws Exception {
        CompletableFuture<AbstractWinloopStreamChannel> child = new CompletableFuture<>();
        Channel server = server(activeChild(child));
        Channel client = client(new ChannelInboundHandlerAdapter(), false).connect(server.localAddress()).sync()
                .channel();
        AbstractWinloopStreamChannel writer = child.get(10, TimeUnit.SECONDS);
        ByteBuf buf = writer.alloc().directBuffer(16 << 20).writeZero(16 << 20);
        ChannelFuture write = writer.writeAndFlush(buf);
        waitOnLoop(writer, writer::isWriteInFlight, "a WSASend in flight while the peer does not read");
        writer.close().sync();
        assertTrue(write.await(10, TimeUnit.SECONDS), "the write ends with the close");
        assertNotNull(write.cause(), "a write cut short by the close fails");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (buf.refCnt() != 0 && System.nanoTime() < deadline) {
            Thread.sleep(10); // the cancelled WSASend's packet comes after the close: its pin is dropped then
        }
        assertEquals(0, buf.refCnt(), "the message is released once its WSASend's packet came");
        client.close().sync();
        server.close().sync();
    }

    @Test
    void anIdleConnectionWaitsByPollAndReadsOnWhenDataComes() throws Exception {
        CompletableFuture<AbstractWinloopStreamChannel> child = new CompletableFuture<>();
        Channel server = server(activeChild(child), EchoHandler.INSTANCE);
        Collector collector = new Collector(6);
        Channel client = client(collector, true).connect(server.localAddress()).sync().channel();
        AbstractWinloopStreamChannel echo = child.get(10, TimeUnit.SECONDS);
        client.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {1, 2, 3}));
        // The default sweep (1 s) cancels a buffered read pending across two sweeps: idle for 1 to 2 s.
        waitOnLoop(echo, echo::isWaitingForReadiness, "the idle child waiting by AFD poll");
        client.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {4, 5, 6}));
        assertArrayEquals(new byte[] {1, 2, 3, 4, 5, 6}, collector.done.get(10, TimeUnit.SECONDS));
        assertFalse(echo.eventLoop().submit(echo::isWaitingForReadiness).get(),
                "after data, reads are buffered again");
        client.close().sync();
        server.close().sync();
    }

    /**
     * Every connection's first read idles past the sweep (cancelled, then a wait by AFD poll), then all speak at once.
     * At 1 000 connections an unbounded sweep stalled the loop under Wine, where a cancel can cost 8 ms
     * (IdleReadSweep): {@code -Dwinloop.test.sweptConnections=1000} runs that case (about 15 s on lane A).
     */
    @Test
    void connectionsWhoseFirstReadWasSweptAllEchoLater() throws Exception {
        int n = Integer.getInteger("winloop.test.sweptConnections", 200);
        Channel server = server(EchoHandler.INSTANCE);
        Collector[] collectors = new Collector[n];
        Channel[] clients = new Channel[n];
        for (int i = 0; i < n; i++) {
            collectors[i] = new Collector(2);
            clients[i] = client(collectors[i], true).connect(server.localAddress()).sync().channel();
        }
        Thread.sleep(2500); // two sweeps at least: every child's buffered read was cancelled as idle
        for (int i = 0; i < n; i++) {
            clients[i].writeAndFlush(Unpooled.wrappedBuffer(new byte[] {(byte) i, (byte) (i >> 8)}));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        int missing = 0;
        for (int i = 0; i < n; i++) {
            try {
                long left = Math.max(1, deadline - System.nanoTime());
                assertArrayEquals(new byte[] {(byte) i, (byte) (i >> 8)},
                        collectors[i].done.get(left, TimeUnit.NANOSECONDS));
            } catch (java.util.concurrent.TimeoutException e) {
                missing++;
            }
        }
        assertEquals(0, missing, "connections without their echo");
        for (Channel client : clients) {
            client.close().sync();
        }
        server.close().sync();
    }

    private static ChannelInboundHandlerAdapter activeChild(CompletableFuture<AbstractWinloopStreamChannel> child) {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void channelActive(ChannelHandlerContext ctx) {
                child.complete((AbstractWinloopStreamChannel) ctx.channel());
                ctx.fireChannelActive();
            }
        };
    }

    private Channel server(io.netty.channel.ChannelHandler... handlers) throws InterruptedException {
        return new ServerBootstrap().group(group).channel(WinloopServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(handlers);
                    }
                }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    }

    private Bootstrap client(ChannelInboundHandlerAdapter handler, boolean autoRead) {
        return new Bootstrap().group(group).channel(WinloopSocketChannel.class)
                .option(ChannelOption.AUTO_READ, autoRead).handler(handler);
    }

    private static void waitOnLoop(Channel channel, BooleanSupplier condition, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!channel.eventLoop().submit(condition::getAsBoolean).get()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("never seen: " + what);
            }
            Thread.sleep(20);
        }
    }

    private static byte[] pattern(int size) {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) (i * 31 + (i >>> 11));
        }
        return bytes;
    }

    /** Collects what a channel reads until {@code expected} bytes came. */
    private static final class Collector extends ChannelInboundHandlerAdapter {
        final CompletableFuture<byte[]> done = new CompletableFuture<>();
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final int expected;

        Collector(int expected) {
            this.expected = expected;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            try {
                byte[] chunk = new byte[buf.readableBytes()];
                buf.readBytes(chunk);
                bytes.write(chunk, 0, chunk.length);
            } finally {
                ReferenceCountUtil.release(msg);
            }
            if (bytes.size() >= expected) {
                done.complete(bytes.toByteArray());
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            done.completeExceptionally(cause instanceof IOException ? cause : new IOException(cause));
        }
    }
}
