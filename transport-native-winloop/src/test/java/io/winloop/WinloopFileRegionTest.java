package io.winloop;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelProgressiveFuture;
import io.netty.channel.ChannelProgressiveFutureListener;
import io.netty.channel.ChannelProgressivePromise;
import io.netty.channel.DefaultFileRegion;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FileRegion;
import io.netty.channel.MessageSizeEstimator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.util.internal.PlatformDependent;
import io.winloop.internal.win.ProcessHandles;
import io.winloop.internal.zerocopy.FileRegionStats;
import io.winloop.internal.zerocopy.FileRegionTransmitter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.net.Socket;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;

import static io.winloop.FileRegionFixture.readCrc;
import static io.winloop.FileRegionFixture.sparseFile;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * FileRegions sent with TransmitFile by a Winloop client to a plain JDK socket (whose reads the test controls):
 * integrity from an offset, regions split into several calls with progress, a region above 2 GiB - 1, a file
 * shorter than its region, a peer that resets mid-region, a close with a call in flight, writability while one is in
 * flight, and the FileChannel-built region's route or its explicit fallback, all with TRANSMIT_FILE set to ALWAYS.
 * After each test the loop's native blocks and the process's handles are back where they were.
 */
class WinloopFileRegionTest {
    private static final int FILE_SIZE = 5 * 1024 * 1024 + 12345;

    @TempDir
    Path dir;

    private FileRegionFixture fixture;

    @BeforeEach
    void setUp() throws IOException {
        fixture = FileRegionFixture.open(dir, "region.bin", FILE_SIZE, 11);
    }

    @AfterEach
    void tearDown() throws Exception {
        FileRegionTransmitter.maxBytesPerCall(Integer.MAX_VALUE - 1);
        fixture.close();
    }

    /**
     * Every channel here opts in to TransmitFile: the lanes' Wines report a workstation edition, where the default
     * (AUTO) copies (WinloopFileRegionModeTest).
     */
    private Channel connect(Bootstrap bootstrap) throws InterruptedException {
        return fixture.connect(bootstrap, TransmitFileMode.ALWAYS);
    }

    private Channel connect() throws InterruptedException {
        return connect(new Bootstrap());
    }

    @Test
    @Timeout(60)
    void pathRegionInSeveralCallsWithProgress() throws Exception {
        FileRegionTransmitter.maxBytesPerCall(1024 * 1024);
        Channel channel = connect();
        try (Socket peer = fixture.server.accept()) {
            int offset = 777;
            int count = FILE_SIZE - offset - 100;
            WinloopFileRegion region = new WinloopFileRegion(fixture.file, offset, count);
            List<Long> progress = new CopyOnWriteArrayList<>();
            long calls = FileRegionStats.transmitFileCalls();
            long copiedBytes = FileRegionStats.copiedBytes();
            // The listener is added before the write, so that no progress event can precede it.
            ChannelProgressivePromise promise = channel.newProgressivePromise();
            promise.addListener(new ChannelProgressiveFutureListener() {
                @Override
                public void operationProgressed(ChannelProgressiveFuture future, long done, long total) {
                    progress.add(done);
                }

                @Override
                public void operationComplete(ChannelProgressiveFuture future) {
                }
            });
            ChannelFuture write = channel.writeAndFlush(region, promise);
            assertEquals(fixture.crcOfContent(offset, count), readCrc(peer, count));
            write.sync();
            assertEquals(count, region.transferred());
            assertEquals(0, region.refCnt(), "released once written");
            assertEquals(6, FileRegionStats.transmitFileCalls() - calls, "5 MiB + 11468 bytes in 1 MiB calls");
            assertEquals(copiedBytes, FileRegionStats.copiedBytes(), "nothing went through the JVM");
            assertEquals(6, progress.size(), "progress per call: " + progress);
            for (int i = 0; i < 5; i++) {
                assertEquals((i + 1) * 1024L * 1024, progress.get(i));
            }
            assertEquals((long) count, progress.get(5));
        } finally {
            channel.close().sync();
        }
    }

