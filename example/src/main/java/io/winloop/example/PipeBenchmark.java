package io.winloop.example;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.winloop.NamedPipeAddress;
import io.winloop.WinloopIoHandler;
import io.winloop.WinloopNamedPipeChannel;
import io.winloop.WinloopSocketChannel;

import java.lang.management.ManagementFactory;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Named-pipe echo against loopback-TCP echo, both on Winloop, all in one Windows JVM (a pipe cannot be opened from
 * the host's load generator, so this is {@link Benchmark}'s pipe row run inside Windows).
 *
 * <p>Two echo servers ({@link EchoServer}'s handler: a {@code WinloopNamedPipeServerChannel} and a
 * {@code WinloopServerSocketChannel} on 127.0.0.1) share one server event loop thread; Winloop clients
 * ({@code WinloopNamedPipeChannel}, {@code WinloopSocketChannel} with TCP_NODELAY) share one client loop thread and
 * play ping-pong: each sends a message of the workload's size, waits for all of it to come back, sends the next.
 * Every workload (1 and 16 connections x 64 B, 16 KiB, 64 KiB) runs {@code --repeat} times; in each round both
 * transports run it in turn, their order rotated each round; a cell is the median (min-max) of its rounds.
 *
 * <p>Per row: round trips per second, MB/s one way, round-trip latency p50/p99, the process's CPU time per round
 * trip (clients and server together: one process), the server loop thread's CPU per round trip, the CPU of the
 * wineserver (whose pid {@code example/bench --pipe} passes; under Wine a pipe's data goes through it) per round
 * trip, and pipe msgs/s relative to TCP in the same round.
 *
 * <pre>
 * PipeBenchmark [--quick] [--repeat 3] [--conns 1,16] [--sizes 64,16384,65536] [--transports pipe,tcp]
 *               [--seconds S] [--warmup S] [--wineserver-pid PID] [--lane A|B]
 * </pre>
 */
public final class PipeBenchmark {
    static final String USAGE = "usage: PipeBenchmark [--quick (1 s phases)] [--repeat 3] [--conns 1,16]"
            + " [--sizes 64,16384,65536] [--transports pipe,tcp] [--seconds S] [--warmup S]"
            + " [--wineserver-pid PID] [--lane A|B]";
    private static final String SERVER_THREAD = "pipebench-server";
    private static final String CLIENT_THREAD = "pipebench-client";
    private static final String[] COLUMNS = {"transport", "workload", "conns", "size", "msgs/s", "MB/s", "p50_us",
        "p99_us", "cpu_us/msg", "loop_us/msg", "wineserver_us/msg", "vs_tcp"};

    private final double warmup;
    private final double seconds;
    private final double jitWarmup;
    private final int repeat;
    private final long wineserverPid;
    private final String lane;
    private final EventLoopGroup serverGroup;
    private final EventLoopGroup clientGroup;
    private final EventLoop clientLoop;
    private final BenchServer.ConnectionCounter serverConnections = new BenchServer.ConnectionCounter();
    private final Map<String, SocketAddress> servers = new LinkedHashMap<>();
    private final List<String> warmed = new ArrayList<>();
    private final List<Row> rows = new ArrayList<>();
    private final com.sun.management.OperatingSystemMXBean os =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    private PipeBenchmark(Args args) {
        boolean quick = args.has("quick");
        warmup = args.getDouble("warmup", quick ? 0.3 : 2);
        seconds = args.getDouble("seconds", quick ? 1.0 : 5);
        jitWarmup = quick ? 1.0 : 3;
        repeat = args.getInt("repeat", 3);
        if (repeat < 1) {
            throw new IllegalArgumentException("--repeat must be at least 1, got " + repeat);
        }
        wineserverPid = Long.parseLong(args.get("wineserver-pid", "0"));
        lane = args.get("lane", "");
        serverGroup = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory(SERVER_THREAD, true),
                WinloopIoHandler.newFactory());
        clientGroup = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory(CLIENT_THREAD, true),
                WinloopIoHandler.newFactory());
        clientLoop = clientGroup.next();
        if (wineserverPid > 0 && BenchmarkProbe.cpuTicks(wineserverPid) < 0) {
            System.err.println("pipebench: cannot read /proc/" + wineserverPid + "/stat: no wineserver CPU column");
        }
    }

    public static void main(String[] argv) throws Exception {
        Args args = new Args(argv, USAGE, "quick");
        PipeBenchmark b = new PipeBenchmark(args);
        List<Workload> workloads = new ArrayList<>();
        int maxConns = 1;
        for (String c : args.get("conns", "1,16").split(",")) {
            for (String s : args.get("sizes", "64,16384,65536").split(",")) {
                workloads.add(new Workload(Integer.parseInt(c.trim()), Integer.parseInt(s.trim())));
            }
            maxConns = Math.max(maxConns, Integer.parseInt(c.trim()));
        }
        List<String> transports = Arrays.asList(args.get("transports", "pipe,tcp").split(","));
        System.out.printf(Locale.ROOT, "PipeBenchmark: Java %s, %s, %d rounds, %.1f s phases after %.1f s of "
                + "warm-up%s%n", System.getProperty("java.version"), System.getProperty("os.name"), b.repeat,
                b.seconds, b.warmup, b.lane.isEmpty() ? "" : ", lane " + b.lane);
        try {
            for (String t : transports) {
                b.startServer(t.trim(), maxConns);
            }
            int phases = b.repeat * workloads.size() * transports.size();
            int phase = 0;
            long started = System.nanoTime();
            for (int round = 0; round < b.repeat; round++) {
                for (Workload w : workloads) {
                    for (int k = 0; k < transports.size(); k++) {
                        String t = transports.get((k + round) % transports.size()).trim();
                        System.err.printf(Locale.ROOT, "pipebench [%3.0fs] [%d/%d] round %d: %s %s%n",
                                (System.nanoTime() - started) / 1e9, ++phase, phases, round + 1, t, w);
                        b.rows.add(b.runPhase(t, w, round));
                    }
                }
            }
        } finally {
            b.clientGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
            b.serverGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
        }
        b.report(workloads, transports);
    }

    private void startServer(String transport, int instances) throws InterruptedException {
        if ("pipe".equals(transport)) {
            NamedPipeAddress address = NamedPipeAddress.of("winloop-pipebench-" + UUID.randomUUID());
            // At most 63 listening instances (Winloop's limit: one wait per instance in the acceptor thread).
            Channel ch = EchoServer.startPipe(serverGroup, address, Math.min(63, Math.max(4, instances)),
                    serverConnections);
            servers.put(transport, ch.localAddress());
        } else if ("tcp".equals(transport)) {
            Channel ch = EchoServer.start(Transport.WINLOOP, serverGroup, "127.0.0.1", 0, serverConnections);
            servers.put(transport, ch.localAddress());
        } else {
            throw new IllegalArgumentException("--transports takes pipe and tcp, not " + transport);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // One phase

    private static final class Workload {
        final int conns;
        final int size;

        Workload(int conns, int size) {
            this.conns = conns;
            this.size = size;
        }

        @Override
        public String toString() {
            return "echo " + conns + " conn" + (conns == 1 ? "" : "s") + " x " + BenchmarkWorkloads.sizeName(size);
        }
    }

    private static final class Row {
        final String transport;
        final Workload workload;
        final int round;
        String failed;
        double msgsPerSec = Double.NaN;
        double mbPerSec = Double.NaN;
        double p50 = Double.NaN;
        double p99 = Double.NaN;
        double cpuUsPerMsg = Double.NaN;
        double loopUsPerMsg = Double.NaN;
        double wineserverUsPerMsg = Double.NaN;
        double vsTcp = Double.NaN;

        Row(String transport, Workload workload, int round) {
            this.transport = transport;
            this.workload = workload;
            this.round = round;
        }
    }

    /** The state of one phase, touched only on the client loop thread (except {@link #failure}). */
    private static final class Phase {
        final int size;
        final ByteBuf payload;
        final BenchmarkWorkloads.Histogram latency = new BenchmarkWorkloads.Histogram();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        boolean measuring;
        boolean stopped;
        long windowStart;
        long windowEnd;

        Phase(int size) {
            this.size = size;
            payload = PooledByteBufAllocator.DEFAULT.directBuffer(size);
            for (int i = 0; i < size; i++) {
                payload.writeByte(i * 31 + 7);
            }
        }
    }

    /** A client: sends a message, waits for all of it to come back, sends the next, until the phase stops. */
    private static final class PingPong extends ChannelInboundHandlerAdapter {
        private final Phase phase;
        private int received;
        private long sentAt;

        PingPong(Phase phase) {
            this.phase = phase;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            send(ctx);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            received += buf.readableBytes();
            buf.release();
            if (received >= phase.size) {
                if (received > phase.size) {
                    phase.failure.compareAndSet(null, new IllegalStateException(
                            "echo returned " + received + " bytes for a " + phase.size + "-byte message"));
                }
                received = 0;
                if (phase.measuring) {
                    phase.latency.record(System.nanoTime() - sentAt);
                }
                if (!phase.stopped) {
                    send(ctx);
                }
            }
        }

        private void send(ChannelHandlerContext ctx) {
            sentAt = System.nanoTime();
            ctx.writeAndFlush(phase.payload.retainedDuplicate(), ctx.voidPromise());
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (!phase.stopped) {
                phase.failure.compareAndSet(null, cause);
            }
            ctx.close();
        }
    }

    private Row runPhase(String transport, Workload w, int round) throws Exception {
        Row row = new Row(transport, w, round);
        Phase phase = new Phase(w.size);
        List<ChannelFuture> connects = new ArrayList<>();
        try {
            Bootstrap b = new Bootstrap().group(clientGroup)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 30_000);
            if ("pipe".equals(transport)) {
                b.channel(WinloopNamedPipeChannel.class);
            } else {
                b.channel(WinloopSocketChannel.class).option(ChannelOption.TCP_NODELAY, true);
            }
            for (int i = 0; i < w.conns; i++) {
                connects.add(b.clone().handler(new PingPong(phase)).connect(servers.get(transport)));
            }
            for (ChannelFuture f : connects) {
                if (!f.await(40, TimeUnit.SECONDS) || !f.isSuccess()) {
                    throw new IllegalStateException("connect failed", f.cause());
                }
            }
            // The first phase of a transport also warms the JIT up for it.
            double wait = warmed.contains(transport) ? warmup : warmup + jitWarmup;
            warmed.add(transport);
            Thread.sleep((long) (wait * 1000));
            clientLoop.submit(() -> {
                phase.measuring = true;
                phase.windowStart = System.nanoTime();
            }).sync();
            long cpu0 = os.getProcessCpuTime();
            long loop0 = LoopThreads.cpuAndAlloc(SERVER_THREAD)[0];
            long ws0 = BenchmarkProbe.cpuTicks(wineserverPid);
            Thread.sleep((long) (seconds * 1000));
            clientLoop.submit(() -> {
                phase.measuring = false;
                phase.windowEnd = System.nanoTime();
            }).sync();
            long cpu1 = os.getProcessCpuTime();
            long loop1 = LoopThreads.cpuAndAlloc(SERVER_THREAD)[0];
            long ws1 = BenchmarkProbe.cpuTicks(wineserverPid);
            if (phase.failure.get() != null) {
                throw new IllegalStateException("a client failed", phase.failure.get());
            }
            long msgs = phase.latency.total;
            if (msgs == 0) {
                throw new IllegalStateException("no round trip completed in the " + seconds + " s window");
            }
            double elapsed = (phase.windowEnd - phase.windowStart) / 1e9;
            row.msgsPerSec = msgs / elapsed;
            row.mbPerSec = msgs * (double) w.size / elapsed / 1e6;
            row.p50 = phase.latency.percentile(0.5);
            row.p99 = phase.latency.percentile(0.99);
            row.cpuUsPerMsg = (cpu1 - cpu0) / 1e3 / msgs;
            row.loopUsPerMsg = (loop1 - loop0) / 1e3 / msgs;
            if (ws0 >= 0 && ws1 >= 0) {
                row.wineserverUsPerMsg = (ws1 - ws0) * 1e6 / 100 / msgs; // /proc ticks: USER_HZ = 100
            }
        } catch (Exception e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            row.failed = e.getMessage() + (cause != e ? ": " + cause : "");
            System.err.println("pipebench: " + transport + " " + w + " round " + (round + 1) + " failed: "
                    + row.failed);
        } finally {
            clientLoop.submit(() -> {
                phase.stopped = true;
            }).sync();
            for (ChannelFuture f : connects) {
                f.channel().close().await(10, TimeUnit.SECONDS);
            }
            // The server's ends close when they read end of stream: wait for them before the next phase.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (serverConnections.open.get() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            phase.payload.release();
        }
        return row;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Report

    private void report(List<Workload> workloads, List<String> transports) {
        Map<String, Row> tcp = new LinkedHashMap<>();
        for (Row r : rows) {
            if ("tcp".equals(r.transport) && r.failed == null) {
                tcp.put(r.workload + "#" + r.round, r);
            }
        }
        for (Row r : rows) {
            Row base = tcp.get(r.workload + "#" + r.round);
            if (base != null && r.failed == null) {
                r.vsTcp = r.msgsPerSec / base.msgsPerSec;
            }
        }
        List<String[]> lines = new ArrayList<>();
        for (Workload w : workloads) {
            for (String t : transports) {
                List<Row> cell = new ArrayList<>();
                int failed = 0;
                for (Row r : rows) {
                    if (r.workload == w && r.transport.equals(t.trim())) {
                        cell.add(r);
                        failed += r.failed != null ? 1 : 0;
                    }
                }
                String tput = failed == cell.size() ? "FAILED" : stat(cell, r -> r.msgsPerSec).text(0)
                        + (failed > 0 ? " [" + failed + " failed]" : "");
                lines.add(new String[] {t.trim(), "echo", String.valueOf(w.conns),
                    BenchmarkWorkloads.sizeName(w.size), tput,
                    stat(cell, r -> r.mbPerSec).text(2), stat(cell, r -> r.p50).text(0),
                    stat(cell, r -> r.p99).text(0), stat(cell, r -> r.cpuUsPerMsg).text(1),
                    stat(cell, r -> r.loopUsPerMsg).text(1), stat(cell, r -> r.wineserverUsPerMsg).text(0),
                    stat(cell, r -> r.vsTcp).text(2)});
            }
        }
        String table = BenchmarkReport.textTable(COLUMNS, lines);
        System.out.print(table);
        System.out.print("Each cell: the median over " + repeat + " round" + (repeat == 1 ? "" : "s")
                + " (min-max in parentheses; transports interleaved per workload, order rotated each round)"
                + (lane.isEmpty() ? "" : "; lane " + lane) + ".\n"
                + "msgs/s: echo round trips per second, " + BenchmarkReport.fmt(seconds, 1) + " s after "
                + BenchmarkReport.fmt(warmup, 1) + " s of warm-up; MB/s one way. Clients and servers are Winloop, in "
                + "this one JVM:\ncpu_us/msg: the process's CPU (clients + server) per round trip; loop_us/msg: "
                + "the server loop thread's; wineserver_us/msg: this run's\nwineserver's (under Wine every pipe "
                + "and socket call goes through it; '-' when not given or not readable). vs_tcp: msgs/s relative"
                + "\nto TCP in the same round. Under Wine, absolute numbers mean little: compare rows of one run.\n");
        for (Row r : rows) {
            if (r.failed != null) {
                System.out.println("FAILED " + r.transport + " " + r.workload + " (round " + (r.round + 1) + "): "
                        + r.failed);
            }
        }
    }

    private static BenchmarkReport.Stat stat(List<Row> cell, java.util.function.ToDoubleFunction<Row> metric) {
        List<Double> v = new ArrayList<>();
        for (Row r : cell) {
            if (r.failed == null) {
                v.add(metric.applyAsDouble(r));
            }
        }
        return new BenchmarkReport.Stat(v);
    }
}
