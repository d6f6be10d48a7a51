package io.winloop.internal.pipe;

import com.sun.jna.WString;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.winloop.internal.overlapped.OverlappedIo;
import io.winloop.internal.overlapped.PortBinding;
import io.winloop.internal.port.LoopPort;
import io.winloop.internal.win.Kernel32;
import io.winloop.internal.win.NativeMemory;
import io.winloop.internal.win.WinError;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The port-based acceptor's answers to what ConnectNamedPipe can say, driven on this thread with a poller's port:
 * a client that opened the instance before ConnectNamedPipe (ERROR_PIPE_CONNECTED: a connection, no packet), one
 * that opened and closed it (ERROR_NO_DATA: nothing to serve), one that connects while it listens (a packet), and
 * stop() with calls in flight (the instances closed and the blocks freed when the cancelled calls complete).
 */
class PipePortAcceptorTest {
    private long baseline;
    private LoopPort poller;
    private String path;
    private final List<PortBinding> accepted = new ArrayList<>();
    private final List<IOException> failures = new ArrayList<>();
    private final List<Long> handles = new ArrayList<>();

    private final PipeServerAcceptor.Listener listener = new PipeServerAcceptor.Listener() {
        @Override
        public void accepted(PortBinding connected) {
            accepted.add(connected);
            handles.add(connected.handle());
        }

        @Override
        public void failed(IOException cause) {
            failures.add(cause);
        }
    };

    @BeforeEach
    void setUp() throws IOException {
        baseline = NativeMemory.liveBlocks();
        poller = new LoopPort(16);
        path = "\\\\.\\pipe\\winloop-test-" + UUID.randomUUID();
    }

    @AfterEach
    void tearDown() {
        for (long handle : handles) {
            Kernel32.CloseHandle(handle);
        }
        poller.close(2_000);
        assertEquals(baseline, NativeMemory.liveBlocks(), "native blocks after close");
        assertTrue(failures.isEmpty(), "failures: " + failures);
    }

    private long newInstance() {
        long handle = Kernel32.CreateNamedPipeW(new WString(path),
                Kernel32.PIPE_ACCESS_DUPLEX | Kernel32.FILE_FLAG_OVERLAPPED, Kernel32.PIPE_TYPE_BYTE,
                Kernel32.PIPE_UNLIMITED_INSTANCES, 4096, 4096, 0, 0);
        assertNotEquals(Kernel32.INVALID_HANDLE_VALUE, handle, "CreateNamedPipe: "
                + WinError.describe(WinError.lastError()));
        return handle;
    }

    /** A synchronous client end; -1 when the open failed. */
    private long open() {
        long handle = Kernel32.CreateFileW(new WString(path), Kernel32.GENERIC_READ | Kernel32.GENERIC_WRITE, 0,
                0, Kernel32.OPEN_EXISTING, 0, 0);
        if (handle != Kernel32.INVALID_HANDLE_VALUE) {
            handles.add(handle);
        }
        return handle;
    }

    private PipePortAcceptor acceptor(long first, int instances) {
        OverlappedIo io = poller.overlapped();
        // ImmediateEventExecutor: this thread is the "loop" (it polls the port); no retry is scheduled here.
        return new PipePortAcceptor(new PipeInstances(path, path, first, 4096, 0), instances, io,
                ImmediateEventExecutor.INSTANCE, listener);
    }

