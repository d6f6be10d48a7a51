package io.winloop.example;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The benchmark's workloads, as the host's clients run them: what one is ({@link Workload}), what a phase of it
 * measured ({@link Row}), and the closed-loop ones, connection churn, HTTP GETs and UDP ping-pong; the echo
 * ping-pong is {@link BenchmarkPingPong}.
 */
final class BenchmarkWorkloads {
    private final double seconds;
    private final double coldTimeout;

    BenchmarkWorkloads(double seconds, double coldTimeout) {
        this.seconds = seconds;
        this.coldTimeout = coldTimeout;
    }

    /** One phase of {@code w} against the server at {@code address}, after {@code phaseWarmup} seconds of warm-up. */
    Row run(Workload w, InetSocketAddress address, BenchmarkProbe probe, double phaseWarmup) throws Exception {
        return "churn".equals(w.kind) ? churn(address, w, probe, phaseWarmup)
                : "dgram".equals(w.kind) ? datagrams(address, w, probe, phaseWarmup)
                : "http".equals(w.kind) ? httpGets(address, w, probe, phaseWarmup)
                : BenchmarkPingPong.run(address, w, probe, phaseWarmup, seconds, coldTimeout);
    }

    static final class Workload {
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

    static final class Row {
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

    /** One client thread's request and answer; false when the answer was lost (then it is not counted). */
    private interface Exchange extends AutoCloseable {
        boolean exchange() throws IOException;

        @Override
        void close() throws IOException;
    }

    /** Connection churn: each exchange connects, sends one message, reads the echo and closes. */
    private Row churn(InetSocketAddress address, Workload w, BenchmarkProbe probe, double phaseWarmup)
            throws Exception {
        byte[] msg = new byte[w.size];
        Arrays.fill(msg, (byte) 'x');
        return closedLoop(w, probe, phaseWarmup, "churn", () -> {
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
    private Row httpGets(InetSocketAddress address, Workload w, BenchmarkProbe probe, double phaseWarmup)
            throws Exception {
        byte[] request = ("GET /bytes/" + w.size + " HTTP/1.1\r\nHost: " + address.getHostString() + ":"
                + address.getPort() + "\r\nAccept: */*\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        return closedLoop(w, probe, phaseWarmup, "http", () -> {
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
    private Row datagrams(InetSocketAddress address, Workload w, BenchmarkProbe probe, double phaseWarmup)
            throws Exception {
        byte[] msg = new byte[w.size];
        Arrays.fill(msg, (byte) 'u');
        return closedLoop(w, probe, phaseWarmup, "dgram", () -> {
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
    private Row closedLoop(Workload w, BenchmarkProbe probe, double phaseWarmup, String name,
                           java.util.concurrent.Callable<Exchange> newClient) throws Exception {
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

    static void finish(Row row, Histogram hist, double elapsed) {
        row.msgsPerSec = hist.total / elapsed;
        row.mbPerSec = hist.total * (double) row.workload.size / elapsed / 1e6;
        row.p50 = hist.percentile(0.5);
        row.p99 = hist.percentile(0.99);
        row.p999 = hist.percentile(0.999);
    }
}
