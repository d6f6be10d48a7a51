package io.winloop;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.winloop.internal.pipe.PipeAcceptMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;

import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What the pipe test classes share: their event loops ({@link PipeLoops}), the resource baseline checked after each
 * test, unique names, an echo server, a collecting client, and a JVM warmed up before the first baseline.
 */
abstract class AbstractNamedPipeTest {
    final PipeLoops loops;
    EventLoopGroup boss;
    EventLoopGroup workers;
    private ResourceBaseline baseline;
    private String acceptModeBefore;

    AbstractNamedPipeTest(PipeLoops loops) {
        this.loops = loops;
    }

    /**
     * Brings the JVM to its steady handle count before the first baseline. HotSpot backs each Java thread's park and
     * sleep primitives with Win32 events that it keeps, when the thread ends, on a free list for the next thread
     * instead of closing them; JUnit's timeout watcher and the JIT's extra compiler threads start on first need. So
     * the first test in a cold JVM ends above its baseline with nothing of the transport left: on lane C (JDK 11)
     * serverClosingWithReadsAndWritesInFlightClosesTheClient alone ended 29 handles up (counted by type with
     * NtQuerySystemInformation and NtQueryObject: 26 Events, 2 Threads, 1 Semaphore, no File, so no pipe), then a
     * second and third test each came back exactly to that level. After this warm-up, with the same threads as a
     * test (a boss, two workers, a server's acceptor, clients, the timeout watcher: hence the timeout here), every
     * test of the class came back exactly to its baseline there.
     */
    @BeforeAll
    @Timeout(120)
    static void warmUpTheJvm() throws Exception {
        EventLoopGroup boss = new WinloopEventLoopGroup(1);
        EventLoopGroup workers = new WinloopEventLoopGroup(2);
        try {
            NamedPipeAddress address = newAddress();
            Channel server = new ServerBootstrap().group(boss, workers).channel(WinloopNamedPipeServerChannel.class)
                    .childHandler(new Echo()).bind(address).sync().channel();
            for (int round = 0; round < 3; round++) {
                Collector collector = new Collector(256 * 1024);
                Channel client = new Bootstrap().group(workers).channel(WinloopNamedPipeChannel.class)
                        .handler(collector).connect(address).sync().channel();
                client.writeAndFlush(Unpooled.directBuffer(256 * 1024).writeZero(256 * 1024));
                collector.done.get(30, TimeUnit.SECONDS);
                client.close().sync();
            }
            server.close().sync();
        } finally {
            boss.shutdownGracefully(0, 5, TimeUnit.SECONDS).sync();
            workers.shutdownGracefully(0, 5, TimeUnit.SECONDS).sync();
        }
    }

    @BeforeEach
    void setUpLoops() throws Exception {
        baseline = ResourceBaseline.take();
        acceptModeBefore = System.getProperty(PipeAcceptMode.PROPERTY);
        if (loops.acceptMode != null) {
            System.setProperty(PipeAcceptMode.PROPERTY, loops.acceptMode);
            assertEquals(loops.acceptMode, PipeAcceptMode.current().mode().name().toLowerCase(java.util.Locale.ROOT),
                    "what every bind of the test reads");
        }
        boss = loops.newBossGroup();
        workers = loops.newWorkerGroup(boss);
    }

    @AfterEach
    void tearDownLoops() throws Exception {
        if (acceptModeBefore == null) {
            System.clearProperty(PipeAcceptMode.PROPERTY);
        } else {
            System.setProperty(PipeAcceptMode.PROPERTY, acceptModeBefore);
        }
        boss.shutdownGracefully(0, 5, TimeUnit.SECONDS).sync();
        workers.shutdownGracefully(0, 5, TimeUnit.SECONDS).sync();
        baseline.assertRestored();
    }

    /** A pipe name no other test (or process) uses. */
    static NamedPipeAddress newAddress() {
        return NamedPipeAddress.of("winloop-test-" + UUID.randomUUID());
    }

    @ChannelHandler.Sharable
    static final class Echo extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.write(msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }
    }

    Channel echoServer(NamedPipeAddress address) throws InterruptedException {
        return new ServerBootstrap().group(boss, workers).channel(WinloopNamedPipeServerChannel.class)
                .childHandler(new Echo()).bind(address).sync().channel();
    }

    /** Collects what a client receives until {@code expected} bytes came. */
    static final class Collector extends ChannelInboundHandlerAdapter {
        final ByteBuf received = Unpooled.buffer();
        final CompletableFuture<byte[]> done = new CompletableFuture<>();
        final int expected;

        Collector(int expected) {
            this.expected = expected;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            received.writeBytes(buf);
            buf.release();
            if (received.readableBytes() >= expected) {
                byte[] bytes = new byte[received.readableBytes()];
                received.readBytes(bytes);
                received.release();
                done.complete(bytes);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            done.completeExceptionally(cause);
        }
    }

    Channel client(NamedPipeAddress address, ChannelHandler handler) throws InterruptedException {
        return new Bootstrap().group(workers).channel(WinloopNamedPipeChannel.class).handler(handler)
                .connect(address).sync().channel();
    }
}
