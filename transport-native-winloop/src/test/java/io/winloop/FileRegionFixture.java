package io.winloop;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;

import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;

/**
 * What the FileRegion tests share: a file of random bytes, the resource baseline taken after it is written, a
 * one-thread Winloop loop, and a plain JDK server socket on loopback whose accepted end the test reads (so the test
 * controls the peer's pace); {@link #close()} shuts both down and checks the baseline.
 */
final class FileRegionFixture {
    final Path file;
    final byte[] content;
    final EventLoopGroup group;
    final ServerSocket server;
    private final ResourceBaseline baseline;

    private FileRegionFixture(Path file, byte[] content) throws IOException {
        this.file = file;
        this.content = content;
        baseline = ResourceBaseline.take();
        group = new WinloopEventLoopGroup(1);
        server = new ServerSocket(0, 4, InetAddress.getLoopbackAddress());
    }

    /** {@code size} bytes from {@code new Random(seed)} in {@code dir/name}. */
    static FileRegionFixture open(Path dir, String name, int size, long seed) throws IOException {
        byte[] content = new byte[size];
        new Random(seed).nextBytes(content);
        return new FileRegionFixture(Files.write(dir.resolve(name), content), content);
    }

    /** A Winloop client channel connected to {@link #server}, with {@code mode} set (null: the default, AUTO). */
    Channel connect(Bootstrap bootstrap, TransmitFileMode mode) throws InterruptedException {
        bootstrap.group(group).channel(WinloopSocketChannel.class).handler(new ChannelInboundHandlerAdapter());
        if (mode != null) {
            bootstrap.option(WinloopChannelOption.TRANSMIT_FILE, mode);
        }
        return bootstrap.connect(server.getLocalSocketAddress()).sync().channel();
    }

    Channel connect(TransmitFileMode mode) throws InterruptedException {
        return connect(new Bootstrap(), mode);
    }

    /** CRC-32 of {@code length} bytes of {@link #content} from {@code offset}. */
    long crcOfContent(int offset, int length) {
        CRC32 crc = new CRC32();
        crc.update(content, offset, length);
        return crc.getValue();
    }

    /** Reads {@code length} bytes from the accepted peer; returns their CRC-32. */
    static long readCrc(Socket peer, long length) throws IOException {
        CRC32 crc = new CRC32();
        byte[] buffer = new byte[256 * 1024];
        InputStream in = peer.getInputStream();
        long left = length;
        while (left > 0) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (n < 0) {
                throw new IOException("end of stream with " + left + " bytes to go");
            }
            crc.update(buffer, 0, n);
            left -= n;
        }
        return crc.getValue();
    }

    /** A sparse file of {@code size} zero bytes (nothing written: a region of it costs no disk). */
    static Path sparseFile(Path dir, String name, long size) throws IOException {
        Path path = dir.resolve(name);
        try (RandomAccessFile raf = new RandomAccessFile(path.toFile(), "rw")) {
            raf.setLength(size);
        }
        return path;
    }

    /** Closes the server socket, shuts the loop down, and asserts the handles and native blocks are back. */
    void close() throws Exception {
        server.close();
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).sync();
        baseline.assertRestored();
    }
}
