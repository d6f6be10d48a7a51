package io.winloop.example;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.winloop.internal.win.NativeCalls;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.spi.SelectorProvider;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The server side of {@link Benchmark}, run inside the Windows JVM: an {@link EchoServer} on {@code --port} (TCP, and
 * a UDP echo on the same port number) plus a
 * line-based control port (plain blocking {@code java.net} sockets, off the event loop) that reports the process's
 * own counters.
 *
 * <pre>
 * BenchServer --transport winloop|nio --port P --control C [--threads 1]
 *             [--http netty|reactor --sizes 65536,1048576]     instead of the echo servers: {@link BenchHttpServer}
 *   control commands:  STATS -> "cpu=NS alloc=BYTES calls=N gc=N conns=N"   QUIT -> "BYE", then the process exits
 *                      DUMP  -> "OK" after printing the event loop threads' stacks on stdout
 *                      SITES -> "SITES n", then n lines "count TAB call site" (-Dio.winloop.traceNativeCalls=true)
 * </pre>
 * cpu is the process CPU time (com.sun.management.OperatingSystemMXBean#getProcessCpuTime), alloc the bytes
 * allocated by the event loop threads (com.sun.management.ThreadMXBean#getThreadAllocatedBytes), calls Winloop's
 * count of Win32 calls ({@code -Dio.winloop.countNativeCalls=true}; -1 when not counted), conns the connections
 * open (the benchmark waits for 0 between phases).
 */
public final class BenchServer {
    private BenchServer() {
    }

    @ChannelHandler.Sharable
    static final class ConnectionCounter extends ChannelInboundHandlerAdapter {
        final AtomicInteger open = new AtomicInteger();

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            open.incrementAndGet();
            ctx.fireChannelActive();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            open.decrementAndGet();
            ctx.fireChannelInactive();
        }
    }

    public static void main(String[] argv) throws Exception {
        Args args = new Args(argv, "usage: BenchServer --transport winloop|nio --port P --control C [--threads 1]"
                + " [--http netty|reactor --sizes 65536,1048576]");
        Transport transport = Transport.parse(args.get("transport", "winloop"));
        int port = args.getInt("port", 7007);
        int control = args.getInt("control", port + 1);
        ConnectionCounter connections = new ConnectionCounter();
        String http = args.get("http", null);
        EventLoopGroup group;
        Runnable stop;
        if (http == null) {
            group = transport.newGroup(args.getInt("threads", 1));
            Channel server = EchoServer.start(transport, group, "127.0.0.1", port, connections);
            // The datagram workload's echo, on the same port number (UDP's port space is TCP's neighbour).
            Channel datagramServer = EchoServer.startDatagram(transport, group, "127.0.0.1", port);
            stop = () -> {
                server.close().syncUninterruptibly();
                datagramServer.close().syncUninterruptibly();
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
            };
        } else {
            BenchHttpServer server = BenchHttpServer.start(http, transport, "127.0.0.1", port, connections,
                    BenchHttpServer.parseSizes(args.get("sizes", "65536,1048576")));
            group = server.loops;
            stop = server::stop;
        }

        List<Long> ids = new ArrayList<>();
        for (EventExecutor loop : group) {
            ids.add(loop.submit(() -> Thread.currentThread().getId()).get());
        }
        long[] loopThreads = new long[ids.size()];
        for (int i = 0; i < loopThreads.length; i++) {
            loopThreads[i] = ids.get(i);
        }
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        threads.setThreadAllocatedMemoryEnabled(true);
        boolean counting = transport == Transport.WINLOOP && NativeCalls.isEnabled();

        try (ServerSocket ctl = new ServerSocket(control, 4, InetAddress.getLoopbackAddress())) {
            String provider = transport == Transport.NIO ? SelectorProvider.provider().getClass().getName() : "afd";
            System.out.println("READY " + transport + " " + provider + (http == null ? "" : " http=" + http)
                    + " port=" + port + " control=" + control);
            System.out.flush();
            for (;;) {
                try (Socket s = ctl.accept();
                     BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(),
                             StandardCharsets.US_ASCII));
                     PrintWriter out = new PrintWriter(new OutputStreamWriter(s.getOutputStream(),
                             StandardCharsets.US_ASCII), true)) {
                    String line;
                    while ((line = in.readLine()) != null) {
                        if ("STATS".equals(line)) {
                            long alloc = 0;
                            for (long a : threads.getThreadAllocatedBytes(loopThreads)) {
                                alloc += Math.max(a, 0);
                            }
                            long gc = 0;
                            for (java.lang.management.GarbageCollectorMXBean b
                                    : ManagementFactory.getGarbageCollectorMXBeans()) {
                                gc += Math.max(b.getCollectionCount(), 0);
                            }
                            out.println("cpu=" + os.getProcessCpuTime() + " alloc=" + alloc
                                    + " calls=" + (counting ? NativeCalls.total() : -1) + " gc=" + gc
                                    + " conns=" + connections.open.get());
                        } else if ("SITES".equals(line)) {
                            java.util.Map<String, Long> sites = transport == Transport.WINLOOP
                                    ? NativeCalls.sites() : java.util.Collections.<String, Long>emptyMap();
                            StringBuilder sb = new StringBuilder("SITES " + sites.size());
                            for (java.util.Map.Entry<String, Long> e : sites.entrySet()) {
                                sb.append('\n').append(e.getValue()).append('\t').append(e.getKey());
                            }
                            out.println(sb);
                        } else if ("DUMP".equals(line)) {
                            // Thread stacks on stdout (the benchmark relays them): for a server that stops answering.
                            for (java.lang.management.ThreadInfo t
                                    : ManagementFactory.getThreadMXBean().getThreadInfo(loopThreads, Integer.MAX_VALUE)) {
                                if (t == null) {
                                    continue;
                                }
                                StringBuilder sb = new StringBuilder("thread \"" + t.getThreadName() + "\" "
                                        + t.getThreadState());
                                for (StackTraceElement e : t.getStackTrace()) {
                                    sb.append("\n    at ").append(e);
                                }
                                System.out.println(sb);
                            }
                            System.out.flush();
                            out.println("OK");
                        } else if ("QUIT".equals(line)) {
                            stop.run();
                            out.println("BYE");
                            System.exit(0);
                        } else {
                            out.println("ERR unknown command " + line);
                        }
                    }
                } catch (java.io.IOException e) {
                    System.err.println("control connection: " + e);
                }
            }
        }
    }
}
