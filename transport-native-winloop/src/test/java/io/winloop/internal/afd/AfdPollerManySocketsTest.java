package io.winloop.internal.afd;

import io.winloop.WinloopIoOps;
import io.winloop.internal.port.LoopPort;
import io.winloop.internal.win.NativeMemory;
import io.winloop.internal.win.WinSocket;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static io.winloop.internal.afd.AfdTestSupport.accept;
import static io.winloop.internal.afd.AfdTestSupport.sendBytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** One AfdPoller with 1 000 sockets (500 connected pairs) polled at once. */
class AfdPollerManySocketsTest {
    private static final int PAIRS = 500;
    private static final long DEADLINE_SECONDS = 30;

    @Test
    void thousandSocketsEachReportTheirReadiness() throws IOException {
        List<WinSocket> all = new ArrayList<>();
        long blocksBefore = NativeMemory.liveBlocks();
        LoopPort loop = new LoopPort(256);
        AfdPoller poller = loop.afd();
        try {
            WinSocket listener = AfdTestSupport.listener();
            all.add(listener);
            InetSocketAddress remote = listener.localAddress();
            WinSocket[] clients = new WinSocket[PAIRS];
            WinSocket[] servers = new WinSocket[PAIRS];
            for (int i = 0; i < PAIRS; i++) {
                clients[i] = WinSocket.newStreamSocket(false);
                all.add(clients[i]);
                clients[i].connect(remote);
                servers[i] = accept(listener);
                all.add(servers[i]);
            }

            Set<SocketPollState> waiting = new HashSet<>();
            SocketPollState[] clientStates = new SocketPollState[PAIRS];
            for (int i = 0; i < PAIRS; i++) {
                // The accepted sides wait for data while the clients' connects are confirmed (SEND).
                SocketPollState server = poller.add(servers[i].baseHandle(), "server#" + i);
                poller.setInterest(server, Afd.eventsOf(WinloopIoOps.READ));
                waiting.add(server);
                clientStates[i] = poller.add(clients[i].baseHandle(), "client#" + i);
                poller.setInterest(clientStates[i], Afd.eventsOf(WinloopIoOps.WRITE));
                waiting.add(clientStates[i]);
            }
            assertEquals(2 * PAIRS, poller.liveSockets());
            assertEquals((2 * PAIRS + AfdHelper.MAX_SOCKETS - 1) / AfdHelper.MAX_SOCKETS, poller.helperHandles(),
                    "32 sockets per AFD helper handle");

            int[] sends = new int[1];
            int[] receives = new int[1];
            AfdPoller.Listener listener1 = (state, events, status) -> {
                boolean client = ((String) state.attachment()).startsWith("client");
                int expected = client ? Afd.SEND : Afd.RECEIVE;
                if ((events & ~expected) != 0) {
                    fail("unexpected " + AfdTestSupport.eventNames(events) + " for " + state.attachment());
                }
                if (waiting.remove(state)) {
                    if (client) {
                        sends[0]++;
                    } else {
                        receives[0]++;
                    }
                }
                poller.setInterest(state, 0); // one report is enough
            };
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DEADLINE_SECONDS);
            boolean sent = false;
            int maxInFlight = 0;
            while (!waiting.isEmpty()) {
                if (System.nanoTime() > deadline) {
                    fail(waiting.size() + " socket(s) never reported within " + DEADLINE_SECONDS + " s: SEND "
                            + sends[0] + "/" + PAIRS + ", RECEIVE " + receives[0] + "/" + PAIRS);
                }
                poller.flushUpdates();
                maxInFlight = Math.max(maxInFlight, poller.pollsInFlight());
                loop.poll(100, listener1);
                if (!sent && sends[0] == PAIRS) {
                    assertEquals(0, receives[0], "no data was sent yet");
                    for (WinSocket client : clients) {
                        assertEquals(1, sendBytes(client, new byte[] {7}));
                    }
                    sent = true;
                }
            }
            assertEquals(PAIRS, sends[0]);
            assertEquals(PAIRS, receives[0]);
            assertTrue(maxInFlight >= PAIRS, "the servers' polls were all in flight at once: " + maxInFlight);

            for (int i = 0; i < PAIRS; i++) {
                poller.remove(clientStates[i]);
            }
            assertEquals(PAIRS, poller.liveSockets());
        } finally {
            loop.close(5_000);
            AfdTestSupport.closeQuietly(all.toArray(new WinSocket[0]));
        }
        assertEquals(0, poller.pollsInFlight(), "every poll completed before close returned");
        assertEquals(blocksBefore, NativeMemory.liveBlocks(), "every block freed");
    }
}
