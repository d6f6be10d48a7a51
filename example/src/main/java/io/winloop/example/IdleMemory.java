package io.winloop.example;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.AttributeKey;
import io.netty.util.ReferenceCountUtil;
import io.winloop.WinloopIoHandler;
import io.winloop.WinloopIoMode;
import io.winloop.WinloopServerSocketChannel;
import io.winloop.WinloopSocketChannel;
import io.winloop.internal.win.NativeMemory;

import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Memory per idle connection, server side, in each {@link WinloopIoMode}: N connections each echo one 64-byte
 * message, then sit idle; the server's loop is measured right after the echoes (completion mode's buffered reads
 * still pending) and after {@code --idle} seconds (its sweep has cancelled them: the connections wait by AFD poll). Heap is measured
 * after GC and includes the clients (the same in both modes: compare the columns, not the absolute numbers);
 * Winloop's native blocks are counted; the direct memory in use of the connections' (unpooled) allocator is the
 * read buffers pinned by pending reads.
 *
 * <pre>example/run IdleMemory --connections 1000 --idle 3</pre>
 */
public final class IdleMemory {
    /** Unpooled, so that its count of direct memory in use is exactly the buffers alive (a pool keeps chunks). */
    private static final UnpooledByteBufAllocator ALLOCATOR = new UnpooledByteBufAllocator(true);

    private IdleMemory() {
    }

    public static void main(String[] argv) throws Exception {
        Args args = new Args(argv, "IdleMemory [--connections 1000] [--idle 3]");
        int connections = args.getInt("connections", 1000);
        double idleSeconds = args.getDouble("idle", 3);
        System.out.printf(Locale.ROOT, "%-10s %-12s %14s %16s %18s%n", "mode", "when", "heap B/conn",
                "native blocks/conn", "direct in use B/conn");
        for (WinloopIoMode mode : WinloopIoMode.values()) {
            measure(mode, connections, idleSeconds);
        }
    }

    private static void measure(WinloopIoMode mode, int n, double idleSeconds) throws Exception {
        EventLoopGroup serverGroup = new MultiThreadIoEventLoopGroup(1, WinloopIoHandler.newFactory(mode));
        EventLoopGroup clientGroup = new MultiThreadIoEventLoopGroup(1,
                WinloopIoHandler.newFactory(WinloopIoMode.READINESS));
        List<Channel> clients = new ArrayList<>(n);
        try {
            Channel server = new ServerBootstrap().group(serverGroup).channel(WinloopServerSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, 1024).childOption(ChannelOption.ALLOCATOR, ALLOCATOR)
                    .childHandler(EchoServer.EchoHandler.INSTANCE)
                    .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
            Snapshot before = Snapshot.take();
            CountDownLatch echoed = new CountDownLatch(n);
            Bootstrap bootstrap = new Bootstrap().group(clientGroup).channel(WinloopSocketChannel.class)
                    .option(ChannelOption.ALLOCATOR, ALLOCATOR).handler(new FirstRead(echoed));
            for (int i = 0; i < n; i++) {
                Channel client = bootstrap.connect(server.localAddress()).sync().channel();
                clients.add(client);
                client.writeAndFlush(Unpooled.wrappedBuffer(new byte[64]));
            }
            if (!echoed.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("not every connection got its echo: " + echoed.getCount() + " left");
            }
            print(mode, "after echo", before, Snapshot.take(), n);
            Thread.sleep((long) (idleSeconds * 1000));
            print(mode, String.format(Locale.ROOT, "idle %.0f s", idleSeconds), before, Snapshot.take(), n);
            for (Channel client : clients) {
                client.close();
            }
            server.close().sync();
        } finally {
            clientGroup.shutdownGracefully(0, 5, TimeUnit.SECONDS).sync();
            serverGroup.shutdownGracefully(0, 5, TimeUnit.SECONDS).sync();
        }
    }

    /** Counts each connection's first read (its echo). */
    @ChannelHandler.Sharable
    private static final class FirstRead extends ChannelInboundHandlerAdapter {
        private final CountDownLatch echoed;

        FirstRead(CountDownLatch echoed) {
            this.echoed = echoed;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
            if (ctx.channel().attr(SEEN).setIfAbsent(Boolean.TRUE) == null) {
                echoed.countDown();
            }
        }
    }

    private static final AttributeKey<Boolean> SEEN = AttributeKey.valueOf(IdleMemory.class, "seen");

    private static void print(WinloopIoMode mode, String when, Snapshot before, Snapshot after, int n) {
        System.out.printf(Locale.ROOT, "%-10s %-12s %14.0f %16.2f %18.0f%n", mode.name().toLowerCase(Locale.ROOT),
                when, (after.heap - before.heap) / (double) n, (after.nativeBlocks - before.nativeBlocks) / (double) n,
                (after.direct - before.direct) / (double) n);
    }

    private static final class Snapshot {
        final long heap;
        final long nativeBlocks;
        final long direct;

        private Snapshot(long heap, long nativeBlocks, long direct) {
            this.heap = heap;
            this.nativeBlocks = nativeBlocks;
            this.direct = direct;
        }

        static Snapshot take() throws InterruptedException {
            for (int i = 0; i < 3; i++) {
                System.gc();
                Thread.sleep(100);
            }
            long direct = ALLOCATOR.metric().usedDirectMemory();
            return new Snapshot(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(),
                    NativeMemory.liveBlocks(), direct);
        }
    }
}
