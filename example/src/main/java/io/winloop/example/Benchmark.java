package io.winloop.example;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.text.SimpleDateFormat;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.ToDoubleFunction;

/**
 * Winloop against NIO, with the servers in the Windows JVM and this load generator on the host JVM.
 *
 * <p>Run it with {@code example/bench [--quick]}, which builds, provides the Windows JVM and the C ceiling server,
 * and calls this class on the host (Linux) JVM. It starts each server in turn — Winloop; NIO on the JDK's default
 * Selector (wepoll on JDK 17); NIO on the old select()-based {@code WindowsSelectorProvider}; the C ceiling of
 * shared/limit (raw IOCP + AFD poll) when given — and drives all of them with the same workloads: echo ping-pong
 * at 1, 100 and 1000 connections with 64-byte and 16 KiB messages, and connection churn (connect, one 64-byte
 * request, close). The load generator is plain NIO on the host, so Wine's cost stays on the server side.
 *
 * <p>Per row: round trips per second and MB/s (one direction), round-trip latency p50/p99/p99.9, the server's CPU
 * time per message as it reports it (for the C server: as Linux sees the process), the wineserver's CPU time per
 * message (the Linux process behind every Win32 call, private to this run), the ratio to NIO-default, and for
 * Winloop the Win32 calls per round trip and the bytes allocated on the event loop thread per round trip.
 */
public final class Benchmark {
    static final String USAGE = "usage: Benchmark --java WINDOWS_JAVA --cp WINDOWS_CLASSPATH [--quick] [--repeat N]"
            + " [--out DIR] [--afd-exe afd_echo_server.exe] [--wine WINE_COMMAND] [--wineserver-pid PID]"
            + " [--lane A|B] [--servers winloop,winloop-jna,nio,nio-select,c-afd]"
            + " [--transport-classes NAME=DIR,...] [--warmup S] [--seconds S] [--port 7300] [--conns 1,100,1000 (0 = no echo)]"
            + " [--sizes 64,16384,65536,1048576] [--churn THREADS (0 = none)] [--dgram THREADS (0 = none)]"
            + " [--cold-timeout S] [--trace-calls] [--server-opts 'JVM OPTIONS']"
            + "\n   or: Benchmark --http ... [--servers netty-winloop,netty-nio,reactor-winloop,reactor-nio]"
            + " [--conns 1,16] [--sizes 65536,1048576]";

    private static final PrintStream OUT = System.out;
    private static final PrintStream ERR = System.err;

    private final String java;
    private final String classpath;
    private final String afdExe;
    private final String wine;
    private final String lane;
    private final long wineserverPid;
    private final double warmup;
    private final double seconds;
    private final double coldTimeout;
    private final double jitWarmup;
    private final int repeat;
    /** Count Winloop's Win32 calls per call site (slow: a stack trace per call; for diagnosis, not for rates). */
    private final boolean traceCalls;
    /** HTTP mode: GET /bytes/SIZE on keep-alive connections to Netty's and Reactor Netty's HTTP servers. */
    private final boolean http;
    /** Extra Winloop servers: name to the directory (or jar) of transport classes that replaces the built one. */
    private final Map<String, String> transportClasses = new LinkedHashMap<>();
    /** The warm-up of the phase being run: longer for a server's first phase, while the JIT compiles. */
    private double phaseWarmup;
    private final int basePort;
    private final List<Workload> workloads = new ArrayList<>();
    private final List<Row> rows = new ArrayList<>();
    private int phase;
    private int phases;
    private int round;
    private final long started = System.nanoTime();