    private void pollUntil(BooleanSupplier done) throws IOException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!done.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "not done within 5 s");
            poller.poll(50, (state, events, status) -> {
                throw new AssertionError("no AFD poll was issued");
            });
        }
    }

    private boolean isNameFree() {
        return Kernel32.WaitNamedPipeW(new WString(path), 1) == 0
                && WinError.lastError() == WinError.ERROR_FILE_NOT_FOUND;
    }

    @Test
    void aClientThatCameFirstIsAConnectionWithoutAPacket() throws IOException {
        long first = newInstance();
        assertNotEquals(Kernel32.INVALID_HANDLE_VALUE, open(), "the client opens the instance before it listens");
        PipePortAcceptor acceptor = acceptor(first, 1);
        acceptor.start(); // ConnectNamedPipe: ERROR_PIPE_CONNECTED (pipe-probe.c)
        assertEquals(1, accepted.size(), "handed over at once");
        assertEquals(first, accepted.get(0).handle());
        assertTrue(accepted.get(0).isBoundTo(poller.overlapped()), "associated with the loop's port");
        assertEquals(0, acceptor.listening(), "the backlog (1 of 1) is full: no new instance listens");
        assertEquals(0, poller.overlapped().inFlight(), "no call in flight for it");

        acceptor.delivered();
        assertEquals(1, acceptor.listening(), "taken: the slot listens anew");
        assertTrue(poller.overlapped().inFlight() == 1);
        acceptor.stop();
        pollUntil(() -> poller.overlapped().inFlight() == 0);
        assertEquals(0, poller.overlapped().liveOps(), "the slot's operation freed on its completion");
    }

    /** Opens a client on the only idle instance and closes it again. */
    private void comeAndGo() {
        long client = open();
        assertNotEquals(Kernel32.INVALID_HANDLE_VALUE, client);
        handles.remove(client);
        Kernel32.CloseHandle(client);
    }

    @Test
    void aClientThatCameAndWentIsNotServed() throws IOException {
        // What the system says, first: ConnectNamedPipe on an instance whose client came and went.
        long probe = newInstance();
        comeAndGo();
        long overlapped = NativeMemory.allocate(Kernel32.OVERLAPPED_SIZE);
        try {
            NativeMemory.zero(overlapped, Kernel32.OVERLAPPED_SIZE);
            assertEquals(0, Kernel32.ConnectNamedPipe(probe, overlapped));
            assertEquals(WinError.ERROR_NO_DATA, WinError.lastError(), WinError.describe(WinError.lastError()));
        } finally {
            NativeMemory.free(overlapped);
            Kernel32.CloseHandle(probe);
        }

        long first = newInstance();
        comeAndGo();
        PipePortAcceptor acceptor = acceptor(first, 1);
        acceptor.start(); // ConnectNamedPipe: ERROR_NO_DATA; the instance is closed and a new one listens
        assertEquals(0, accepted.size(), "nothing to serve");
        assertEquals(1, acceptor.listening(), "a new instance listens");

        long next = open();
        assertNotEquals(Kernel32.INVALID_HANDLE_VALUE, next, "the new instance takes a client");
        // An instance whose client left takes no other client: the one connecting now is a new instance (its handle
        // value may be the old one's, reused).
        pollUntil(() -> accepted.size() == 1);
        acceptor.stop();
        pollUntil(() -> poller.overlapped().inFlight() == 0);
        assertEquals(0, poller.overlapped().liveOps());
    }

    @Test
    void stopWithConnectsInFlightClosesTheInstancesOnTheirCompletions() throws IOException {
        PipePortAcceptor acceptor = acceptor(newInstance(), 3);
        acceptor.start();
        assertEquals(3, acceptor.listening());
        assertEquals(3, poller.overlapped().inFlight(), "three ConnectNamedPipe calls in flight");
        long blocksListening = NativeMemory.liveBlocks();
        acceptor.stop();
        assertEquals(blocksListening, NativeMemory.liveBlocks(), "the kernel's blocks are not freed while in flight");
        assertTrue(!isNameFree(), "the instances stay open until their calls complete");
        pollUntil(() -> poller.overlapped().inFlight() == 0);
        assertEquals(0, acceptor.listening());
        assertEquals(0, poller.overlapped().liveOps(), "every operation freed on its completion");
        assertTrue(isNameFree(), "every instance closed");
        assertEquals(0, accepted.size());
    }
}
