package io.winloop.reliability;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.winloop.ResourceBaseline;
import io.winloop.WinloopEventLoopGroup;
import io.winloop.WinloopFileRegion;
import io.winloop.WinloopServerSocketChannel;
import io.winloop.WinloopSocketChannel;
import io.winloop.internal.zerocopy.FileRegionStats;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Zero-copy FileRegions under faults: a server sends a 24 MiB file with TransmitFile to 40 clients at once, of which
 * 20 read it all (CRC checked), 10 reset the connection part way, and 10 are closed by the server while their
 * transmission is in flight; then a server loop shuts down with transmissions in flight. After each, every file
 * handle, socket and native block is given back (ResourceBaseline), no region leaks, and a fresh client still gets
 * the whole file.
 */
class FileRegionStormTest {
    /** Larger than what loopback's socket buffers take in, so that a peer that does not read holds a call in flight. */
    private static final int FILE_SIZE = 24 * 1024 * 1024;

    @TempDir
    Path dir;

    private ResourceBaseline baseline;
    private Path file;
    private long fileCrc;

    @BeforeEach
    void setUp() throws IOException {
        byte[] content = new byte[FILE_SIZE];
        new Random(5).nextBytes(content);
        file = Files.write(dir.resolve("storm.bin"), content);
        CRC32 crc = new CRC32();
        crc.update(content);
        fileCrc = crc.getValue();
        baseline = ResourceBaseline.takeWatchingLeaks();
    }

    @AfterEach
    void tearDown() throws Exception {
        assertEquals(0, FileRegionStats.openFiles(), "file handles the transmitters still hold");
        baseline.assertRestored(getClass().getSimpleName());
    }

    /** A server that writes the file to each connection; a connection whose id is in {@code closeInFlight} is closed
     *  by the server 100 ms after its write starts. */
    private Channel server(EventLoopGroup group, List<ChannelFuture> writes, AtomicInteger accepted,
                           java.util.Set<Integer> closeInFlight) throws InterruptedException {
        return new ServerBootstrap().group(group).channel(WinloopServerSocketChannel.class)
                .childHandler(new FileWriter(writes, accepted, closeInFlight))
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    }

    /** Writes the file to each connection as it becomes active (one instance serves them all). */
    @ChannelHandler.Sharable
    private final class FileWriter extends ChannelInboundHandlerAdapter {
        private final List<ChannelFuture> writes;
        private final AtomicInteger accepted;
        private final java.util.Set<Integer> closeInFlight;

        FileWriter(List<ChannelFuture> writes, AtomicInteger accepted, java.util.Set<Integer> closeInFlight) {
            this.writes = writes;
            this.accepted = accepted;
            this.closeInFlight = closeInFlight;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            int id = accepted.getAndIncrement();
            ChannelFuture write = ctx.writeAndFlush(new WinloopFileRegion(file, 0, FILE_SIZE));
            writes.add(write);
            if (closeInFlight.contains(id)) {
                ctx.executor().schedule(() -> ctx.close(), 100, TimeUnit.MILLISECONDS);
            }
        }
    }

    /** Waits up to 30 s for the server to have started {@code count} writes, and asserts that it has. */
    private static void awaitWrites(List<ChannelFuture> writes, int count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (writes.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(count, writes.size());
    }

    /**
     * A Winloop client of the server at {@code address}: it reads the file and completes {@code crc} with its CRC-32
     * ({@code resetAfter} &lt; 0), or resets the connection once it has read {@code resetAfter} bytes, or never
     * reads ({@code autoRead} false). (JDK client sockets in threads of their own would do as well, but under Wine
     * each such thread leaves two event handles behind, which the handle count would blame on the transport.)
     */
    private static Channel client(EventLoopGroup group, InetSocketAddress address, long resetAfter, boolean autoRead,
                                  CompletableFuture<Long> crc) throws InterruptedException {
        return new Bootstrap().group(group).channel(WinloopSocketChannel.class)
                .option(ChannelOption.AUTO_READ, autoRead)
                .handler(new ChannelInboundHandlerAdapter() {
                    private final CRC32 sum = new CRC32();
                    private long read;

                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        ByteBuf buf = (ByteBuf) msg;
                        try {
                            read += buf.readableBytes();
                            sum.update(buf.nioBuffer());
                        } finally {
                            buf.release();
                        }
                        if (resetAfter >= 0 && read >= resetAfter && ctx.channel().isOpen()) {
                            ctx.channel().config().setOption(ChannelOption.SO_LINGER, 0);
                            ctx.close();
                            crc.complete(-1L);
                        } else if (resetAfter < 0 && read == FILE_SIZE) {
                            crc.complete(sum.getValue());
                        }
                    }

                    @Override
                    public void channelInactive(ChannelHandlerContext ctx) {
                        crc.completeExceptionally(new IOException("closed after " + read + " bytes"));
                    }
                }).connect(address).sync().channel();
    }

