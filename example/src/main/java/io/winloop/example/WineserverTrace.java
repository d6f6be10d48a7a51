package io.winloop.example;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a wineserver's request trace ({@code example/bench --wineserver-trace}: the run's private wineserver
 * started with {@code -d1}) and prints, for each thread that sent data, the wineserver requests it made per
 * {@code send_socket} request, by kind, over the middle third of its sends (past start-up and warm-up, before the
 * end), and the requests all other threads made in the same stretch.
 *
 * <p>Under Wine every Win32 socket call is one or more wineserver requests (a recv is recv_socket, plus
 * get_handle_fd and set_async_direct_result; a GetQueuedCompletionStatusEx is remove_completion until it finds
 * nothing, and select when it waits). Winloop's own call counter sees only Winloop; this sees every server alike
 * (the JDK's NIO and the C AFD server too), so it tells whether two servers make Wine do the same work per
 * message. One send per message (an echo, a response, a churned connection's reply) makes "per send" "per
 * message"; run one server and one workload, so that the stretch is one steady state.
 */
public final class WineserverTrace {
    private static final Pattern REQUEST = Pattern.compile("^([0-9a-f]{4}): ([a-z_]+)\\(");
    private static final int MIN_SENDS = 300;

    private WineserverTrace() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: WineserverTrace WINESERVER_TRACE_LOG");
        }
        List<String[]> requests = new ArrayList<>(); // {thread, request}, in order
        try (BufferedReader in = Files.newBufferedReader(Paths.get(args[0]), StandardCharsets.ISO_8859_1)) {
            for (String line; (line = in.readLine()) != null; ) {
                Matcher m = REQUEST.matcher(line);
                if (m.find()) {
                    requests.add(new String[] {m.group(1), m.group(2)});
                }
            }
        }
        Map<String, List<Integer>> sends = new HashMap<>();
        for (int i = 0; i < requests.size(); i++) {
            if ("send_socket".equals(requests.get(i)[1])) {
                sends.computeIfAbsent(requests.get(i)[0], t -> new ArrayList<>()).add(i);
            }
        }
        StringBuilder out = new StringBuilder();
        for (Map.Entry<String, List<Integer>> e : new TreeMap<>(sends).entrySet()) {
            List<Integer> at = e.getValue();
            if (at.size() < MIN_SENDS) {
                continue;
            }
            int from = at.get(at.size() / 3);
            int to = at.get(2 * at.size() / 3);
            int units = 2 * at.size() / 3 - at.size() / 3;
            Map<String, Integer> own = new TreeMap<>();
            int ownTotal = 0;
            int others = 0;
            for (int i = from; i < to; i++) {
                String[] r = requests.get(i);
                if (r[0].equals(e.getKey())) {
                    own.merge(r[1], 1, Integer::sum);
                    ownTotal++;
                } else {
                    others++;
                }
            }
            out.append(String.format(Locale.ROOT, "thread %s: %d sends in the middle third; wineserver requests per send:%n",
                    e.getKey(), units));
            own.entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue()).forEach(r -> out.append(
                    String.format(Locale.ROOT, "  %8.2f  %s%n", r.getValue() / (double) units, r.getKey())));
            out.append(String.format(Locale.ROOT, "  %8.2f  total of this thread%n", ownTotal / (double) units));
            out.append(String.format(Locale.ROOT, "  %8.2f  all other threads (JIT, GC, other processes)%n",
                    others / (double) units));
        }
        if (out.length() == 0) {
            out.append("no thread sent ").append(MIN_SENDS).append(" times in ").append(args[0]).append('\n');
        }
        System.out.print(out);
    }
}
