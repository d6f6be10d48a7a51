package io.winloop.reliability;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.bootstrap.ServerBootstrap;
import io.winloop.EchoHandler;
import io.winloop.ResourceBaseline;
import io.winloop.WinloopEventLoopGroup;
import io.winloop.WinloopServerSocketChannel;
import io.winloop.WinloopSocketChannel;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Pushes {@code -Dwinloop.integrity.bytes} (default 1 GiB, split between the two allocators) through a Winloop
 * echo path in messages of mixed sizes (1 B .. 64 KiB) on several connections, and checks length and CRC-32 of the
 * stream as sent, as the server received it, and as echoed back: nothing lost, duplicated or reordered.
 */
class EchoIntegrityTest {
    private static final long TOTAL_BYTES = Long.getLong("winloop.integrity.bytes", 1L << 30);
    private static final int CONNECTIONS = 8;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"pooled", "unpooled-heap"})
    @Timeout(value = 600, unit = TimeUnit.SECONDS)
    void everyByteComesBackInOrder(String allocatorName) throws Exception {
        ByteBufAllocator allocator = "pooled".equals(allocatorName)
                ? PooledByteBufAllocator.DEFAULT : new UnpooledByteBufAllocator(false);
        long perConnection = TOTAL_BYTES / 2 / CONNECTIONS;
        ResourceBaseline baseline = ResourceBaseline.takeWatchingLeaks();
        EventLoopGroup serverGroup = new WinloopEventLoopGroup(1);
        EventLoopGroup clientGroup = new WinloopEventLoopGroup(1);
        Map<Integer, long[]> serverSide = new ConcurrentHashMap<>();
        long start = System.nanoTime();
        try {
            Channel server = new ServerBootstrap().group(serverGroup).channel(WinloopServerSocketChannel.class)
                    .childOption(ChannelOption.ALLOCATOR, allocator)
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(new ChecksumHandler(serverSide), EchoHandler.INSTANCE);
                        }
                    }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
            CompletableFuture<?>[] done = new CompletableFuture<?>[CONNECTIONS];
            Sender[] senders = new Sender[CONNECTIONS];
            for (int i = 0; i < CONNECTIONS; i++) {
                senders[i] = new Sender(i, perConnection);
                done[i] = senders[i].done;
                Sender sender = senders[i];
                new Bootstrap().group(clientGroup).channel(WinloopSocketChannel.class)
                        .option(ChannelOption.ALLOCATOR, allocator)
                        .handler(sender).connect(server.localAddress()).sync();
            }
            CompletableFuture.allOf(done).get(540, TimeUnit.SECONDS);
            for (Sender sender : senders) {
                sender.channel.close().sync();
            }
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (serverSide.size() < CONNECTIONS && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            long[] sentCrcs = new long[CONNECTIONS];
            for (Sender sender : senders) {
                assertEquals(perConnection, sender.received, "bytes echoed back on connection " + sender.id);
                assertEquals(sender.sentCrc.getValue(), sender.receivedCrc.getValue(),
                        "CRC-32 echoed back on connection " + sender.id);
                sentCrcs[sender.id] = sender.sentCrc.getValue();
            }
            assertEquals(CONNECTIONS, serverSide.size(), "server saw every connection end");
            int matched = 0;
            for (long[] seen : serverSide.values()) {
                assertEquals(perConnection, seen[0], "bytes the server received on one connection");
                for (long crc : sentCrcs) {
                    if (crc == seen[1]) {
                        matched++;
                        break;
                    }
                }
            }
            assertEquals(CONNECTIONS, matched, "server-side CRC-32 of each connection matches one sent stream");
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("integrity (%s): %d MiB echoed over %d connections in %.1f s (%.1f MiB/s each way),"
                            + " length and CRC-32 equal at both ends%n", allocatorName,
                    perConnection * CONNECTIONS >> 20, CONNECTIONS, seconds,
                    perConnection * CONNECTIONS / seconds / (1 << 20));
            server.close().sync();
        } finally {
            clientGroup.shutdownGracefully(0, 5, TimeUnit.SECONDS).sync();
            serverGroup.shutdownGracefully(0, 5, TimeUnit.SECONDS).sync();
        }
        baseline.assertRestored("integrity " + allocatorName);
    }

    /** Server side: length and CRC-32 of all a connection received, recorded when it ends. */
    private static final class ChecksumHandler extends ChannelInboundHandlerAdapter {
        private static int next;
        private final Map<Integer, long[]> results;
        private final CRC32 crc = new CRC32();
        private long bytes;

        ChecksumHandler(Map<Integer, long[]> results) {
            this.results = results;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            update(crc, buf);
            bytes += buf.readableBytes();
            ctx.fireChannelRead(msg);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            synchronized (ChecksumHandler.class) {
                results.put(next++, new long[] {bytes, crc.getValue()});
            }
            ctx.fireChannelInactive();
        }
    }

    /** One bulk call per buffer: per-byte access would be recorded by the PARANOID leak detector. */
    static void update(CRC32 crc, ByteBuf buf) {
        for (java.nio.ByteBuffer nio : buf.nioBuffers()) {
            crc.update(nio);
        }
    }

    /** Client side: writes mixed-size messages while the channel is writable, checks what comes back. */
    @ChannelHandler.Sharable
    private static final class Sender extends ChannelInboundHandlerAdapter {
        final int id;
        final long total;
        final CRC32 sentCrc = new CRC32();
        final CRC32 receivedCrc = new CRC32();
        final CompletableFuture<Void> done = new CompletableFuture<>();
        final Random random;
        long sent;
        long received;
        Channel channel;

        Sender(int id, long total) {
            this.id = id;
            this.total = total;
            this.random = new Random(id * 7919L);
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            channel = ctx.channel();
            writeWhileWritable(ctx);
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            writeWhileWritable(ctx);
        }

        private void writeWhileWritable(ChannelHandlerContext ctx) {
            while (sent < total && ctx.channel().isWritable()) {
                int size = (int) Math.min(total - sent, 1 + random.nextInt(random.nextBoolean() ? 256 : 65536));
                byte[] bytes = new byte[size];
                random.nextBytes(bytes);
                ByteBuf buf = ctx.alloc().buffer(size).writeBytes(bytes);
                update(sentCrc, buf);
                sent += size;
                ctx.write(buf, ctx.voidPromise());
            }
            ctx.flush();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            try {
                update(receivedCrc, buf);
                received += buf.readableBytes();
            } finally {
                buf.release();
            }
            if (received == total) {
                done.complete(null);
            } else if (received > total) {
                done.completeExceptionally(new AssertionError("echoed more than sent: " + received));
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            done.completeExceptionally(cause);
        }
    }
}