    private long readAll(EventLoopGroup group, InetSocketAddress address) throws Exception {
        CompletableFuture<Long> crc = new CompletableFuture<>();
        Channel channel = client(group, address, -1, true, crc);
        try {
            return crc.get(60, TimeUnit.SECONDS);
        } finally {
            channel.close().sync();
        }
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void fortyTransmissionsWithResetsAndClosesInFlight() throws Exception {
        EventLoopGroup group = new WinloopEventLoopGroup(1);
        EventLoopGroup clients = new WinloopEventLoopGroup(2);
        List<ChannelFuture> writes = new CopyOnWriteArrayList<>();
        AtomicInteger accepted = new AtomicInteger();
        // Connections are numbered in accept order: the 30 readers connect first, then the 10 that never read and
        // that the server closes with their transmission in flight (ids 30 to 39).
        java.util.Set<Integer> closeInFlight = ConcurrentHashMap.newKeySet();
        for (int id = 30; id < 40; id++) {
            closeInFlight.add(id);
        }
        long calls = FileRegionStats.transmitFileCalls();
        List<Channel> channels = new ArrayList<>();
        try {
            Channel server = server(group, writes, accepted, closeInFlight);
            InetSocketAddress address = (InetSocketAddress) server.localAddress();
            List<CompletableFuture<Long>> full = new ArrayList<>();
            List<CompletableFuture<Long>> resets = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                CompletableFuture<Long> crc = new CompletableFuture<>();
                (i < 20 ? full : resets).add(crc);
                channels.add(client(clients, address, i < 20 ? -1 : 256 * 1024, true, crc));
            }
            for (CompletableFuture<Long> crc : full) {
                assertEquals(fileCrc, crc.get(120, TimeUnit.SECONDS));
            }
            for (CompletableFuture<Long> crc : resets) {
                assertEquals(-1L, crc.get(60, TimeUnit.SECONDS));
            }
            assertEquals(30, accepted.get());
            for (int i = 0; i < 10; i++) {
                channels.add(client(clients, address, -1, false, new CompletableFuture<>()));
            }
            awaitWrites(writes, 40);
            for (ChannelFuture write : writes) {
                assertTrue(write.await(30, TimeUnit.SECONDS), "every write ends");
            }
            long succeeded = writes.stream().filter(ChannelFuture::isSuccess).count();
            assertTrue(succeeded >= 20, "the 20 full reads were sent: " + succeeded);
            // A reset may come after the kernel took the rest of the file in; a close in flight always fails.
            assertTrue(succeeded <= 30, "closes in flight fail their writes: " + succeeded);
            // Still serving, zero-copy.
            assertEquals(fileCrc, readAll(clients, address));
            assertTrue(FileRegionStats.transmitFileCalls() - calls >= 41, "TransmitFile for every region");
            server.close().sync();
        } finally {
            for (Channel channel : channels) {
                channel.close().sync();
            }
            clients.shutdownGracefully(0, 5, TimeUnit.SECONDS).sync();
            group.shutdownGracefully(0, 5, TimeUnit.SECONDS).sync();
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void loopShutdownWithTransmissionsInFlight() throws Exception {
        EventLoopGroup group = new WinloopEventLoopGroup(1);
        EventLoopGroup clients = new WinloopEventLoopGroup(1);
        List<ChannelFuture> writes = new CopyOnWriteArrayList<>();
        List<Channel> silent = new ArrayList<>();
        try {
            Channel server = server(group, writes, new AtomicInteger(), ConcurrentHashMap.newKeySet());
            InetSocketAddress address = (InetSocketAddress) server.localAddress();
            for (int i = 0; i < 10; i++) {
                silent.add(client(clients, address, -1, false, new CompletableFuture<>())); // never read
            }
            awaitWrites(writes, 10);
            Thread.sleep(200);
            for (ChannelFuture write : writes) {
                assertTrue(!write.isDone(), "in flight while nobody reads");
            }
        } finally {
            group.shutdownGracefully(0, 5, TimeUnit.SECONDS).sync();
            clients.shutdownGracefully(0, 5, TimeUnit.SECONDS).sync();
        }
        for (ChannelFuture write : writes) {
            assertTrue(write.isDone() && !write.isSuccess(), "failed by the shutdown: " + write);
        }
    }
}
