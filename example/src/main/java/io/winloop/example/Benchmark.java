package io.winloop.example;

import io.winloop.example.BenchmarkServers.Server;
import io.winloop.example.BenchmarkServers.ServerSpec;
import io.winloop.example.BenchmarkWorkloads.Row;
import io.winloop.example.BenchmarkWorkloads.Workload;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.text.SimpleDateFormat;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import static io.winloop.example.BenchmarkReport.fmt;

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
 *
 * <p>This class is the command line and the run: the rounds, each workload on each server. The servers
 * ({@link BenchmarkServers}), what a phase measures on the server side ({@link BenchmarkProbe}), the workloads
 * ({@link BenchmarkWorkloads}, {@link BenchmarkPingPong}), the tables ({@link BenchmarkReport}) and the chart
 * ({@link BenchmarkChart}) have a file each.
 */
public final class Benchmark {
    static final String USAGE = "usage: Benchmark --java WINDOWS_JAVA --cp WINDOWS_CLASSPATH [--quick] [--repeat N]"
            + " [--out DIR] [--afd-exe afd_echo_server.exe] [--wine WINE_COMMAND] [--wineserver-pid PID]"
            + " [--lane A|B] [--servers winloop,winloop-iocp,winloop-jna,nio,nio-select,c-afd]"
            + " [--transport-classes NAME=DIR,...] [--warmup S] [--seconds S] [--port 7300]"
            + " [--conns 1,100,1000 (0 = no echo)]"
            + " [--sizes 64,16384,65536,1048576] [--churn THREADS (0 = none)] [--dgram THREADS (0 = none)]"
            + " [--cold-timeout S] [--trace-calls] [--server-opts 'JVM OPTIONS']"
            + "\n   or: Benchmark --http ... [--servers netty-winloop,netty-nio,reactor-winloop,reactor-nio]"
            + " [--conns 1,16] [--sizes 65536,1048576]";

    private static final PrintStream ERR = System.err;

    final String java;
    final String classpath;
    final String afdExe;
    final String wine;
    final String lane;
    private final long wineserverPid;
    final double warmup;
    final double seconds;
    private final double coldTimeout;
    private final double jitWarmup;
    final int repeat;
    /** Count Winloop's Win32 calls per call site (slow: a stack trace per call; for diagnosis, not for rates). */
    final boolean traceCalls;
    /** HTTP mode: GET /bytes/SIZE on keep-alive connections to Netty's and Reactor Netty's HTTP servers. */
    final boolean http;
    /** Extra Winloop servers: name to the directory (or jar) of transport classes that replaces the built one. */
    private final Map<String, String> transportClasses = new LinkedHashMap<>();
    private final int basePort;
    private final BenchmarkWorkloads load;
    final List<Workload> workloads = new ArrayList<>();
    final List<Row> rows = new ArrayList<>();
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
        load = new BenchmarkWorkloads(seconds, coldTimeout);
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
                ? "netty-winloop,netty-nio,reactor-winloop,reactor-nio" : "winloop,winloop-iocp,winloop-jna,nio,nio-select,c-afd")
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
        BenchmarkServers starter = new BenchmarkServers(b.java, b.classpath, b.afdExe, b.wine, b.httpSizes(),
                b::progress);
        List<Server> live = new ArrayList<>();
        try {
            int port = b.basePort;
            for (ServerSpec s : specs) {
                live.add(starter.start(s, port, port + 1));
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
        new BenchmarkReport(b).write(out, specs);
    }

    private void runPhase(Server s, Workload w) throws Exception {
        phase++;
        Row row;
        if (s.deaf != null) {
            row = new Row(w);
            row.failed = "skipped: " + s.deaf;
            progress(s.spec.name + ": " + w + " skipped");
        } else {
            // Longer for a server's first phase, while the JIT compiles.
            double phaseWarmup = s.warm ? warmup : Math.max(warmup, jitWarmup);
            s.warm = true;
            progress(s.spec.name + ": " + w);
            BenchmarkProbe probe = new BenchmarkProbe(s.control, BenchmarkProbe.pid(s.process), wineserverPid);
            probe.traceCalls = traceCalls;
            try {
                row = load.run(w, s.address, probe, phaseWarmup);
            } catch (IOException e) {
                ERR.println("  " + s.spec.name + " " + w + " failed: " + e);
                row = new Row(w);
                row.failed = e.toString();
                if (s.control != null) {
                    s.control.dump(); // the event loop's stack, relayed on stderr
                }
                if (s.spec.http != null ? !BenchmarkServers.connects(s.address)
                        : !BenchmarkServers.answers(s.address)) {
                    s.deaf = "the server stopped answering new connections after " + w;
                    ERR.println("  " + s.deaf + ": skipping its remaining phases");
                }
            }
            progress(s.spec.name + ": " + w + " -> " + fmt(row.msgsPerSec, 0) + " msgs/s, p99 " + row.p99 + " us");
            if (s.deaf == null) {
                // The next phase starts when the server has closed this one's connections.
                BenchmarkServers.drain(s.control);
            }
        }
        row.server = s.spec.name;
        row.round = round;
        rows.add(row);
    }

    private String httpSizes() {
        Set<String> sizes = new LinkedHashSet<>();
        for (Workload w : workloads) {
            sizes.add(String.valueOf(w.size));
        }
        return String.join(",", sizes);
    }

    private void progress(String what) {
        ERR.printf(Locale.ROOT, "bench [%3.0fs] [%d/%d] round %d: %s%n", (System.nanoTime() - started) / 1e9, phase,
                phases, round + 1, what);
    }
}