    private Benchmark(Args args) {
        java = args.get("java", null);
        classpath = args.get("cp", null);
        if (java == null || classpath == null) {
            throw new IllegalArgumentException(USAGE);
        }
        afdExe = args.get("afd-exe", "");
        wine = args.get("wine", "wine");
        lane = args.get("lane", "");
        wineserverPid = Long.parseLong(args.get("wineserver-pid", "0"));
        boolean quick = args.has("quick");
        warmup = args.getDouble("warmup", quick ? 0.3 : 2);
        seconds = args.getDouble("seconds", quick ? 1.0 : 5);
        basePort = args.getInt("port", 7300);
        coldTimeout = args.getDouble("cold-timeout", quick ? 10 : 60);
        jitWarmup = quick ? 1.0 : 3;
        repeat = args.getInt("repeat", 3);
        traceCalls = args.has("trace-calls");
        http = args.has("http");
        if (repeat < 1) {
            throw new IllegalArgumentException("--repeat must be at least 1, got " + repeat);
        }
        for (String pair : args.get("transport-classes", "").split(",")) {
            if (!pair.trim().isEmpty()) {
                int eq = pair.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("--transport-classes takes NAME=DIR pairs, got " + pair);
                }
                transportClasses.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
            }
        }
        if (http) {
            for (String conns : args.get("conns", "1,16").split(",")) {
                for (String size : args.get("sizes", "65536,1048576").split(",")) {
                    workloads.add(new Workload("http", Integer.parseInt(conns.trim()), Integer.parseInt(size.trim())));
                }
            }
            return;
        }
        for (String conns : args.get("conns", "1,100,1000").split(",")) {
            for (String size : args.get("sizes", "64,16384,65536,1048576").split(",")) {
                int c = Integer.parseInt(conns.trim());
                int s = Integer.parseInt(size.trim());
                if (c == 0) {
                    continue; // --conns 0: no echo phases (e.g. churn alone)
                }
                // Bytes in flight: --quick keeps 1000 connections at 64 bytes and 1 MiB at one connection (1000 x
                // 16 KiB takes ~11 s a server under Wine); the full run goes up to 64 MiB in flight.
                long inFlight = (long) c * s;
                if (!args.has("sizes") && (quick ? (c >= 1000 && s > 64) || (c > 1 && s > 65536)
                        : inFlight > 64L << 20)) {
                    continue;
                }
                workloads.add(new Workload("echo", c, s));
            }
        }
        addBeforeThousands("churn", args.getInt("churn", quick ? 4 : 10));
        addBeforeThousands("dgram", args.getInt("dgram", quick ? 4 : 10));
    }

    /**
     * Adds a 64-byte workload of {@code clients} threads (none when 0) before the 1000-connection phases, the
     * heaviest (and the likeliest to wedge a server).
     */
    private void addBeforeThousands(String kind, int clients) {
        if (clients > 0) {
            int at = 0;
            while (at < workloads.size() && workloads.get(at).conns < 1000) {
                at++;
            }
            workloads.add(at, new Workload(kind, clients, 64));
        }
    }

    /**
     * Starts every server at once (each on its own ports), then runs {@code --repeat} rounds; in each round every
     * workload runs on every server, servers interleaved per workload and their order rotated by one each round, so
     * that a slow spell of the shared machine hits different servers in different rounds instead of one server's
     * whole column. The report gives each cell's median and its min-max over the rounds.
     */
    public static void main(String[] argv) throws Exception {
        Args args = new Args(argv, USAGE, "quick", "trace-calls", "http");
        Benchmark b = new Benchmark(args);
        List<String> servers = Arrays.asList(args.get("servers", b.http
                ? "netty-winloop,netty-nio,reactor-winloop,reactor-nio" : "winloop,winloop-jna,nio,nio-select,c-afd")
                .split(","));
        List<ServerSpec> specs = new ArrayList<>();
        for (String s : servers) {
            s = s.trim();
            if ("c-afd".equals(s) && b.afdExe.isEmpty()) {
                ERR.println("bench: no --afd-exe, skipping the C ceiling row");
                continue;
            }
            specs.add(ServerSpec.of(s, b.transportClasses.get(s)));
        }
        for (String extra : b.transportClasses.keySet()) {
            if (!servers.contains(extra)) {
                specs.add(ServerSpec.of(extra, b.transportClasses.get(extra)));
            }
        }
        String serverOpts = args.get("server-opts", "").trim();
        for (ServerSpec s : specs) {
            if (s.transport != null && !serverOpts.isEmpty()) {
                // e.g. a JFR recording: -XX:StartFlightRecording=filename=...
                s.jvmOptions.addAll(Arrays.asList(serverOpts.replace("{name}", s.name).split("\\s+")));
            }
        }
        if (b.traceCalls) {
            for (ServerSpec s : specs) {
                if ("winloop".equals(s.transport)) {
                    s.jvmOptions.add("-Dio.winloop.traceNativeCalls=true");
                }
            }
        }
        for (ServerSpec s : specs) {
            for (Workload w : b.workloads) {
                if (s.runs(w)) {
                    b.phases += b.repeat;
                }
            }
        }
        Path out = Paths.get(args.get("out", "example/target/bench/"
                + new SimpleDateFormat("yyyyMMdd-HHmmss", Locale.ROOT).format(new Date())));
        Files.createDirectories(out);
        List<Server> live = new ArrayList<>();
        try {
            int port = b.basePort;
            for (ServerSpec s : specs) {
                live.add(b.start(s, port, port + 1));
                port += 2;
            }
            for (b.round = 0; b.round < b.repeat; b.round++) {
                for (Workload w : b.workloads) {
                    for (int k = 0; k < live.size(); k++) {
                        Server s = live.get((k + b.round) % live.size());
                        if (s.spec.runs(w)) {
                            b.runPhase(s, w);
                        }
                    }
                }
            }
        } finally {
            for (Server s : live) {
                s.stop();
            }
        }
        b.report(out, specs);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Servers

    private static final class ServerSpec {
        final String name;
        final String transport;     // null for the C server
        final List<String> jvmOptions = new ArrayList<>();
        /** Transport classes replacing the built ones (an older commit's, for a before/after), or null. */
        String transportClasses;
        boolean churnOnly;
        /** The HTTP server's framework (netty or reactor, {@link BenchHttpServer}), or null for the echo servers. */
        String http;
        /** The server whose rate is 1.00 in vs_nio: NIO of the same framework. */
        String baseline = "nio";

        ServerSpec(String name, String transport) {
            this.name = name;
            this.transport = transport;
        }

        boolean runs(Workload w) {
            if (churnOnly && !"churn".equals(w.kind)) {
                return false;
            }
            return transport != null || !"dgram".equals(w.kind); // the C ceiling server echoes TCP only
        }

        static ServerSpec of(String name, String classes) {
            for (String framework : new String[] {"netty", "reactor"}) {
                if (name.startsWith(framework + "-")) {
                    // An HTTP server: netty-winloop, netty-nio, reactor-winloop, reactor-nio, or framework-NAME of
                    // --transport-classes; compared with framework-nio.
                    ServerSpec s = of(name.substring(framework.length() + 1), classes);
                    ServerSpec h = new ServerSpec(name, s.transport);
                    h.jvmOptions.addAll(s.jvmOptions);
                    h.transportClasses = s.transportClasses;
                    h.http = framework;
                    h.baseline = framework + "-nio";
                    if (h.transport == null) {
                        throw new IllegalArgumentException("no HTTP server " + name);
                    }
                    return h;
                }
            }
            ServerSpec s;
            if (classes != null) {
                // Winloop built from other sources (--transport-classes), counted like the built one.
                s = new ServerSpec(name, "winloop");
                s.jvmOptions.add("-Dio.winloop.countNativeCalls=true");
                if (name.endsWith("-jna")) {
                    s.jvmOptions.add("-Dio.netty.noUnsafe=true");
                }
                s.transportClasses = classes;
                return s;
            }
            switch (name) {
                case "winloop":
                    s = new ServerSpec(name, "winloop");
                    s.jvmOptions.add("-Dio.winloop.countNativeCalls=true");
                    return s;
                case "winloop-jna":
                    // Winloop as it runs where Netty has no sun.misc.Unsafe (Java 25+ by default): native memory
                    // through JNA, buffer addresses from their direct NIO buffers.
                    s = new ServerSpec(name, "winloop");
                    s.jvmOptions.add("-Dio.winloop.countNativeCalls=true");
                    s.jvmOptions.add("-Dio.netty.noUnsafe=true");
                    return s;
                case "nio":
                    return new ServerSpec(name, "nio");
                case "nio-select":
                    s = new ServerSpec(name, "nio");
                    s.jvmOptions.add("-Djava.nio.channels.spi.SelectorProvider=sun.nio.ch.WindowsSelectorProvider");
                    return s;
                case "c-afd":
                    return new ServerSpec(name, null);
                default:
                    throw new IllegalArgumentException("unknown server " + name
                            + " (winloop, winloop-jna, nio, nio-select, c-afd, or a NAME of --transport-classes)");
            }
        }
    }

    /** A running server process and its control connection. */
    private static final class Server {
        final ServerSpec spec;
        final Process process;
        final Control control;
        final InetSocketAddress address;
        /** Why its remaining phases are skipped (it stopped answering), or null. */
        String deaf;
        boolean warm;

        Server(ServerSpec spec, Process process, Control control, InetSocketAddress address) {
            this.spec = spec;
            this.process = process;
            this.control = control;
            this.address = address;
        }

        void stop() throws InterruptedException {
            if (control != null) {
                control.quit();
            }
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroy();
                if (!process.waitFor(5, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            }
        }
    }

    /** The Windows classpath with the transport's own classes (directory or jar) replaced by {@code classes}. */
    private String classpathFor(ServerSpec spec) {
        if (spec.transportClasses == null) {
            return classpath;
        }
        List<String> entries = new ArrayList<>();
        boolean replaced = false;
        for (String e : classpath.split(";")) {
            String unix = e.replace('\\', '/');
            if (unix.contains("transport-native-winloop/target/classes")
                    || unix.matches(".*/transport-native-winloop-[^/]*\\.jar")) {
                entries.add(spec.transportClasses);
                replaced = true;
            } else {
                entries.add(e);
            }
        }
        if (!replaced) {
            throw new IllegalArgumentException("no transport-native-winloop entry to replace in the classpath "
                    + classpath);
        }
        return String.join(";", entries);
    }

    /**
     * Starts a server, three attempts: on a machine shared with test runs, the Windows runtime's wrapper can be
     * rewritten for a moment (tools/windows-runtime), and one failed start must not end a 15-minute run.
     */
    private Server start(ServerSpec spec, int port, int controlPort) throws Exception {
        for (int attempt = 1; ; attempt++) {
            try {
                return start0(spec, port, controlPort);
            } catch (IllegalStateException e) {
                if (attempt == 3) {
                    throw e;
                }
                ERR.println("  " + e.getMessage() + "; trying again in 5 s");
                Thread.sleep(5000);
            }
        }
    }

    private Server start0(ServerSpec spec, int port, int controlPort) throws Exception {
        List<String> cmd = new ArrayList<>();
        if (spec.transport != null) {
            cmd.add(java);
            // A heap above 512 MiB: at or below it Netty 4.2's adaptive allocator runs in its low-memory mode, which
            // pools no buffer above 16 896 bytes, so every 32 KiB or 64 KiB read buffer is a new DirectByteBuffer
            // (~300 bytes of objects a message, on every transport alike: io.netty.allocator.lowMemory).
            cmd.addAll(Arrays.asList("-Xms256m", "-Xmx1g", "-Dio.netty.leakDetection.level=disabled"));
            cmd.addAll(spec.jvmOptions);
            cmd.addAll(Arrays.asList("-cp", classpathFor(spec), BenchServer.class.getName(), "--transport",
                    spec.transport, "--port", String.valueOf(port), "--control", String.valueOf(controlPort),
                    "--threads", "1"));
            if (spec.http != null) {
                cmd.addAll(Arrays.asList("--http", spec.http, "--sizes", httpSizes()));
            }
        } else {
            if (!System.getProperty("os.name", "").startsWith("Windows")) {
                cmd.add(wine);
            }
            cmd.addAll(Arrays.asList(afdExe, String.valueOf(port)));
        }
        progress(spec.name + ": starting the server");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Process p = pb.start();
        AtomicReference<String> ready = new AtomicReference<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.startsWith("READY") || line.startsWith("listening")) {
                        ready.compareAndSet(null, line);
                    } else if (!line.trim().isEmpty()) {
                        ERR.println("  [" + spec.name + "] " + line);
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
        }, "server-output");
        reader.setDaemon(true);
        reader.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (ready.get() == null) {
            if (!p.isAlive()) {
                throw new IllegalStateException(spec.name + " server exited with " + p.exitValue());
            }
            if (System.nanoTime() > deadline) {
                p.destroyForcibly();
                throw new IllegalStateException(spec.name + " server not ready within 60 s");
            }
            Thread.sleep(50);
        }
        progress(spec.name + ": " + ready.get());
        Control control = spec.transport != null ? new Control(controlPort) : null;
        return new Server(spec, p, control, new InetSocketAddress("127.0.0.1", port));
    }

    private void runPhase(Server s, Workload w) throws Exception {
        phase++;
        Row row;
        if (s.deaf != null) {
            row = new Row(w);
            row.failed = "skipped: " + s.deaf;
            progress(s.spec.name + ": " + w + " skipped");
        } else {
            phaseWarmup = s.warm ? warmup : Math.max(warmup, jitWarmup);
            s.warm = true;
            progress(s.spec.name + ": " + w);
            Probe probe = new Probe(s.control, pid(s.process), wineserverPid);
            probe.traceCalls = traceCalls;
            try {
                row = "churn".equals(w.kind) ? churn(s.address, w, probe)
                        : "dgram".equals(w.kind) ? datagrams(s.address, w, probe)
                        : "http".equals(w.kind) ? httpGets(s.address, w, probe)
                        : pingPong(s.address, w, probe);
            } catch (IOException e) {
                ERR.println("  " + s.spec.name + " " + w + " failed: " + e);
                row = new Row(w);
                row.failed = e.toString();
                if (s.control != null) {
                    s.control.dump(); // the event loop's stack, relayed on stderr
                }
                if (s.spec.http != null ? !connects(s.address) : !answers(s.address)) {
                    s.deaf = "the server stopped answering new connections after " + w;
                    ERR.println("  " + s.deaf + ": skipping its remaining phases");
                }
            }
            progress(s.spec.name + ": " + w + " -> " + fmt(row.msgsPerSec, 0) + " msgs/s, p99 " + row.p99 + " us");
            if (s.deaf == null) {
                drain(s.control); // the next phase starts when the server has closed this one's connections
            }
        }
        row.server = s.spec.name;
        row.round = round;
        rows.add(row);
    }

    private static void sleepQuietly(long millis) throws IOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    /** Whether a new connection gets a one-byte echo within 5 s. */
    private static boolean answers(InetSocketAddress address) {
        try (Socket s = new Socket()) {
            s.connect(address, 5000);
            s.setSoTimeout(5000);
            s.getOutputStream().write('x');
            return s.getInputStream().read() == 'x';
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether a new connection is accepted within 5 s (the HTTP servers do not echo). */
    private static boolean connects(InetSocketAddress address) {
        try (Socket s = new Socket()) {
            s.connect(address, 5000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private String httpSizes() {
        Set<String> sizes = new LinkedHashSet<>();
        for (Workload w : workloads) {
            sizes.add(String.valueOf(w.size));
        }
        return String.join(",", sizes);
    }

    private static void drain(Control control) throws Exception {
        if (control == null) {
            Thread.sleep(1000); // the C server does not say; closing 1000 connections under Wine takes < 1 s
            return;
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (control.stats().get("conns") > 0) {
            if (System.nanoTime() > deadline) {
                ERR.println("  the server still has " + control.stats().get("conns") + " connections open after 20 s");
                return;
            }
            Thread.sleep(50);
        }
    }

    /** The server's control connection. */
    private static final class Control {
        private final Socket socket;
        private final BufferedReader in;
        private final PrintWriter out;

        Control(int port) throws IOException {
            socket = new Socket("127.0.0.1", port);
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(30_000);
            in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            out = new PrintWriter(new OutputStreamWriter(socket.getOutputStream(), StandardCharsets.US_ASCII), true);
        }

        Map<String, Long> stats() throws IOException {
            out.println("STATS");
            String line = in.readLine();
            if (line == null || !line.startsWith("cpu=")) {
                throw new IOException("unexpected STATS answer: " + line);
            }
            Map<String, Long> m = new LinkedHashMap<>();
            for (String kv : line.split(" ")) {
                int eq = kv.indexOf('=');
                m.put(kv.substring(0, eq), Long.parseLong(kv.substring(eq + 1)));
            }
            return m;
        }

        Map<String, Long> sites() throws IOException {
            out.println("SITES");
            String line = in.readLine();
            if (line == null || !line.startsWith("SITES ")) {
                throw new IOException("unexpected SITES answer: " + line);
            }
            Map<String, Long> m = new LinkedHashMap<>();
            for (int i = Integer.parseInt(line.substring(6)); i > 0; i--) {
                String[] kv = in.readLine().split("\t", 2);
                m.put(kv[1], Long.parseLong(kv[0]));
            }
            return m;
        }

        void dump() {
            try {
                out.println("DUMP");
                in.readLine();
            } catch (IOException e) {
                ERR.println("  no thread dump: " + e);
            }
        }

        void quit() {
            try {
                out.println("QUIT");
                in.readLine();
            } catch (IOException ignored) {
                // it is going away anyway
            } finally {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // nothing to do
                }
            }
        }
    }

    /** Counters read at the start and the end of a measurement window. */
    private static final class Probe {
        final Control control;
        final long serverPid;
        final long wineserverPid;
        Map<String, Long> stats0;
        Map<String, Long> sites0;
        boolean traceCalls;
        long serverTicks0;
        long wineserverTicks0;

        Probe(Control control, long serverPid, long wineserverPid) {
            this.control = control;
            this.serverPid = serverPid;
            this.wineserverPid = wineserverPid;
        }

        void start() throws IOException {
            stats0 = control != null ? control.stats() : null;
            sites0 = control != null && traceCalls ? control.sites() : null;
            serverTicks0 = cpuTicks(serverPid);
            wineserverTicks0 = cpuTicks(wineserverPid);
        }

        void stop(Row row) throws IOException {
            long serverTicks = cpuTicks(serverPid) - serverTicks0;
            long wineserverTicks = cpuTicks(wineserverPid) - wineserverTicks0;
            double msgs = Math.max(row.messages, 1);
            if (control != null) {
                Map<String, Long> s = control.stats();
                row.cpuUsPerMsg = (s.get("cpu") - stats0.get("cpu")) / 1e3 / msgs;
                row.allocPerMsg = (s.get("alloc") - stats0.get("alloc")) / msgs;
                long calls = s.get("calls");
                row.callsPerMsg = calls < 0 ? Double.NaN : (calls - stats0.get("calls")) / msgs;
                row.gcs = s.get("gc") - stats0.get("gc");
                if (sites0 != null) {
                    for (Map.Entry<String, Long> e : control.sites().entrySet()) {
                        long d = e.getValue() - sites0.getOrDefault(e.getKey(), 0L);
                        if (d > 0) {
                            row.sites.put(e.getKey(), d);
                        }
                    }
                }
            } else if (serverTicks >= 0) {
                row.cpuUsPerMsg = serverTicks * 1e6 / TICKS_PER_SECOND / msgs;
            }
            row.hostCpuUsPerMsg = serverTicks < 0 ? Double.NaN : serverTicks * 1e6 / TICKS_PER_SECOND / msgs;
            row.wineserverUsPerMsg = wineserverTicks < 0 || wineserverPid == 0
                    ? Double.NaN : wineserverTicks * 1e6 / TICKS_PER_SECOND / msgs;
        }
    }

    /** Process#pid() on Java 9+ (the example module compiles for Java 8); 0 when unknown. */
    private static long pid(Process p) {
        try {
            return (Long) Process.class.getMethod("pid").invoke(p);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return 0;
        }
    }

    private static final long TICKS_PER_SECOND = 100; // USER_HZ on Linux

    /**
     * utime + stime of a Linux process in clock ticks, or -1 when it cannot be read (not on Linux). Also works in a
     * Windows JVM under Wine started from a Linux directory (PipeBenchmark): "/proc" is then read on drive Z:, Wine's /.
     */
    static long cpuTicks(long pid) {
        if (pid <= 0) {
            return -1;
        }
        try {
            String stat = new String(Files.readAllBytes(Paths.get("/proc/" + pid + "/stat")), StandardCharsets.US_ASCII);
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14 and 15 of proc(5)
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Workloads

    private static final class Workload {
        final String kind;
        final int conns;
        final int size;

        Workload(String kind, int conns, int size) {
            this.kind = kind;
            this.conns = conns;
            this.size = size;
        }

        @Override
        public String toString() {
            return kind + " " + conns + " conn" + (conns == 1 ? "" : "s") + " x " + sizeName(size);
        }
    }

    static String sizeName(int size) {
        return size % (1 << 20) == 0 ? (size >> 20) + "MiB" : size % 1024 == 0 ? size / 1024 + "KiB" : size + "B";
    }

    /** As {@link #sizeName} with a space before the unit. */
    static String sizeLabel(int size) {
        return sizeName(size).replaceAll("([0-9])([KM]?i?B)$", "$1 $2");
    }

    private static final class Row {
        final Workload workload;
        String server;
        long messages;
        double msgsPerSec;
        double mbPerSec;
        long p50 = -1;
        long p99 = -1;
        long p999 = -1;
        double cpuUsPerMsg = Double.NaN;
        double hostCpuUsPerMsg = Double.NaN;
        double wineserverUsPerMsg = Double.NaN;
        double callsPerMsg = Double.NaN;
        double allocPerMsg = Double.NaN;
        long gcs = -1;
        double ratio = Double.NaN;
        String failed;
        int round;
        /** Win32 calls per call site in the window (--trace-calls). */
        final Map<String, Long> sites = new java.util.TreeMap<>();

        Row(Workload workload) {
            this.workload = workload;
        }
    }

    /** Round-trip latencies in microseconds, like shared/limit/load.c (PipeBenchmark uses it too). */
    static final class Histogram {
        private final long[] counts = new long[1 << 20];
        long total;

        void record(long nanos) {
            long us = Math.min(nanos / 1000, counts.length - 1);
            counts[(int) us]++;
            total++;
        }

        long percentile(double q) {
            long acc = 0;
            for (int us = 0; us < counts.length; us++) {
                acc += counts[us];
                if (acc >= q * total && total > 0) {
                    return us;
                }
            }
            return -1;
        }
    }

    private static final class Conn {
        final SocketChannel ch;
        SelectionKey key;
        long sentAt;
        int received;
        int toWrite;
        boolean warm;

        Conn(SocketChannel ch) {
            this.ch = ch;
        }
    }

    private Row pingPong(InetSocketAddress address, Workload w, Probe probe) throws IOException {
        Row row = new Row(w);
        Histogram hist = new Histogram();
        ByteBuffer payload = ByteBuffer.allocateDirect(w.size);
        for (int i = 0; i < w.size; i++) {
            payload.put((byte) ('a' + i % 26));
        }
        ByteBuffer rbuf = ByteBuffer.allocateDirect(1 << 16);
        List<Conn> conns = new ArrayList<>(w.conns);
        try (Selector selector = Selector.open()) {
            try {
                for (int i = 0; i < w.conns; i++) {
                    SocketChannel ch = SocketChannel.open();
                    Conn c = new Conn(ch);
                    conns.add(c);
                    ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
                    ch.socket().connect(address, 30_000);
                    ch.configureBlocking(false);
                    c.key = ch.register(selector, SelectionKey.OP_READ, c);
                }
                // Accepting is not what this phase measures: with the servers that report it, wait until all
                // connections are accepted before the first message (else early connections' traffic starves
                // the accepts and the phase measures a ramp).
                if (probe.control != null) {
                    long acceptDeadline = System.nanoTime() + (long) (coldTimeout * 1e9);
                    long open;
                    while ((open = probe.control.stats().get("conns")) < w.conns) {
                        if (System.nanoTime() > acceptDeadline) {
                            throw new IOException("the server accepted " + open + " of " + w.conns
                                    + " connections within " + fmt(coldTimeout, 0) + " s");
                        }
                        sleepQuietly(20);
                    }
                }
                for (Conn c : conns) {
                    send(c, payload, w.size);
                }
                // Warm-up: first every connection completes one round trip (the server accepts them at its
                // own pace), then warmup seconds more; then the measurement window.
                int cold = w.conns;
                long coldDeadline = System.nanoTime() + (long) (coldTimeout * 1e9);
                long measureStart = Long.MAX_VALUE;
                long end = Long.MAX_VALUE;
                boolean measuring = false;
                long windowStart = 0;
                for (;;) {
                    long now = System.nanoTime();
                    if (cold == 0 && measureStart == Long.MAX_VALUE) {
                        measureStart = now + (long) (phaseWarmup * 1e9);
                        end = measureStart + (long) (seconds * 1e9);
                    } else if (cold > 0 && now > coldDeadline) {
                        throw new IOException(cold + " of " + w.conns + " connections got no echo within "
                                + fmt(coldTimeout, 0) + " s" + (probe.control == null ? ""
                                : " (the server has " + probe.control.stats().get("conns") + " open)"));
                    }
                    if (!measuring && now >= measureStart) {
                        probe.start();
                        measuring = true;
                        windowStart = System.nanoTime();
                        now = windowStart;
                    }
                    if (now >= end) {
                        break;
                    }
                    selector.select(Math.max(1, Math.min(100, ((measuring ? end : measureStart) - now) / 1_000_000)));
                    for (SelectionKey k : selector.selectedKeys()) {
                        Conn c = (Conn) k.attachment();
                        if (k.isWritable()) {
                            send(c, payload, 0);
                        }
                        if (k.isReadable()) {
                            for (;;) {
                                rbuf.clear();
                                int n = c.ch.read(rbuf);
                                if (n < 0) {
                                    throw new IOException("the server closed a connection");
                                }
                                if (n == 0) {
                                    break;
                                }
                                c.received += n;
                            }
                            if (c.received >= w.size) {
                                long t = System.nanoTime();
                                c.received -= w.size;
                                if (!c.warm) {
                                    c.warm = true;
                                    cold--;
                                }
                                if (measuring) {
                                    hist.record(t - c.sentAt);
                                }
                                send(c, payload, w.size);
                            }
                        }
                    }
                    selector.selectedKeys().clear();
                }
                double elapsed = (System.nanoTime() - windowStart) / 1e9;
                row.messages = hist.total;
                probe.stop(row);
                finish(row, hist, elapsed);
            } finally {
                for (Conn c : conns) {
                    c.ch.close();
                }
            }
        }
        return row;
    }

    /** Starts a message ({@code size} > 0) or continues the one being written ({@code size} = 0). */
    private static void send(Conn c, ByteBuffer payload, int size) throws IOException {
        if (size > 0) {
            c.sentAt = System.nanoTime();
            c.toWrite = size;
        }
        ByteBuffer b = payload.duplicate();
        b.limit(payload.capacity());
        b.position(payload.capacity() - c.toWrite);
        c.toWrite -= c.ch.write(b);
        c.key.interestOps(c.toWrite > 0 ? SelectionKey.OP_READ | SelectionKey.OP_WRITE : SelectionKey.OP_READ);
    }

    /** {@code w.conns} threads, each looping: connect, send one request, read the echo, close. */
    /** One client thread's request and answer; false when the answer was lost (then it is not counted). */
    private interface Exchange extends AutoCloseable {
        boolean exchange() throws IOException;

        @Override
        void close() throws IOException;
    }

    /** Connection churn: each exchange connects, sends one message, reads the echo and closes. */
    private Row churn(InetSocketAddress address, Workload w, Probe probe) throws Exception {
        byte[] msg = new byte[w.size];
        Arrays.fill(msg, (byte) 'x');
        return closedLoop(w, probe, "churn", () -> {
            byte[] back = new byte[w.size];
            return new Exchange() {
                @Override
                public boolean exchange() throws IOException {
                    try (Socket s = new Socket()) {
                        s.setTcpNoDelay(true);
                        s.setSoTimeout(30_000);
                        s.connect(address, 30_000);
                        OutputStream os = s.getOutputStream();
                        os.write(msg);
                        InputStream is = s.getInputStream();
                        int got = 0;
                        while (got < back.length) {
                            int r = is.read(back, got, back.length - got);
                            if (r < 0) {
                                throw new IOException("the server closed the connection before answering");
                            }
                            got += r;
                        }
                    }
                    return true;
                }

                @Override
                public void close() {
                }
            };
        });
    }

    /**
     * HTTP/1.1 GETs: {@code w.conns} threads, each with one keep-alive connection and one request in flight, asking
     * for {@code /bytes/SIZE}; every response must be 200 with Content-Length SIZE and exactly SIZE bytes of body.
     */
    private Row httpGets(InetSocketAddress address, Workload w, Probe probe) throws Exception {
        byte[] request = ("GET /bytes/" + w.size + " HTTP/1.1\r\nHost: " + address.getHostString() + ":"
                + address.getPort() + "\r\nAccept: */*\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        return closedLoop(w, probe, "http", () -> {
            Socket s = new Socket();
            s.setTcpNoDelay(true);
            s.setSoTimeout(30_000);
            s.connect(address, 30_000);
            OutputStream os = s.getOutputStream();
            InputStream is = s.getInputStream();
            byte[] buf = new byte[1 << 16];
            return new Exchange() {
                @Override
                public boolean exchange() throws IOException {
                    os.write(request);
                    // The head: read until CRLF CRLF (it fits in buf; the start of the body may follow it).
                    int got = 0;
                    int headEnd = -1;
                    while (headEnd < 0) {
                        if (got == buf.length) {
                            throw new IOException("no end of the response head in " + got + " bytes");
                        }
                        int r = is.read(buf, got, buf.length - got);
                        if (r < 0) {
                            throw new IOException("the server closed the connection before answering");
                        }
                        for (int i = Math.max(3, got); i < got + r && headEnd < 0; i++) {
                            if (buf[i - 3] == '\r' && buf[i - 2] == '\n' && buf[i - 1] == '\r' && buf[i] == '\n') {
                                headEnd = i + 1;
                            }
                        }
                        got += r;
                    }
                    String head = new String(buf, 0, headEnd, StandardCharsets.US_ASCII);
                    if (!head.startsWith("HTTP/1.1 200 ")) {
                        throw new IOException("not a 200 response: " + head.split("\r\n", 2)[0]);
                    }
                    long length = -1;
                    for (String line : head.split("\r\n")) {
                        int colon = line.indexOf(':');
                        if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("content-length")) {
                            length = Long.parseLong(line.substring(colon + 1).trim());
                        }
                    }
                    if (length != w.size) {
                        throw new IOException("Content-Length " + length + " where " + w.size + " was asked for: "
                                + head.replace("\r\n", " | "));
                    }
                    long body = got - headEnd;
                    while (body < length) {
                        int r = is.read(buf, 0, (int) Math.min(buf.length, length - body));
                        if (r < 0) {
                            throw new IOException("the server closed the connection after " + body + " of "
                                    + length + " body bytes");
                        }
                        body += r;
                    }
                    if (body != length || is.available() > 0) {
                        throw new IOException("more than the " + length + " body bytes of the response");
                    }
                    return true;
                }

                @Override
                public void close() throws IOException {
                    s.close();
                }
            };
        });
    }

    /**
     * UDP ping-pong: each exchange sends one datagram to the server's UDP echo and waits for it to come back; a
     * datagram lost under load counts as no answer after 1 s.
     */
    private Row datagrams(InetSocketAddress address, Workload w, Probe probe) throws Exception {
        byte[] msg = new byte[w.size];
        Arrays.fill(msg, (byte) 'u');
        return closedLoop(w, probe, "dgram", () -> {
            java.net.DatagramSocket s = new java.net.DatagramSocket();
            s.setSoTimeout(1000);
            java.net.DatagramPacket out = new java.net.DatagramPacket(msg, msg.length, address);
            java.net.DatagramPacket in = new java.net.DatagramPacket(new byte[w.size], w.size);
            return new Exchange() {
                @Override
                public boolean exchange() throws IOException {
                    s.send(out);
                    try {
                        s.receive(in);
                        return true;
                    } catch (java.net.SocketTimeoutException lost) {
                        return false;
                    }
                }

                @Override
                public void close() {
                    s.close();
                }
            };
        });
    }

    /**
     * {@code w.conns} threads, each repeating its client's exchange back to back (a closed loop) until the phase
     * ends; the exchanges that started and ended inside the measured window make the row.
     */
    private Row closedLoop(Workload w, Probe probe, String name, java.util.concurrent.Callable<Exchange> newClient)
            throws Exception {
        Row row = new Row(w);
        Histogram hist = new Histogram();
        long t0 = System.nanoTime();
        long measureStart = t0 + (long) (phaseWarmup * 1e9);
        long end = measureStart + (long) (seconds * 1e9);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        long[][] latencies = new long[w.conns][];
        int[] counts = new int[w.conns];
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < w.conns; i++) {
            final int id = i;
            Thread t = new Thread(() -> {
                long[] lat = new long[1 << 16];
                int n = 0;
                try (Exchange client = newClient.call()) {
                    for (;;) {
                        long start = System.nanoTime();
                        if (start >= end || failure.get() != null) {
                            break;
                        }
                        if (!client.exchange()) {
                            continue;
                        }
                        long done = System.nanoTime();
                        if (start >= measureStart && done <= end) {
                            if (n == lat.length) {
                                lat = Arrays.copyOf(lat, n * 2);
                            }
                            lat[n++] = done - start;
                        }
                    }
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
                latencies[id] = lat;
                counts[id] = n;
            }, name + "-" + i);
            threads.add(t);
        }
        for (Thread t : threads) {
            t.start();
        }
        long now = System.nanoTime();
        if (measureStart > now) {
            TimeUnit.NANOSECONDS.sleep(measureStart - now);
        }
        probe.start();
        long windowStart = System.nanoTime();
        now = System.nanoTime();
        if (end > now) {
            TimeUnit.NANOSECONDS.sleep(end - now);
        }
        double elapsed = (System.nanoTime() - windowStart) / 1e9;
        for (Thread t : threads) {
            t.join(60_000);
        }
        for (int i = 0; i < w.conns; i++) {
            for (int j = 0; j < counts[i]; j++) {
                hist.record(latencies[i][j]);
            }
        }
        row.messages = hist.total;
        probe.stop(row);
        if (failure.get() != null) {
            throw new IOException(name + " failed: " + failure.get(), failure.get());
        }
        finish(row, hist, elapsed);
        return row;
    }

    private static void finish(Row row, Histogram hist, double elapsed) {
        row.msgsPerSec = hist.total / elapsed;
        row.mbPerSec = hist.total * (double) row.workload.size / elapsed / 1e6;
        row.p50 = hist.percentile(0.5);
        row.p99 = hist.percentile(0.99);
        row.p999 = hist.percentile(0.999);
    }

    private void progress(String what) {
        ERR.printf(Locale.ROOT, "bench [%3.0fs] [%d/%d] round %d: %s%n", (System.nanoTime() - started) / 1e9, phase,
                phases, round + 1, what);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Report

    /** A metric of one cell over the rounds that did not fail: median and range. */
    static final class Stat {
        final double median;
        final double min;
        final double max;
        final int n;

        Stat(List<Double> values) {
            List<Double> v = new ArrayList<>();
            for (Double d : values) {
                if (d != null && !Double.isNaN(d)) {
                    v.add(d);
                }
            }
            Collections.sort(v);
            n = v.size();
            if (n == 0) {
                median = min = max = Double.NaN;
            } else {
                median = n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
                min = v.get(0);
                max = v.get(n - 1);
            }
        }

        /** "median (min-max)", or the median alone when one round counted or all rounds agree. */
        String text(int decimals) {
            if (n == 0) {
                return "-";
            }
            String m = fmt(median, decimals);
            if (n == 1 || fmt(min, decimals).equals(fmt(max, decimals))) {
                return m;
            }
            return m + " (" + fmt(min, decimals) + "-" + fmt(max, decimals) + ")";
        }
    }

    /** The rounds of one server on one workload. */
    private static final class Cell {
        final String server;
        final Workload workload;
        final List<Row> rounds = new ArrayList<>();

        Cell(String server, Workload workload) {
            this.server = server;
            this.workload = workload;
        }

        Stat stat(ToDoubleFunction<Row> metric) {
            List<Double> v = new ArrayList<>();
            for (Row r : rounds) {
                if (r.failed == null) {
                    v.add(metric.applyAsDouble(r));
                }
            }
            return new Stat(v);
        }

        int failures() {
            int f = 0;
            for (Row r : rounds) {
                if (r.failed != null) {
                    f++;
                }
            }
            return f;
        }
    }

    private static final String[] COLUMNS = {"server", "workload", "conns", "size", "msgs/s", "MB/s", "p50_us",
        "p99_us", "p999_us", "cpu_us/msg", "wineserver_us/msg", "vs_nio", "calls/msg", "alloc_B/msg"};

    private void report(Path out, List<ServerSpec> specs) throws IOException {
        // vs_nio per round: each server against its baseline's phase of the same round (minutes apart at most): NIO,
        // or for the HTTP servers NIO of the same framework.
        Map<String, Row> baselineRows = new LinkedHashMap<>();
        Map<String, String> baselines = new LinkedHashMap<>();
        for (ServerSpec s : specs) {
            baselines.put(s.name, s.baseline);
        }
        for (Row r : rows) {
            if (baselines.containsValue(r.server) && r.failed == null) {
                baselineRows.put(r.server + "|" + r.workload + "#" + r.round, r);
            }
        }
        Map<String, Cell> byKey = new LinkedHashMap<>();
        for (ServerSpec s : specs) {
            for (Workload w : workloads) {
                if (s.runs(w)) {
                    byKey.put(s.name + "|" + w, new Cell(s.name, w));
                }
            }
        }
        for (Row r : rows) {
            Row base = baselineRows.get(baselines.get(r.server) + "|" + r.workload + "#" + r.round);
            if (base != null && base.msgsPerSec > 0 && r.failed == null) {
                r.ratio = r.msgsPerSec / base.msgsPerSec;
            }
            byKey.get(r.server + "|" + r.workload).rounds.add(r);
        }
        List<Cell> cells = new ArrayList<>(byKey.values());
        List<String[]> lines = new ArrayList<>();
        for (Cell c : cells) {
            int failed = c.failures();
            String tput = c.stat(r -> r.msgsPerSec).text(0);
            if (failed == c.rounds.size()) {
                tput = c.rounds.get(0).failed.startsWith("skipped") ? "skipped" : "FAILED";
            } else if (failed > 0) {
                tput += " [" + failed + " failed]";
            }
            lines.add(new String[] {c.server, c.workload.kind, String.valueOf(c.workload.conns),
                sizeName(c.workload.size), tput, c.stat(r -> r.mbPerSec).text(2),
                c.stat(r -> r.p50).text(0), c.stat(r -> r.p99).text(0), c.stat(r -> r.p999).text(0),
                c.stat(r -> r.cpuUsPerMsg).text(0), c.stat(r -> r.wineserverUsPerMsg).text(0),
                c.stat(r -> r.ratio).text(2), c.stat(r -> r.callsPerMsg).text(2), c.stat(r -> r.allocPerMsg).text(0)});
        }
        String table = textTable(COLUMNS, lines);
        String notes = "Each cell: the median over " + repeat + " round" + (repeat == 1 ? "" : "s")
                + " (min-max of the rounds in parentheses; servers interleaved per workload, their order rotated"
                + " each round)" + (lane.isEmpty() ? "" : "; lane " + lane) + ".\n"
                + (http ? "HTTP: msgs/s are responses per second to GET /bytes/SIZE, one request in flight per "
                + "keep-alive connection, each response's status, Content-Length and length checked; MB/s of bodies;"
                + "\nvs_nio: against NIO of the same framework (netty-nio, reactor-nio) in the same round; per msg = "
                + "per request.\n" : "")
                + (http ? "Measured " : "msgs/s: echo round trips (churn: connect + 64-byte request + close; dgram: "
                + "a UDP datagram echoed) per second, measured ")
                + fmt(seconds, 1) + " s after " + fmt(warmup, 1) + " s of warm-up; MB/s one way.\n"
                + "cpu_us/msg: the server process's CPU time per message as it reports it (c-afd: as Linux sees it);\n"
                + "wineserver_us/msg: CPU time of this run's private wineserver per message (every Win32 socket call "
                + "is a round trip to it).\n"
                + (http ? "" : "vs_nio: msgs/s relative to NIO on the default (wepoll) Selector in the same round; ")
                + "calls/msg: "
                + "Win32 calls per round trip (Winloop only);\nalloc_B/msg: bytes allocated by the event loop thread "
                + "per round trip. Under Wine, absolute numbers mean little: compare rows.\n";
        OUT.print(table);
        OUT.print(notes);
        for (Row r : rows) {
            if (r.failed != null) {
                OUT.println((r.failed.startsWith("skipped") ? "" : "FAILED ") + r.server + " " + r.workload
                        + " (round " + (r.round + 1) + "): " + r.failed);
            }
        }
        Files.write(out.resolve("bench.txt"), (table + notes).getBytes(StandardCharsets.UTF_8));
        Files.write(out.resolve("bench.md"), markdown(cells).getBytes(StandardCharsets.UTF_8));
        try (Writer csv = Files.newBufferedWriter(out.resolve("bench-rounds.csv"), StandardCharsets.UTF_8)) {
            csv.write("round,server,workload,conns,size_bytes,msgs_per_s,mb_per_s,p50_us,p99_us,p999_us,"
                    + "server_cpu_us_per_msg,host_cpu_us_per_msg,wineserver_cpu_us_per_msg,ratio_to_nio,"
                    + "native_calls_per_msg,loop_alloc_bytes_per_msg,gcs,failed\n");
            for (Row r : rows) {
                csv.write(String.join(",", String.valueOf(r.round + 1), r.server, r.workload.kind,
                        String.valueOf(r.workload.conns), String.valueOf(r.workload.size), csvNum(r.msgsPerSec),
                        csvNum(r.mbPerSec), String.valueOf(r.p50), String.valueOf(r.p99), String.valueOf(r.p999),
                        csvNum(r.cpuUsPerMsg), csvNum(r.hostCpuUsPerMsg), csvNum(r.wineserverUsPerMsg),
                        csvNum(r.ratio), csvNum(r.callsPerMsg), csvNum(r.allocPerMsg), String.valueOf(r.gcs),
                        r.failed == null ? "" : "\"" + r.failed.replace('"', '\'') + "\""));
                csv.write("\n");
            }
        }
        try (Writer csv = Files.newBufferedWriter(out.resolve("bench.csv"), StandardCharsets.UTF_8)) {
            String[] metrics = {"msgs_per_s", "p99_us", "ratio_to_nio", "native_calls_per_msg",
                "loop_alloc_bytes_per_msg", "server_cpu_us_per_msg", "wineserver_cpu_us_per_msg"};
            StringBuilder head = new StringBuilder("server,workload,conns,size_bytes,rounds,failed_rounds");
            for (String m : metrics) {
                head.append(',').append(m).append("_median,").append(m).append("_min,").append(m).append("_max");
            }
            csv.write(head + "\n");
            for (Cell c : cells) {
                StringBuilder line = new StringBuilder(String.join(",", c.server, c.workload.kind,
                        String.valueOf(c.workload.conns), String.valueOf(c.workload.size),
                        String.valueOf(c.rounds.size()), String.valueOf(c.failures())));
                for (Stat s : new Stat[] {c.stat(r -> r.msgsPerSec), c.stat(r -> r.p99), c.stat(r -> r.ratio),
                    c.stat(r -> r.callsPerMsg), c.stat(r -> r.allocPerMsg), c.stat(r -> r.cpuUsPerMsg),
                    c.stat(r -> r.wineserverUsPerMsg)}) {
                    line.append(',').append(csvNum(s.median)).append(',').append(csvNum(s.min)).append(',')
                            .append(csvNum(s.max));
                }
                csv.write(line + "\n");
            }
        }
        if (traceCalls) {
            StringBuilder t = new StringBuilder("Win32 calls per message by call site, over all rounds "
                    + "(traced: rates are slowed; [other]: outside the data path, not in calls/msg)\n");
            for (Cell c : cells) {
                Map<String, Long> sum = new java.util.TreeMap<>();
                long msgs = 0;
                for (Row r : c.rounds) {
                    if (r.failed == null) {
                        msgs += r.messages;
                        for (Map.Entry<String, Long> e : r.sites.entrySet()) {
                            sum.merge(e.getKey(), e.getValue(), Long::sum);
                        }
                    }
                }
                if (sum.isEmpty() || msgs == 0) {
                    continue;
                }
                t.append('\n').append(c.server).append(' ').append(c.workload).append(" (").append(msgs)
                        .append(" msgs)\n");
                for (Map.Entry<String, Long> e : sum.entrySet()) {
                    t.append(String.format(Locale.ROOT, "  %8.3f  %s%n", e.getValue() / (double) msgs, e.getKey()));
                }
            }
            Files.write(out.resolve("bench-calls.txt"), t.toString().getBytes(StandardCharsets.UTF_8));
            OUT.print(t);
        }
        Files.write(out.resolve("bench.svg"), Chart.svg(cells, repeat).getBytes(StandardCharsets.UTF_8));
        OUT.println("wrote " + out.resolve("bench.txt") + ", bench.md, bench.csv, bench-rounds.csv and bench.svg in "
                + out);
    }

    /** The main columns as a Markdown table (for the README): median (min-max) per cell. */
    private String markdown(List<Cell> cells) {
        StringBuilder md = new StringBuilder("| server | workload | msgs/s | vs NIO | p99 µs | calls/msg | alloc B/msg |\n"
                + "|---|---|---|---|---|---|---|\n");
        for (Cell c : cells) {
            int failed = c.failures();
            String tput = failed == c.rounds.size() ? "failed" : c.stat(r -> r.msgsPerSec).text(0)
                    + (failed > 0 ? " [" + failed + " failed]" : "");
            md.append("| ").append(c.server).append(" | ").append(c.workload.kind).append(' ')
                    .append(c.workload.conns).append(" × ").append(sizeLabel(c.workload.size)).append(" | ").append(tput).append(" | ")
                    .append(c.stat(r -> r.ratio).text(2)).append(" | ").append(c.stat(r -> r.p99).text(0))
                    .append(" | ").append(c.stat(r -> r.callsPerMsg).text(2)).append(" | ")
                    .append(c.stat(r -> r.allocPerMsg).text(0)).append(" |\n");
        }
        return md.toString();
    }

    /** A text table: a header line and one line per row, each column as wide as its widest cell. */
    static String textTable(String[] columns, List<String[]> lines) {
        int[] width = new int[columns.length];
        for (int i = 0; i < columns.length; i++) {
            width[i] = columns[i].length();
            for (String[] line : lines) {
                width[i] = Math.max(width[i], line[i].length());
            }
        }
        StringBuilder table = new StringBuilder();
        appendRow(table, columns, width);
        for (String[] line : lines) {
            appendRow(table, line, width);
        }
        return table.toString();
    }

    /** One line of a text table: the first two columns left-aligned, the rest right-aligned. */
    static void appendRow(StringBuilder sb, String[] cells, int[] width) {
        for (int i = 0; i < cells.length; i++) {
            String c = cells[i];
            boolean left = i < 2;
            int pad = width[i] - c.length();
            if (!left) {
                for (int j = 0; j < pad; j++) {
                    sb.append(' ');
                }
            }
            sb.append(c);
            if (left) {
                for (int j = 0; j < pad; j++) {
                    sb.append(' ');
                }
            }
            sb.append(i == cells.length - 1 ? "\n" : "  ");
        }
    }

    static String fmt(double v, int decimals) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%." + decimals + "f", v);
    }

    private static String num(long v) {
        return v < 0 ? "-" : String.valueOf(v);
    }

    private static String csvNum(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.3f", v);
    }

    /**
     * The SVG chart: median throughput and p99 latency against connections, one line per server and message size,
     * with an error bar from the lowest to the highest round.
     */
    private static final class Chart {
        private static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#7f7f7f", "#9467bd", "#ff7f0e",
            "#8c564b", "#e377c2"};
        private static final int[] SIZES = {64, 16384, 65536, 1048576};
        private static final String[] DASHES = {"", " stroke-dasharray=\"6,4\"", " stroke-dasharray=\"2,3\"",
            " stroke-dasharray=\"9,3,2,3\""};
        private static final int W = 440;
        private static final int H = 320;
        private static final int L = 70;
        private static final int R = 20;
        private static final int T = 40;
        private static final int B = 50;

        static String svg(List<Cell> cells, int repeat) {
            List<String> servers = new ArrayList<>();
            for (Cell c : cells) {
                if (!servers.contains(c.server)) {
                    servers.add(c.server);
                }
            }
            StringBuilder s = new StringBuilder();
            int legendH = 20 * ((servers.size() + 3) / 4 + 2);
            s.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(2 * W).append("\" height=\"")
                    .append(H + legendH).append("\" font-family=\"sans-serif\" font-size=\"12\">\n");
            s.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
            double maxTput = 1;
            double maxP99 = 1;
            for (Cell c : cells) {
                if ("echo".equals(c.workload.kind)) {
                    Stat t = c.stat(r -> r.msgsPerSec);
                    Stat p = c.stat(r -> r.p99 / 1000.0);
                    if (t.n > 0) {
                        maxTput = Math.max(maxTput, t.max);
                        maxP99 = Math.max(maxP99, p.max);
                    }
                }
            }
            panel(s, cells, servers, 0, "Throughput (echo round trips/s)", niceCeil(maxTput), false, true);
            panel(s, cells, servers, W, "p99 latency (ms, log scale)", maxP99, true, false);
            int y = H + 5;
            for (int i = 0; i < servers.size(); i++) {
                String c = COLORS[i % COLORS.length];
                int x = L + (i % 4) * 200;
                int yy = y + (i / 4) * 20;
                s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" "
                        + "stroke-width=\"2\"/><text x=\"%d\" y=\"%d\">%s</text>\n", x, yy, x + 24, yy, c, x + 30,
                        yy + 4, esc(servers.get(i))));
            }
            int yy = y + ((servers.size() + 3) / 4) * 20;
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" fill=\"#444\">solid: 64 B; dashed: 16 KiB; "
                    + "dotted: 64 KiB; dash-dot: 1 MiB. Median of %d round(s); bars: lowest to highest round.</text>\n",
                    L, yy + 4, repeat));
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" fill=\"#444\">Servers in the Windows JVM "
                    + "under Wine, load from the host: Wine figures, compare lines within one run.</text>\n",
                    L, yy + 22));
            s.append("</svg>\n");
            return s.toString();
        }

        private static void panel(StringBuilder s, List<Cell> cells, List<String> servers, int x0, String title,
                                  double max, boolean log, boolean throughput) {
            int pw = W - L - R;
            int ph = H - T - B;
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" font-size=\"14\" font-weight=\"bold\">%s"
                    + "</text>\n", x0 + L, T - 15, esc(title)));
            s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" "
                    + "stroke=\"#888\"/>\n", x0 + L, T, pw, ph));
            double logMin = 0;
            double logMax = 1;
            if (log) {
                double min = Double.MAX_VALUE;
                for (Cell c : cells) {
                    Stat p = c.stat(r -> r.p99 / 1000.0);
                    if ("echo".equals(c.workload.kind) && p.n > 0 && p.min > 0) {
                        min = Math.min(min, p.min);
                    }
                }
                logMin = Math.floor(Math.log10(min == Double.MAX_VALUE ? 0.1 : min));
                logMax = Math.max(logMin + 1, Math.ceil(Math.log10(max)));
                for (double e = logMin; e <= logMax; e++) {
                    int y = (int) Math.round(T + ph - (e - logMin) / (logMax - logMin) * ph);
                    grid(s, x0, y, pw, fmtTick(Math.pow(10, e)));
                }
            } else {
                for (int i = 0; i <= 4; i++) {
                    int y = T + ph - i * ph / 4;
                    grid(s, x0, y, pw, fmtTick(max * i / 4));
                }
            }
            for (int c : new int[] {1, 100, 1000}) {
                int x = xOf(x0, c, pw);
                s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%d</text>\n",
                        x, T + ph + 18, c));
            }
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">connections</text>\n",
                    x0 + L + pw / 2, T + ph + 38));
            for (int si = 0; si < servers.size(); si++) {
                String color = COLORS[si % COLORS.length];
                for (int k = 0; k < SIZES.length; k++) {
                    StringBuilder pts = new StringBuilder();
                    for (Cell c : cells) {
                        if (!c.server.equals(servers.get(si)) || !"echo".equals(c.workload.kind)
                                || c.workload.size != SIZES[k]) {
                            continue;
                        }
                        Stat v = throughput ? c.stat(r -> r.msgsPerSec) : c.stat(r -> r.p99 / 1000.0);
                        if (v.n == 0) {
                            continue;
                        }
                        // Offset each server a little so that error bars at one x do not hide each other.
                        int x = xOf(x0, c.workload.conns, pw) + (si - servers.size() / 2) * 3;
                        int y = yOf(v.median, max, log, logMin, logMax, ph);
                        pts.append(x).append(',').append(y).append(' ');
                        s.append(String.format(Locale.ROOT, "<circle cx=\"%d\" cy=\"%d\" r=\"3\" fill=\"%s\"/>\n",
                                x, y, color));
                        if (v.n > 1) {
                            int y0 = yOf(v.min, max, log, logMin, logMax, ph);
                            int y1 = yOf(v.max, max, log, logMin, logMax, ph);
                            s.append(String.format(Locale.ROOT, "<path d=\"M%d %dV%dM%d %dh6M%d %dh6\" stroke=\"%s\" "
                                    + "stroke-width=\"1\" fill=\"none\"/>\n", x, y0, y1, x - 3, y0, x - 3, y1, color));
                        }
                    }
                    if (pts.length() > 0) {
                        s.append(String.format(Locale.ROOT, "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" "
                                + "stroke-width=\"2\"%s/>\n", pts.toString().trim(), color, DASHES[k]));
                    }
                }
            }
        }

        private static int yOf(double v, double max, boolean log, double logMin, double logMax, int ph) {
            double frac = log ? (Math.log10(Math.max(v, Math.pow(10, logMin))) - logMin) / (logMax - logMin)
                    : v / max;
            return (int) Math.round(T + ph - frac * ph);
        }

        private static void grid(StringBuilder s, int x0, int y, int pw, String label) {
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#ddd\"/>"
                    + "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>\n", x0 + L, y, x0 + L + pw, y,
                    x0 + L - 6, y + 4, label));
        }

        /** Connections on a log axis: 1, 100 and 1000 at 10%, 70% and 90% of the width. */
        private static int xOf(int x0, int conns, int pw) {
            double frac = 0.1 + 0.8 * Math.log10(conns) / 3;
            return (int) Math.round(x0 + L + frac * pw);
        }

        private static double niceCeil(double v) {
            double p = Math.pow(10, Math.floor(Math.log10(v)));
            for (double m : new double[] {1, 2, 2.5, 5, 10}) {
                if (m * p >= v) {
                    return m * p;
                }
            }
            return 10 * p;
        }

        private static String fmtTick(double v) {
            if (v >= 1000) {
                return fmt(v / 1000, v % 1000 == 0 ? 0 : 1) + "k";
            }
            return v >= 1 || v == 0 ? fmt(v, 0) : fmt(v, v >= 0.1 ? 1 : 2);
        }

        private static String esc(String s) {
            return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
        }
    }
}
