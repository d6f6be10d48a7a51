package io.winloop.example;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.DefaultFileRegion;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FileRegion;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.AbstractReferenceCounted;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.winloop.TransmitFileMode;
import io.winloop.WinloopChannelOption;
import io.winloop.WinloopIoHandler;
import io.winloop.WinloopServerSocketChannel;
import io.winloop.internal.zerocopy.FileRegionStats;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.WritableByteChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Sends one file to N clients as a FileRegion, one row per server:
 * <ul>
 * <li>{@code winloop} — a DefaultFileRegion on Winloop: overlapped TransmitFile, the kernel reads and sends;</li>
 * <li>{@code winloop-copy} — the same region wrapped in a FileRegion of the benchmark's own, which Winloop must send
 * through its copying path ({@code FileRegion.transferTo} into the socket, through the JVM);</li>
 * <li>{@code nio} — a DefaultFileRegion on Netty's NIO transport ({@code FileChannel.transferTo} into a
 * nonblocking {@code SocketChannel}; on Windows the JDK uses TransmitFile only for blocking sockets with
 * {@code -Djdk.nio.enableFastFileTransfer=true}, so this maps the file and writes from the mapping).</li>
 * </ul>
 * The clients are plain blocking JDK sockets in the same JVM that read and discard; the CPU column counts only the
 * server's event loop thread. Under Wine every socket call is a round trip to wineserver, whose CPU is not counted:
 * compare rows, not absolute figures.
 *
 * <p>Each server sends the file {@code --repeat} times (default 3), the servers taking turns, their order rotated by
 * one each round; a row's cells are the median (min-max) of its rounds, as {@link Benchmark}'s echo rows are.
 *
 * <pre>
 * SendfileBenchmark [--size-mb 1024] [--clients 4] [--servers winloop,winloop-copy,nio] [--repeat 3] [--quick]
 *                   [--file PATH]
 * </pre>
 */
public final class SendfileBenchmark {
    static final String USAGE = "usage: SendfileBenchmark [--size-mb 1024] [--clients 4] "
            + "[--servers winloop,winloop-copy,nio] [--repeat 3] [--quick (128 MiB)] [--file PATH (kept)]";
    private static final String[] COLUMNS = {"server", "rounds", "MB/s", "seconds", "loop_cpu_ms", "cpu_ms_per_MB",
        "jvm_copied_MB", "loop_alloc_MB", "transmitfile_calls"};
    /** The decimals each metric column of {@link #COLUMNS} (from MB/s on) is printed with. */
    private static final int[] DECIMALS = {1, 2, 0, 2, 1, 1, 0};
    private static final String LOOP_THREAD = "sendfile-server";

    private SendfileBenchmark() {
    }

    public static void main(String[] argv) throws Exception {
        Args args = new Args(argv, USAGE, "quick");
        long sizeMb = args.getInt("size-mb", args.has("quick") ? 128 : 1024);
        int clients = args.getInt("clients", 4);
        int repeat = args.getInt("repeat", 3);
        if (repeat < 1) {
            throw new IllegalArgumentException("--repeat takes a count of at least 1, got " + repeat);
        }
        List<String> servers = new ArrayList<>(new LinkedHashSet<>(Arrays.asList(
                args.get("servers", "winloop,winloop-copy,nio").trim().split("\\s*,\\s*"))));
        File file = args.has("file") ? new File(args.get("file", null)) : File.createTempFile("sendfile-", ".bin");
        long size = sizeMb << 20;
        if (!args.has("file")) {
            file.deleteOnExit();
        }
        if (file.length() != size) {
            writeFile(file, size);
        }
        System.out.printf(Locale.ROOT, "file %s, %d MiB, %d clients, %d round%s, %s%n", file, sizeMb, clients,
                repeat, repeat == 1 ? "" : "s", System.getProperty("java.version"));
        Map<String, List<double[]>> rounds = new LinkedHashMap<>();
        for (String server : servers) {
            rounds.put(server, new ArrayList<>());
        }
        for (int round = 0; round < repeat; round++) {
            for (int k = 0; k < servers.size(); k++) {
                String server = servers.get((k + round) % servers.size());
                double[] row = run(server, file, size, clients);
                System.err.printf(Locale.ROOT, "sendfile round %d: %-12s %8.1f MB/s%n", round + 1, server, row[0]);
                rounds.get(server).add(row);
            }
        }
        report(rounds, repeat);
    }

    /** One line per server: each metric as the median (min-max) of its rounds. */
    private static void report(Map<String, List<double[]>> rounds, int repeat) {
        List<String[]> lines = new ArrayList<>();
        for (Map.Entry<String, List<double[]>> e : rounds.entrySet()) {
            String[] line = new String[COLUMNS.length];
            line[0] = e.getKey();
            line[1] = String.valueOf(e.getValue().size());
            for (int m = 0; m < DECIMALS.length; m++) {
                List<Double> values = new ArrayList<>();
                for (double[] row : e.getValue()) {
                    values.add(row[m]);
                }
                line[m + 2] = new BenchmarkReport.Stat(values).text(DECIMALS[m]);
            }
            lines.add(line);
        }
        String table = BenchmarkReport.textTable(COLUMNS, lines);
        System.out.print(table);
        System.out.println("Each cell: the median over " + repeat + " round" + (repeat == 1 ? "" : "s")
                + " (min-max in parentheses; servers in turn, order rotated each round). loop_cpu_ms, loop_alloc_MB:"
                + " the server's loop thread only.");
    }

