package io.winloop.example;

import io.winloop.example.BenchmarkProbe.Control;
import io.winloop.example.BenchmarkWorkloads.Workload;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The benchmark's servers: which ones there are ({@link ServerSpec}), and starting one as a process, a
 * {@link BenchServer} in the Windows JVM or the C ceiling server under Wine, with its control connection.
 */
final class BenchmarkServers {
    private static final PrintStream ERR = System.err;

    private final String java;
    private final String classpath;
    private final String afdExe;
    private final String wine;
    /** The HTTP servers' response sizes, as BenchServer's --sizes. */
    private final String httpSizes;
    private final Consumer<String> progress;

    BenchmarkServers(String java, String classpath, String afdExe, String wine, String httpSizes,
                     Consumer<String> progress) {
        this.java = java;
        this.classpath = classpath;
        this.afdExe = afdExe;
        this.wine = wine;
        this.httpSizes = httpSizes;
        this.progress = progress;
    }

    static final class ServerSpec {
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
                case "winloop-iocp":
                    // Winloop in completion mode (WinloopIoMode.COMPLETION): overlapped WSARecv / WSASend.
                    s = new ServerSpec(name, "winloop");
                    s.jvmOptions.add("-Dio.winloop.countNativeCalls=true");
                    s.jvmOptions.add("-Dio.winloop.ioMode=completion");
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
                            + " (winloop, winloop-iocp, winloop-jna, nio, nio-select, c-afd, or a NAME of --transport-classes)");
            }
        }
    }

    /** A running server process and its control connection. */
    static final class Server {
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
    Server start(ServerSpec spec, int port, int controlPort) throws Exception {
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
                cmd.addAll(Arrays.asList("--http", spec.http, "--sizes", httpSizes));
            }
        } else {
            if (!System.getProperty("os.name", "").startsWith("Windows")) {
                cmd.add(wine);
            }
            cmd.addAll(Arrays.asList(afdExe, String.valueOf(port)));
        }
        progress.accept(spec.name + ": starting the server");
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
        progress.accept(spec.name + ": " + ready.get());
        Control control = spec.transport != null ? new Control(controlPort) : null;
        return new Server(spec, p, control, new InetSocketAddress("127.0.0.1", port));
    }


    /** Whether a new connection gets a one-byte echo within 5 s. */
    static boolean answers(InetSocketAddress address) {
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
    static boolean connects(InetSocketAddress address) {
        try (Socket s = new Socket()) {
            s.connect(address, 5000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static void drain(Control control) throws Exception {
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
}