    /** Each region's file handle is closed when it is sent: 100 regions on one channel leave no handle behind. */
    @Test
    @Timeout(60)
    void manyRegionsLeaveNoHandleBehind() throws Exception {
        Channel channel = connect();
        try (Socket peer = fixture.server.accept()) {
            long handles = ProcessHandles.count();
            for (int i = 0; i < 100; i++) {
                ChannelFuture write = channel.writeAndFlush(new WinloopFileRegion(fixture.file, i, 1000));
                assertEquals(fixture.crcOfContent(i, 1000), readCrc(peer, 1000));
                write.sync();
            }
            assertTrue(ProcessHandles.count() <= handles + 24, "handles: " + ProcessHandles.count() + " vs "
                    + handles + " before 100 regions");
        } finally {
            channel.close().sync();
        }
    }

    /** Closes with a call in flight, and peers that reset part way, 20 times each: no handle left behind. */
    @Test
    @Timeout(120)
    void closesAndResetsInFlightLeaveNoHandleBehind() throws Exception {
        Path big = sparseFile(dir, "faults.bin", 64L << 20);
        long handles = ProcessHandles.count();
        for (int i = 0; i < 40; i++) {
            Channel channel = connect();
            try (Socket peer = fixture.server.accept()) {
                ChannelFuture write = channel.writeAndFlush(new WinloopFileRegion(big, 0, 64L << 20));
                byte[] buffer = new byte[64 * 1024];
                assertTrue(peer.getInputStream().read(buffer) > 0);
                if (i % 2 == 0) {
                    channel.close().sync();
                } else {
                    peer.setSoLinger(true, 0);
                }
                peer.close();
                assertTrue(write.await(10, TimeUnit.SECONDS), "write ended (" + i + ")");
                channel.close().sync();
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (ProcessHandles.count() > handles + 24 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertTrue(ProcessHandles.count() <= handles + 24, "handles: " + ProcessHandles.count() + " vs "
                + handles + " before 40 faults");
    }

    /** A region bigger than one TransmitFile call may send (2^31 - 2 bytes): a sparse file of 2 GiB + 3 MiB. */
    @Test
    @Timeout(300)
    void regionAboveTwoGigabytes() throws Exception {
        Path big = dir.resolve("big.bin");
        long size = (2L << 30) + 3 * 1024 * 1024;
        try (RandomAccessFile raf = new RandomAccessFile(big.toFile(), "rw")) {
            raf.setLength(size);
            raf.seek(size - fixture.content.length);
            raf.write(fixture.content); // the tail is real data, so that the end of the region is checked byte for byte
        }
        Channel channel = connect();
        try (Socket peer = fixture.server.accept()) {
            long calls = FileRegionStats.transmitFileCalls();
            DefaultFileRegion region = new DefaultFileRegion(big.toFile(), 0, size);
            ChannelFuture write = channel.writeAndFlush(region);
            byte[] buffer = new byte[1 << 20];
            InputStream in = peer.getInputStream();
            long left = size - fixture.content.length;
            while (left > 0) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                assertTrue(n > 0, "end of stream with " + left + " bytes to go");
                left -= n;
            }
            assertEquals(fixture.crcOfContent(0, fixture.content.length), readCrc(peer, fixture.content.length), "the region's tail");
            write.sync();
            assertEquals(size, region.transferred());
            assertEquals(2, FileRegionStats.transmitFileCalls() - calls, "2^31 - 2 bytes, then the rest");
        } finally {
            channel.close().sync();
        }
    }

    @Test
    @Timeout(60)
    void fileChannelRegionGoesZeroCopyWhereTheHandleIsReachable() throws Exception {
        Channel channel = connect();
        try (Socket peer = fixture.server.accept();
             RandomAccessFile raf = new RandomAccessFile(fixture.file.toFile(), "r")) {
            long calls = FileRegionStats.transmitFileCalls();
            long copied = FileRegionStats.copiedRegions();
            DefaultFileRegion region = new DefaultFileRegion(raf.getChannel(), 100, 1_000_000);
            ChannelFuture write = channel.writeAndFlush(region);
            assertEquals(fixture.crcOfContent(100, 1_000_000), readCrc(peer, 1_000_000));
            write.sync();
            // The HANDLE is in sun.nio.ch.FileChannelImpl.fd: reachable through Netty's Unsafe (Java 9 to 24) or
            // reflection (Java 8); this module's tests run without --add-opens, so on Java 16+ without Unsafe
            // (lane B: Java 25) the region must take the copying path, counted, not fail.
            boolean reachable = PlatformDependent.javaVersion() < 9 || PlatformDependent.hasUnsafe();
            if (reachable) {
                assertEquals(1, FileRegionStats.transmitFileCalls() - calls);
                assertEquals(copied, FileRegionStats.copiedRegions());
            } else if (PlatformDependent.javaVersion() >= 16) {
                assertEquals(calls, FileRegionStats.transmitFileCalls());
                assertEquals(copied + 1, FileRegionStats.copiedRegions());
                // Chosen and said, not swallowed: the reason names the flags that would make it zero-copy.
                assertTrue(io.winloop.internal.zerocopy.RegionFiles.fallbackReasons().stream().anyMatch(reason ->
                        reason.contains("--add-opens java.base/sun.nio.ch=ALL-UNNAMED")),
                        "fallback reasons: " + io.winloop.internal.zerocopy.RegionFiles.fallbackReasons());
            }
            assertEquals(0, region.refCnt());
            assertFalse(raf.getChannel().isOpen(), "closed by the region's release, as Netty's own transports do");
        } finally {
            channel.close().sync();
        }
    }

    /**
     * A channel that sent a region with TransmitFile (its socket is now associated with its loop's port), then is
     * deregistered and registered with another loop, keeps sending regions: with TransmitFile where Windows can move
     * the socket to the new loop's port (8.1+), by copying (chosen, logged) under Wine, which cannot
     * (tools/probes/overlapped-probe.c).
     */
    @Test
    @Timeout(60)
    void aChannelMovedToAnotherLoopKeepsSendingRegions() throws Exception {
        EventLoopGroup other = new WinloopEventLoopGroup(1);
        Channel channel = connect();
        try (Socket peer = fixture.server.accept()) {
            channel.writeAndFlush(new WinloopFileRegion(fixture.file, 0, 1000)).sync();
            assertEquals(fixture.crcOfContent(0, 1000), readCrc(peer, 1000));
            channel.deregister().sync();
            other.register(channel).sync();
            long calls = FileRegionStats.transmitFileCalls();
            long copied = FileRegionStats.copiedRegions();
            ChannelFuture write = channel.writeAndFlush(new WinloopFileRegion(fixture.file, 1000, 200_000));
            assertEquals(fixture.crcOfContent(1000, 200_000), readCrc(peer, 200_000));
            write.sync();
            if (io.winloop.internal.win.Wine.isMajorVersion(8) || io.winloop.internal.win.Wine.isMajorVersion(10)) {
                assertEquals(calls, FileRegionStats.transmitFileCalls(),
                        "no TransmitFile on a socket that cannot move");
                assertEquals(copied + 1, FileRegionStats.copiedRegions());
            } else {
                assertEquals(calls + 1, FileRegionStats.transmitFileCalls());
                assertEquals(copied, FileRegionStats.copiedRegions());
            }
        } finally {
            channel.close().sync();
            other.shutdownGracefully(0, 5, TimeUnit.SECONDS).sync();
        }
    }

    /** TransmitFile stops at the end of the file; the write fails as Netty's DefaultFileRegion does (netty#8868). */
    @Test
    @Timeout(60)
    void fileShorterThanItsRegionFailsTheWrite() throws Exception {
        Channel channel = connect();
        try (Socket peer = fixture.server.accept()) {
            long calls = FileRegionStats.transmitFileCalls();
            WinloopFileRegion region = new WinloopFileRegion(fixture.file, 0, FILE_SIZE + 1024);
            ChannelFuture write = channel.writeAndFlush(region);
            assertEquals(fixture.crcOfContent(0, FILE_SIZE), readCrc(peer, FILE_SIZE));
            Throwable cause = write.await().cause();
            assertInstanceOf(IOException.class, cause);
            assertTrue(cause.getMessage().startsWith("Underlying file size " + FILE_SIZE + " smaller then"),
                    cause.getMessage());
            assertEquals(1, FileRegionStats.transmitFileCalls() - calls);
            assertEquals(FILE_SIZE, region.transferred());
            assertEquals(0, region.refCnt());
        } finally {
            channel.close().sync();
        }
    }

    /** The peer resets after part of the region: the call completes partially with an error; the write fails. */
    @Test
    @Timeout(60)
    void peerResetMidRegionFailsTheWriteWithWhatWasSent() throws Exception {
        Path big = sparseFile(dir, "reset.bin", 256L << 20);
        Channel channel = connect(new Bootstrap().option(ChannelOption.SO_SNDBUF, 64 * 1024));
        WinloopFileRegion region = new WinloopFileRegion(big, 0, 256L << 20);
        ChannelFuture write;
        try (Socket peer = fixture.server.accept()) {
            peer.setReceiveBufferSize(64 * 1024);
            write = channel.writeAndFlush(region);
            byte[] buffer = new byte[64 * 1024];
            long read = 0;
            while (read < 1024 * 1024) {
                read += peer.getInputStream().read(buffer);
            }
            peer.setSoLinger(true, 0); // close with RST
        }
        Throwable cause = write.await(30, TimeUnit.SECONDS) ? write.cause() : null;
        assertTrue(write.isDone(), "the write ended");
        assertInstanceOf(IOException.class, cause);
        assertTrue(region.transferred() < region.count(), "transferred " + region.transferred());
        assertEquals(0, region.refCnt());
        channel.close().sync();
    }

    @Test
    @Timeout(60)
    void closeWithACallInFlightCancelsIt() throws Exception {
        Path big = sparseFile(dir, "close.bin", 256L << 20);
        Channel channel = connect();
        try (Socket peer = fixture.server.accept()) {
            WinloopFileRegion region = new WinloopFileRegion(big, 0, 256L << 20);
            ChannelFuture write = channel.writeAndFlush(region);
            byte[] buffer = new byte[64 * 1024];
            assertTrue(peer.getInputStream().read(buffer) > 0, "the transmission started"); // then stop reading
            Thread.sleep(200);
            assertFalse(write.isDone(), "in flight while the peer does not read");
            channel.close().sync();
            assertInstanceOf(ClosedChannelException.class, write.await().cause());
            assertEquals(0, region.refCnt());
            assertTrue(region.transferred() < region.count());
        }
        // tearDown: the cancelled call's block is freed on its completion, the file handle is closed.
    }

    /**
     * While a call is in flight the region stays in the outbound buffer: with an estimator that counts a
     * FileRegion's size (Netty's default counts 0), the channel is unwritable until the region is sent, and a buffer
     * written behind the region waits, counted, and arrives after it. The region (64 MiB) is larger than what
     * loopback's socket buffers take in (Linux's, under Wine: up to about 10 MiB), so that it stays in flight while
     * the peer does not read.
     */
    @Test
    @Timeout(60)
    void writabilityFollowsTheRegionInFlight() throws Exception {
        long size = 64L << 20;
        Path big = sparseFile(dir, "writability.bin", size);
        MessageSizeEstimator countingRegions = () -> msg -> msg instanceof FileRegion
                ? (int) ((FileRegion) msg).count() : msg instanceof ByteBuf ? ((ByteBuf) msg).readableBytes() : 8;
        Channel channel = connect(new Bootstrap()
                .option(ChannelOption.MESSAGE_SIZE_ESTIMATOR, countingRegions)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 * 1024, 64 * 1024)));
        try (Socket peer = fixture.server.accept()) {
            assertTrue(channel.isWritable());
            // Written on the loop: from another thread, Netty's write task gives its pending bytes back just before
            // the outbound buffer counts them, so a foreign thread could see the channel writable for a moment.
            ChannelFuture[] writes = channel.eventLoop().submit(() -> {
                ChannelFuture region = channel.write(new WinloopFileRegion(big));
                ChannelFuture tail = channel.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {1, 2, 3, 4}));
                assertFalse(channel.isWritable(), "64 MiB pending");
                return new ChannelFuture[] {region, tail};
            }).get();
            ChannelFuture regionWrite = writes[0];
            ChannelFuture tailWrite = writes[1];
            Thread.sleep(300); // the peer reads nothing: the call stays in flight
            assertFalse(regionWrite.isDone());
            assertFalse(channel.eventLoop().submit(channel::isWritable).get(), "still pending while in flight");
            assertEquals(crcOfZeros(size), readCrc(peer, size));
            byte[] tail = new byte[4];
            int n = 0;
            while (n < 4) {
                n += peer.getInputStream().read(tail, n, 4 - n);
            }
            assertEquals(4, tail[3], "the buffer written behind the region arrives after it");
            regionWrite.sync();
            tailWrite.sync();
            assertTrue(channel.eventLoop().submit(channel::isWritable).get(), "writable once sent");
        } finally {
            channel.close().sync();
        }
    }

    private static long crcOfZeros(long length) {
        CRC32 crc = new CRC32();
        byte[] zeros = new byte[1 << 20];
        for (long left = length; left > 0; left -= zeros.length) {
            crc.update(zeros, 0, (int) Math.min(zeros.length, left));
        }
        return crc.getValue();
    }
}
