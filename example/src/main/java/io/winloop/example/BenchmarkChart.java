package io.winloop.example;

import io.winloop.example.BenchmarkReport.Cell;
import io.winloop.example.BenchmarkReport.Stat;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static io.winloop.example.BenchmarkReport.fmt;

/**
 * The SVG chart: median throughput and p99 latency against connections, one line per server and message size,
 * with an error bar from the lowest to the highest round.
 */
final class BenchmarkChart {
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

    private BenchmarkChart() {
    }

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
