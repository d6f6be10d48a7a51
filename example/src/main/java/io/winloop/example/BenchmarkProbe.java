package io.winloop.example;

import io.winloop.example.BenchmarkWorkloads.Row;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Counters read at the start and the end of a measurement window: the server's own (through its {@link Control}
 * connection) and, from Linux, the CPU time of the server process and of the run's wineserver.
 */
final class BenchmarkProbe {
    private static final PrintStream ERR = System.err;

    final Control control;
    final long serverPid;
    final long wineserverPid;
    Map<String, Long> stats0;
    Map<String, Long> sites0;
    boolean traceCalls;
    long serverTicks0;
    long wineserverTicks0;

    BenchmarkProbe(Control control, long serverPid, long wineserverPid) {
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

    /** The server's control connection. */
    static final class Control {
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

    /** Process#pid() on Java 9+ (the example module compiles for Java 8); 0 when unknown. */
    static long pid(Process p) {
        try {
            return (Long) Process.class.getMethod("pid").invoke(p);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return 0;
        }
    }

    private static final long TICKS_PER_SECOND = 100; // USER_HZ on Linux

    /**
     * utime + stime of a Linux process in clock ticks, or -1 when it cannot be read (not on Linux). Also works in a
     * Windows JVM under Wine started from a Linux directory (PipeBenchmark): "/proc" is then read on drive Z:,
     * Wine's /.
     */
    static long cpuTicks(long pid) {
        if (pid <= 0) {
            return -1;
        }
        try {
            String stat = new String(Files.readAllBytes(Paths.get("/proc/" + pid + "/stat")),
                    StandardCharsets.US_ASCII);
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(f[11]) + Long.parseLong(f[12]); // fields 14 and 15 of proc(5)
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
