package io.winloop.internal.pipe;

import com.sun.jna.WString;
import io.netty.util.concurrent.DefaultEventExecutor;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.winloop.internal.overlapped.PortBinding;
import io.winloop.internal.port.LoopPort;
import io.winloop.internal.win.Kernel32;
import io.winloop.internal.win.NativeMemory;
import io.winloop.internal.win.WinError;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The thread-based acceptor (the choice under Wine and on Windows before 8.1) facing what any local process can do
 * to it: a client that opens an instance and closes it before ConnectNamedPipe (ERROR_NO_DATA) is nothing to
 * report, 200 of them in a row do not keep the next client waiting; and a failure that repeats on every retry, in
 * either acceptor, is reported once, not once per retry.
 */
class PipeAcceptorTest {
    private long baseline;
    private String path;
    private final LinkedBlockingQueue<Long> accepted = new LinkedBlockingQueue<>();
    private final List<IOException> failures = new CopyOnWriteArrayList<>();

    /** Told on the acceptor thread itself (an immediate executor), as the test waits on the queue. */
    private final PipeServerAcceptor.Listener listener = new PipeServerAcceptor.Listener() {
        @Override
        public void accepted(PortBinding connected) {
            accepted.add(connected.handle());
        }

        @Override
        public void failed(IOException cause) {
            failures.add(cause);
        }
    };

    @BeforeEach
    void setUp() {
        baseline = NativeMemory.liveBlocks();
        path = "\\\\.\\pipe\\winloop-test-" + UUID.randomUUID();
    }

    @AfterEach
    void tearDown() {
        Long handle;
        while ((handle = accepted.poll()) != null) {
            Kernel32.CloseHandle(handle);
        }
        assertEquals(baseline, NativeMemory.liveBlocks(), "native blocks after stop");
    }

    private long newInstance() {
        long handle = PipeInstances.create(new WString(path), true, 4096, 0);
        assertNotEquals(Kernel32.INVALID_HANDLE_VALUE, handle, WinError.describe(WinError.lastError()));
        return handle;
    }

    /**
     * A synchronous client that opens an instance and closes it at once; false while every instance is busy, or
     * none exists (between the hand-over of the only one and the creation of the next).
     */
    private boolean comeAndGo() {
        long client = Kernel32.CreateFileW(new WString(path), Kernel32.GENERIC_READ, 0, 0,
                Kernel32.OPEN_EXISTING, 0, 0);
        if (client == Kernel32.INVALID_HANDLE_VALUE) {
            int error = WinError.lastError();
            assertTrue(error == WinError.ERROR_PIPE_BUSY || error == WinError.ERROR_FILE_NOT_FOUND,
                    WinError.describe(error));
            return false;
        }
        Kernel32.CloseHandle(client);
        return true;
    }

    @Test
    @Timeout(60)
    void clientsThatCameAndWentAreNotReportedAndTheNextOneIsServed() throws Exception {
        // The first instance is opened and closed before the acceptor's ConnectNamedPipe: ERROR_NO_DATA at once.
        long first = newInstance();
        assertTrue(comeAndGo());
        PipeAcceptor acceptor = new PipeAcceptor(new PipeInstances(path, path, first, 4096, 0), 1,
                ImmediateEventExecutor.INSTANCE, listener);
        acceptor.start();
        try {
            for (int i = 0; i < 200; i++) {
                while (!comeAndGo()) {
                    takeAccepted(acceptor);
                    Thread.sleep(1);
                }
                takeAccepted(acceptor);
            }
            long client;
            do {
                takeAccepted(acceptor);
                client = Kernel32.CreateFileW(new WString(path), Kernel32.GENERIC_READ | Kernel32.GENERIC_WRITE,
                        0, 0, Kernel32.OPEN_EXISTING, 0, 0);
            } while (client == Kernel32.INVALID_HANDLE_VALUE && (WinError.lastError() == WinError.ERROR_PIPE_BUSY
                    || WinError.lastError() == WinError.ERROR_FILE_NOT_FOUND) && sleep());
            assertNotEquals(Kernel32.INVALID_HANDLE_VALUE, client, WinError.describe(WinError.lastError()));
            // The client's byte tells its server end from late hand-overs of those that came and went.
            long scratch = NativeMemory.allocate(16);
            try {
                NativeMemory.putInt(scratch, 42);
                assertTrue(Kernel32.WriteFile(client, scratch, 1, scratch + 8, 0) != 0, "WriteFile");
                boolean served = false;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (!served && System.nanoTime() < deadline) {
                    Long handle = accepted.poll(100, TimeUnit.MILLISECONDS);
                    if (handle != null) {
                        served = Kernel32.PeekNamedPipe(handle, 0, 0, 0, scratch + 8, 0) != 0
                                && NativeMemory.getInt(scratch + 8) == 1;
                        Kernel32.CloseHandle(handle);
                        acceptor.delivered();
                    }
                }
                assertTrue(served, "the client after them is served");
            } finally {
                NativeMemory.free(scratch);
                Kernel32.CloseHandle(client);
            }
            assertTrue(failures.isEmpty(), "a client that came and went is not a failure: " + failures);
        } finally {
            acceptor.stop();
        }
    }

    /** Those that met a listening instance were accepted (and are gone): take them, as a channel would. */
    private void takeAccepted(PipeAcceptor acceptor) {
        Long handle;
        while ((handle = accepted.poll()) != null) {
            Kernel32.CloseHandle(handle);
            acceptor.delivered();
        }
    }

    private static boolean sleep() throws InterruptedException {
        Thread.sleep(1);
        return true;
    }

    /** Instances that cannot be created: a path outside the pipe file system, in a directory that does not exist. */
    private PipeInstances failingInstances() {
        return new PipeInstances(path, "\\\\?\\C:\\no-such-directory-" + UUID.randomUUID() + "\\x", 0, 4096, 0);
    }

    @Test
    @Timeout(30)
    void aRepeatingFailureOfTheAcceptThreadIsReportedOnce() throws Exception {
        PipeAcceptor acceptor = new PipeAcceptor(failingInstances(), 2, ImmediateEventExecutor.INSTANCE, listener);
        acceptor.start();
        Thread.sleep(800); // about 8 retries
        acceptor.stop();
        assertEquals(1, failures.size(), "reported once: " + failures);
        assertTrue(failures.get(0).getMessage().startsWith("CreateNamedPipe(" + path + ") failed: "),
                failures.get(0).getMessage());
    }

    @Test
    @Timeout(30)
    void aRepeatingFailureOfThePortAcceptorIsReportedOnce() throws Exception {
        DefaultEventExecutor loop = new DefaultEventExecutor();
        LoopPort poller = loop.submit(() -> new LoopPort(16)).get();
        PipeServerAcceptor.Listener portListener = new PipeServerAcceptor.Listener() {
            @Override
            public void accepted(PortBinding connected) {
                Kernel32.CloseHandle(connected.handle());
            }

            @Override
            public void failed(IOException cause) {
                failures.add(cause);
            }
        };
        PipePortAcceptor acceptor = loop.submit(() -> {
            PipePortAcceptor a = new PipePortAcceptor(failingInstances(), 2, poller.overlapped(), loop, portListener);
            a.start();
            return a;
        }).get();
        Thread.sleep(800); // about 8 retries
        loop.submit(() -> {
            acceptor.stop();
            poller.close(2_000);
        }).get();
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        assertEquals(1, failures.size(), "reported once: " + failures);
        assertTrue(failures.get(0).getMessage().startsWith("CreateNamedPipe(" + path + ") failed: "),
                failures.get(0).getMessage());
    }
}
