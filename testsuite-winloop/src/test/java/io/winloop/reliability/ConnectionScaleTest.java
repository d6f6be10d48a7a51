package io.winloop.reliability;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.winloop.ResourceBaseline;
import io.winloop.WinloopEventLoopGroup;
import io.winloop.WinloopSocketChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Holds many connections on ONE server event loop thread, every one echoing a message that names it.
 * {@code -Dwinloop.scale.connections=N} sets how many; the default is 10 000, or what the host allows under Wine.
 *
 * <p>Under Wine every socket of every process is a Unix descriptor held by wineserver (and cached by the process),
 * so the descriptor limit caps the connections: with both ends in this JVM, each connection costs two. Here the
 * hard limit is 20 000 and cannot be raised without CAP_SYS_RESOURCE, which gives the cap of 9 000 (2 000 kept for
 * the JVM and Wine). On Windows there is no such cap and the test holds 10 000.
 */
class ConnectionScaleTest {
    static final int TARGET = 10_000;
    static final int CONNECTIONS = Integer.getInteger("winloop.scale.connections", Math.min(TARGET, wineCap()));

    /** Under Wine: (RLIMIT_NOFILE - 2 000) / 2, read from /proc/self/limits through Wine's Z: drive. */
    static int wineCap() {
        if (!io.winloop.internal.win.Wine.isWine()) {
            return TARGET;
        }
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Paths.get("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    long soft = Long.parseLong(line.substring("Max open files".length()).trim().split("\\s+")[0]);
                    int cap = (int) Math.max(100, (soft - 2_000) / 2);
                    System.out.printf("scale: under Wine the descriptor limit is %d (Max open files of"
                            + " /proc/self/limits), so at most %d connections with both ends here%n", soft, cap);
                    return cap;
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            System.out.println("scale: cannot read /proc/self/limits under Wine (" + e + "); trying the target");
        }
        return TARGET;
    }

    @Test
    @Timeout(value = 600, unit = TimeUnit.SECONDS)
    void everyConnectionEchoesOnOneLoopThread() throws Exception {
        ResourceBaseline baseline = ResourceBaseline.takeWatchingLeaks();
        EventLoopGroup serverLoop = new WinloopEventLoopGroup(1);
        EventLoopGroup clientLoop = new WinloopEventLoopGroup(1);
        long start = System.nanoTime();
        List<Channel> clients = new ArrayList<>(CONNECTIONS);
        AtomicInteger verified = new AtomicInteger();
        AtomicInteger wrong = new AtomicInteger();
        CountDownLatch echoed = new CountDownLatch(CONNECTIONS);
        try {
            Channel server = Echo.start(serverLoop, PooledByteBufAllocator.DEFAULT);
            Bootstrap bootstrap = new Bootstrap().group(clientLoop).channel(WinloopSocketChannel.class)
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(new SimpleChannelInboundHandler<ByteBuf>() {
                                private final ByteBuf got = ch.alloc().buffer(8);

                                @Override
                                protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
                                    got.writeBytes(msg);
                                    if (got.readableBytes() == 8) {
                                        if (got.readLong() == ctx.channel().attr(ID).get()) {
                                            verified.incrementAndGet();
                                        } else {
                                            wrong.incrementAndGet();
                                        }
                                        echoed.countDown();
                                    }
                                }

                                @Override
                                public void channelInactive(ChannelHandlerContext ctx) {
                                    got.release();
                                }
                            });
                        }
                    });
            // Connect in waves so the listen backlog is never the limit being measured.
            int wave = 500;
            for (int i = 0; i < CONNECTIONS; i += wave) {
                List<ChannelFuture> futures = new ArrayList<>(wave);
                for (int j = i; j < Math.min(CONNECTIONS, i + wave); j++) {
                    futures.add(bootstrap.connect(server.localAddress()));
                }
                for (ChannelFuture future : futures) {
                    Channel ch = future.sync().channel();
                    clients.add(ch);
                }
            }
            long connected = System.nanoTime();
            for (int i = 0; i < clients.size(); i++) {
                Channel ch = clients.get(i);
                ch.attr(ID).set((long) i);
                ch.writeAndFlush(ch.alloc().buffer(8).writeLong(i));
            }
            assertTrue(echoed.await(300, TimeUnit.SECONDS), "echoes missing: " + echoed.getCount());
            long done = System.nanoTime();
            assertEquals(CONNECTIONS, verified.get());
            assertEquals(0, wrong.get());
            long open = ResourceBaseline.handleCount() - baseline.handles();
            System.out.printf("scale: %d connections on one loop thread: connect %.1f s, all echoed %.1f s later;"
                            + " %d more OS handles while open%n", CONNECTIONS, (connected - start) / 1e9,
                    (done - connected) / 1e9, open);
            for (Channel ch : clients) {
                ch.close();
            }
            for (Channel ch : clients) {
                ch.closeFuture().sync();
            }
            server.close().sync();
        } finally {
            clientLoop.shutdownGracefully(0, 10, TimeUnit.SECONDS).sync();
            serverLoop.shutdownGracefully(0, 10, TimeUnit.SECONDS).sync();
        }
        baseline.assertRestored("after " + CONNECTIONS + " connections");
    }

    private static final io.netty.util.AttributeKey<Long> ID = io.netty.util.AttributeKey.valueOf("scale-id");
}
