package io.winloop.example;

import io.winloop.example.BenchmarkServers.ServerSpec;
import io.winloop.example.BenchmarkWorkloads.Row;
import io.winloop.example.BenchmarkWorkloads.Workload;

import java.io.IOException;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

import static io.winloop.example.BenchmarkWorkloads.sizeLabel;
import static io.winloop.example.BenchmarkWorkloads.sizeName;

/**
 * The benchmark's report: each cell (a server on a workload) as the median and the min-max of its rounds, printed as
 * a text table with notes, and written as bench.txt, bench.md, bench.csv, bench-rounds.csv and bench.svg
 * ({@link BenchmarkChart}). {@link #textTable} and {@link Stat} serve PipeBenchmark and SendfileBenchmark too.
 */
final class BenchmarkReport {
    private static final PrintStream OUT = System.out;

    private final List<Row> rows;
    private final List<Workload> workloads;
    private final int repeat;
    private final String lane;
    private final boolean http;
    private final double seconds;
    private final double warmup;
    private final boolean traceCalls;

    BenchmarkReport(Benchmark run) {
        rows = run.rows;
        workloads = run.workloads;
        repeat = run.repeat;
        lane = run.lane;
        http = run.http;
        seconds = run.seconds;
        warmup = run.warmup;
        traceCalls = run.traceCalls;
    }

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
    static final class Cell {
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

    void write(Path out, List<ServerSpec> specs) throws IOException {
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
        Files.write(out.resolve("bench.svg"), BenchmarkChart.svg(cells, repeat).getBytes(StandardCharsets.UTF_8));
        OUT.println("wrote " + out.resolve("bench.txt") + ", bench.md, bench.csv, bench-rounds.csv and bench.svg in "
                + out);
    }

    /** The main columns as a Markdown table (for the README): median (min-max) per cell. */
    private String markdown(List<Cell> cells) {
        StringBuilder md = new StringBuilder(
                "| server | workload | msgs/s | vs NIO | p99 µs | calls/msg | alloc B/msg |\n"
                + "|---|---|---|---|---|---|---|\n");
        for (Cell c : cells) {
            int failed = c.failures();
            String tput = failed == c.rounds.size() ? "failed" : c.stat(r -> r.msgsPerSec).text(0)
                    + (failed > 0 ? " [" + failed + " failed]" : "");
            md.append("| ").append(c.server).append(" | ").append(c.workload.kind).append(' ')
                    .append(c.workload.conns).append(" × ").append(sizeLabel(c.workload.size)).append(" | ")
                    .append(tput).append(" | ")
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

    private static String csvNum(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.3f", v);
    }
}