    private static void writeFile(File file, long size) throws IOException {
        byte[] chunk = new byte[1 << 20];
        for (int i = 0; i < chunk.length; i++) {
            chunk[i] = (byte) (i * 31 + 7);
        }
        try (RandomAccessFile raf = new RandomAccessFile(file, "rw")) {
            raf.setLength(0);
            for (long done = 0; done < size; done += chunk.length) {
                raf.write(chunk, 0, (int) Math.min(chunk.length, size - done));
            }
        }
    }

    /**
     * One pass of {@code server}: MB/s, seconds, loop CPU ms, loop CPU ms per MB, MB copied through the JVM, MB the
     * loop thread allocated, TransmitFile calls.
     */
    private static double[] run(String server, final File file, final long size, int clients) throws Exception {
        final boolean copy = server.equals("winloop-copy");
        EventLoopGroup group;
        Class<? extends io.netty.channel.ServerChannel> channelClass;
        DefaultThreadFactory threads = new DefaultThreadFactory(LOOP_THREAD, true);
        if (server.equals("winloop") || copy) {
            group = new MultiThreadIoEventLoopGroup(1, threads, WinloopIoHandler.newFactory());
            channelClass = WinloopServerSocketChannel.class;
        } else if (server.equals("nio")) {
            group = new MultiThreadIoEventLoopGroup(1, threads, NioIoHandler.newFactory());
            channelClass = NioServerSocketChannel.class;
        } else {
            throw new IllegalArgumentException("unknown server: " + server + " (winloop, winloop-copy, nio)");
        }
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        try {
            ServerBootstrap bootstrap = new ServerBootstrap().group(group).channel(channelClass);
            if (!server.equals("nio")) {
                // Measure TransmitFile whatever the edition: AUTO copies on workstations, Wine's included.
                bootstrap.childOption(WinloopChannelOption.TRANSMIT_FILE, TransmitFileMode.ALWAYS);
            }
            Channel listener = bootstrap
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                                @Override
                                public void channelActive(ChannelHandlerContext ctx) {
                                    FileRegion region = new DefaultFileRegion(file, 0, size);
                                    ctx.writeAndFlush(copy ? new CopiedRegion(region) : region)
                                            .addListener((ChannelFutureListener) f -> {
                                                if (!f.isSuccess()) {
                                                    failure.compareAndSet(null, f.cause());
                                                }
                                            });
                                }
                            });
                        }
                    }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
            InetSocketAddress address = (InetSocketAddress) listener.localAddress();
            long[] before = LoopThreads.cpuAndAlloc(LOOP_THREAD);
            long copiedBefore = FileRegionStats.copiedBytes();
            long callsBefore = FileRegionStats.transmitFileCalls();
            CountDownLatch done = new CountDownLatch(clients);
            List<Thread> readers = new ArrayList<>();
            long start = System.nanoTime();
            for (int i = 0; i < clients; i++) {
                Thread reader = new Thread(() -> {
                    try (Socket socket = new Socket(address.getAddress(), address.getPort())) {
                        socket.setReceiveBufferSize(1 << 20);
                        byte[] buffer = new byte[1 << 20];
                        InputStream in = socket.getInputStream();
                        long left = size;
                        while (left > 0) {
                            int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
                            if (n < 0) {
                                throw new IOException("end of stream with " + left + " bytes to go");
                            }
                            left -= n;
                        }
                    } catch (Throwable t) {
                        failure.compareAndSet(null, t);
                    } finally {
                        done.countDown();
                    }
                }, "sendfile-client-" + i);
                reader.start();
                readers.add(reader);
            }
            if (!done.await(30, TimeUnit.MINUTES)) {
                throw new IllegalStateException("clients not done within 30 minutes");
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            long[] after = LoopThreads.cpuAndAlloc(LOOP_THREAD);
            if (failure.get() != null) {
                throw new IllegalStateException(server + " failed", failure.get());
            }
            double mb = (double) size * clients / (1 << 20);
            double cpuMs = (after[0] - before[0]) / 1e6;
            listener.close().sync();
            return new double[] {mb / seconds, seconds, cpuMs, cpuMs / mb,
                (FileRegionStats.copiedBytes() - copiedBefore) / (double) (1 << 20),
                (after[1] - before[1]) / (double) (1 << 20), FileRegionStats.transmitFileCalls() - callsBefore};
        } finally {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).sync();
        }
    }

    /**
     * A FileRegion of the benchmark's own around a DefaultFileRegion: a transport cannot know what its transferTo
     * does, so it must call it (Winloop's copying path).
     */
    private static final class CopiedRegion extends AbstractReferenceCounted implements FileRegion {
        private final FileRegion region;

        CopiedRegion(FileRegion region) {
            this.region = region;
        }

        @Override
        public long position() {
            return region.position();
        }

        @Deprecated
        @Override
        public long transfered() {
            return region.transferred();
        }

        @Override
        public long transferred() {
            return region.transferred();
        }

        @Override
        public long count() {
            return region.count();
        }

        @Override
        public long transferTo(WritableByteChannel target, long position) throws IOException {
            return region.transferTo(target, position);
        }

        @Override
        protected void deallocate() {
            region.release();
        }

        @Override
        public FileRegion retain() {
            super.retain();
            return this;
        }

        @Override
        public FileRegion retain(int increment) {
            super.retain(increment);
            return this;
        }

        @Override
        public FileRegion touch() {
            return this;
        }

        @Override
        public FileRegion touch(Object hint) {
            return this;
        }
    }
}
