package io.winloop.internal.afd;

import io.winloop.WinloopIoOps;
import io.winloop.internal.afd.AfdTestSupport.Recorder;
import io.winloop.internal.port.LoopPort;
import io.winloop.internal.win.Kernel32;
import io.winloop.internal.win.ProcessHandles;
import io.winloop.internal.win.Wine;
import io.winloop.internal.win.NativeMemory;
import io.winloop.internal.win.WinSocket;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static io.winloop.internal.afd.AfdTestSupport.await;
import static io.winloop.internal.afd.AfdTestSupport.connectedPair;
import static io.winloop.internal.afd.AfdTestSupport.sendBytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sockets and pollers give back every process handle and every native block they took. */
class AfdPollerResourceTest {
    private static final int PAIRS = 8;

    /**
     * The process's handle count. Wine 8 stubs GetProcessHandleCount (it succeeds and reports 0: see
     * tools/probes/handle-count-probe.c), so ProcessHandles falls back to this process's entries in
     * NtQuerySystemInformation(SystemExtendedHandleInformation); on Windows a 0 from GetProcessHandleCount is a bug.
     */
    private static long handleCount() throws IOException {
        if (!Wine.isWine()) {
            long out = NativeMemory.allocate(8);
            try {
                assertNotEquals(0, Kernel32.GetProcessHandleCount(Kernel32.GetCurrentProcess(), out),
                        "GetProcessHandleCount");
                assertNotEquals(0, NativeMemory.getInt(out), "GetProcessHandleCount reported 0 handles on Windows");
            } finally {
                NativeMemory.free(out);
            }
        }
        return ProcessHandles.count();
    }

    /**
     * A poller with a listener and {@link #PAIRS} connected pairs, polls in flight on every one, events delivered,
     * half the sockets removed with their polls in flight and the rest left to {@link AfdPoller#close}.
     *
     * @return the process handle count while everything was open
     */
    private long openUseAndClose() throws IOException {
        List<WinSocket> sockets = new ArrayList<>();
        LoopPort loop = new LoopPort(32);
        AfdPoller poller = loop.afd();
        try {
            WinSocket listener = AfdTestSupport.listener();
            sockets.add(listener);
            List<SocketPollState> states = new ArrayList<>();
            Recorder recorder = new Recorder();
            for (int i = 0; i < PAIRS; i++) {
                WinSocket[] pair = connectedPair(listener);
                sockets.add(pair[0]);
                sockets.add(pair[1]);
                SocketPollState server = poller.add(pair[1].baseHandle(), "server#" + i);
                poller.setInterest(server, Afd.eventsOf(WinloopIoOps.READ));
                states.add(server);
                SocketPollState client = poller.add(pair[0].baseHandle(), "client#" + i);
                poller.setInterest(client, Afd.eventsOf(WinloopIoOps.READ));
                states.add(client);
                sendBytes(pair[0], new byte[] {1});
                await(loop, recorder, server, Afd.RECEIVE);
            }
            poller.flushUpdates();
            assertTrue(poller.pollsInFlight() >= PAIRS, "polls in flight: " + poller.pollsInFlight());
            long open = handleCount();
            for (int i = 0; i < states.size(); i += 2) {
                poller.remove(states.get(i)); // deregister before closesocket
            }
            return open;
        } finally {
            loop.close(5_000);
            for (WinSocket s : sockets) {
                s.close();
            }
            assertEquals(0, poller.pollsInFlight());
        }
    }

    /** Waits up to 3 s for the handle count to come back down (the JVM's own threads come and go). */
    private long settledHandleCount(long baseline) throws IOException {
        long count = handleCount();
        long deadline = System.nanoTime() + 3_000_000_000L;
        while (count > baseline && System.nanoTime() < deadline) {
            AfdTestSupport.sleep(50);
            count = handleCount();
        }
        return count;
    }

    @Test
    void handlesAndNativeBlocksReturnToTheirBaseline() throws IOException {
        openUseAndClose(); // warm up: Winsock, classes, JNA stubs, JIT threads
        long blocks = NativeMemory.liveBlocks();
        long baseline = handleCount();
        for (int round = 0; round < 3; round++) {
            long open = openUseAndClose();
            // 2 * PAIRS + 1 sockets, 1 AFD helper and 1 completion port were open: the count must have seen them.
            assertTrue(open >= baseline + 2 * PAIRS + 3,
                    "round " + round + ": handles while open " + open + ", baseline " + baseline);
            assertEquals(blocks, NativeMemory.liveBlocks(), "round " + round + ": native blocks");
            long after = settledHandleCount(baseline);
            assertEquals(baseline, after, "round " + round + ": process handles after closing everything");
        }
    }

    @Test
    void aPollerAloneGivesBackItsHandles() throws IOException {
        new LoopPort(4).close(1_000);
        long blocks = NativeMemory.liveBlocks();
        long baseline = handleCount();
        LoopPort loop = new LoopPort(4);
        AfdPoller poller = loop.afd();
        WinSocket listener = AfdTestSupport.listener();
        SocketPollState state = poller.add(listener.baseHandle(), "listener");
        assertEquals(baseline + 3, handleCount(), "completion port, AFD helper, socket");
        poller.setInterest(state, Afd.eventsOf(WinloopIoOps.READ));
        poller.flushUpdates();
        loop.close(1_000); // cancels the poll in flight and waits for its completion
        listener.close();
        assertEquals(blocks, NativeMemory.liveBlocks());
        assertEquals(baseline, settledHandleCount(baseline));
    }
}
