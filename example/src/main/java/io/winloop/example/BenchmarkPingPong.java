package io.winloop.example;

import io.winloop.example.BenchmarkWorkloads.Histogram;
import io.winloop.example.BenchmarkWorkloads.Row;
import io.winloop.example.BenchmarkWorkloads.Workload;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;

import static io.winloop.example.BenchmarkReport.fmt;
import static io.winloop.example.BenchmarkWorkloads.finish;

/**
 * The echo workload: {@code w.conns} connections on one NIO selector, each with one message in flight, sent again as
 * soon as all of it has come back.
 */
final class BenchmarkPingPong {
    private BenchmarkPingPong() {
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

    static Row run(InetSocketAddress address, Workload w, BenchmarkProbe probe, double phaseWarmup, double seconds,
                   double coldTimeout) throws IOException {
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

    private static void sleepQuietly(long millis) throws IOException {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
