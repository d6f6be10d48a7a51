package io.winloop.example;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.winloop.internal.win.NativeMemory;
import io.winloop.internal.win.ProcessHandles;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.InetSocketAddress;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Mixed load for a given time, on one transport, in one JVM: persistent connections ping-ponging messages of
 * random size (1 B .. 16 KiB) plus a stream of short connections (connect, one request, close). Prints a row per
 * interval: connections open, messages/s, heap used, the process's OS handles and the transport's live native
 * blocks. A healthy transport keeps every column but throughput flat.
 *
 * <pre>example/run Soak --minutes 10 --connections 200 --interval 60</pre>
 */
public final class Soak {
    private Soak() {
    }

    public static void main(String[] argv) throws Exception {
        Args args = new Args(argv, "Soak [--minutes 10] [--interval 60] [--connections 200] [--churn 20]"
                + " [--threads 2]");
        double minutes = args.getDouble("minutes", 10);
        int interval = args.getInt("interval", 60);
        int persistent = args.getInt("connections", 200);
        int churnPerSecond = args.getInt("churn", 20);
        int threads = args.getInt("threads", 2);

        Transport transport = Transport.WINLOOP;
        EventLoopGroup serverGroup = transport.newGroup(threads);
        EventLoopGroup clientGroup = transport.newGroup(threads);
        AtomicLong messages = new AtomicLong();
        AtomicInteger open = new AtomicInteger();
        Failures failures = new Failures();
        try {
            Channel server = new ServerBootstrap().group(serverGroup).channel(transport.serverChannel())
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .childHandler(EchoServer.EchoHandler.INSTANCE).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
            Bootstrap ping = new Bootstrap().group(clientGroup).channel(transport.socketChannel())
                    .handler(new PingPong(messages, open, failures, false));
            Bootstrap churn = new Bootstrap().group(clientGroup).channel(transport.socketChannel())
                    .handler(new PingPong(messages, open, failures, true));
            for (int i = 0; i < persistent; i++) {
                ping.connect(server.localAddress()).sync();
            }
            MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
            System.out.printf("soak: %s, %d persistent connections + %d short ones/s, %.1f min, a row every %d s%n",
                    transport, persistent, churnPerSecond, minutes, interval);
            System.out.printf("%8s %12s %10s %10s %10s %12s %9s%n", "minute", "connections", "msgs/s",
                    "heap_MB", "handles", "live_blocks", "failures");
            long end = System.nanoTime() + (long) (minutes * 60e9);
            long nextRow = System.nanoTime() + interval * 1_000_000_000L;
            long start = System.nanoTime();
            long lastMessages = 0;
            long lastRow = start;
            while (System.nanoTime() < end) {
                for (int i = 0; i < churnPerSecond / 10; i++) {
                    churn.connect(server.localAddress()).addListener((ChannelFutureListener) f -> {
                        if (!f.isSuccess()) {
                            failures.add(f.cause());
                        }
                    });
                }
                Thread.sleep(100);
                long now = System.nanoTime();
                if (now >= nextRow) {
                    System.gc();
                    long total = messages.get();
                    System.out.printf("%8.1f %12d %10.0f %10.1f %10d %12d %9d%n", (now - start) / 60e9, open.get(),
                            (total - lastMessages) / ((now - lastRow) / 1e9),
                            memory.getHeapMemoryUsage().getUsed() / 1048576.0, ProcessHandles.count(),
                            NativeMemory.liveBlocks(), failures.get());
                    lastMessages = total;
                    lastRow = now;
                    nextRow += interval * 1_000_000_000L;
                }
            }
            server.close().sync();
        } finally {
            clientGroup.shutdownGracefully().sync();
            serverGroup.shutdownGracefully().sync();
        }
        System.out.printf("after shutdown: handles %d, live native blocks %d%n", ProcessHandles.count(),
                NativeMemory.liveBlocks());
        if (failures.first != null) {
            System.out.println("first failure:");
            failures.first.printStackTrace(System.out);
        }
    }

    /** Sends a random-size message and waits for all of it before the next (or, for churn, before closing). */
    @ChannelHandler.Sharable
    private static final class PingPong extends ChannelInboundHandlerAdapter {
        private final AtomicLong messages;
        private final AtomicInteger open;
        private final Failures failures;
        private final boolean once;

        PingPong(AtomicLong messages, AtomicInteger open, Failures failures, boolean once) {
            this.messages = messages;
            this.open = open;
            this.failures = failures;
            this.once = once;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            open.incrementAndGet();
            send(ctx);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            open.decrementAndGet();
        }

        private static void send(ChannelHandlerContext ctx) {
            int size = 1 + ThreadLocalRandom.current().nextInt(16 * 1024);
            ctx.channel().attr(Expected.KEY).set(new Expected(size));
            ctx.writeAndFlush(ctx.alloc().buffer(size).writeZero(size));
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            Expected expected = ctx.channel().attr(Expected.KEY).get();
            expected.remaining -= buf.readableBytes();
            buf.release();
            if (expected.remaining == 0) {
                messages.incrementAndGet();
                if (once) {
                    ctx.close();
                } else {
                    send(ctx);
                }
            } else if (expected.remaining < 0) {
                failures.add(new IllegalStateException("echoed more bytes than sent"));
                ctx.close();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            failures.add(cause);
            ctx.close();
        }
    }

    /** Counts failures and keeps the first, to show what went wrong. */
    private static final class Failures {
        final AtomicLong count = new AtomicLong();
        volatile Throwable first;

        void add(Throwable cause) {
            if (count.getAndIncrement() == 0) {
                first = cause;
            }
        }

        long get() {
            return count.get();
        }
    }

    private static final class Expected {
        static final io.netty.util.AttributeKey<Expected> KEY = io.netty.util.AttributeKey.valueOf("soak-expected");
        int remaining;

        Expected(int remaining) {
            this.remaining = remaining;
        }
    }
}
