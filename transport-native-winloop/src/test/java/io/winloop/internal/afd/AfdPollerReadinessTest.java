package io.winloop.internal.afd;

import io.winloop.WinloopIoOps;
import io.winloop.internal.afd.AfdTestSupport.Event;
import io.winloop.internal.win.NativeMemory;
import io.winloop.internal.win.Ntdll;
import io.winloop.internal.win.WinSocket;
import io.winloop.internal.win.Wine;
import io.winloop.internal.win.Ws2_32;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;

import static io.winloop.internal.afd.AfdTestSupport.await;
import static io.winloop.internal.afd.AfdTestSupport.closedPort;
import static io.winloop.internal.afd.AfdTestSupport.connectedPair;
import static io.winloop.internal.afd.AfdTestSupport.pollFor;
import static io.winloop.internal.afd.AfdTestSupport.recvBytes;
import static io.winloop.internal.afd.AfdTestSupport.sendBytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What IOCTL_AFD_POLL reports through {@link AfdPoller} for the socket states a transport must see. */
class AfdPollerReadinessTest extends AbstractAfdPollerTest {
    private static final int READ = Afd.eventsOf(WinloopIoOps.READ);
    private static final int WRITE = Afd.eventsOf(WinloopIoOps.WRITE);
    /** How long "nothing is reported" is watched for. */
    private static final long QUIET_MILLIS = 300;


    private WinSocket[] pair(WinSocket listener) throws IOException {
        WinSocket[] pair = connectedPair(listener);
        track(pair[0]);
        track(pair[1]);
        return pair;
    }

    private SocketPollState watch(WinSocket socket, String name, int events) throws IOException {
        SocketPollState state = poller.add(socket.baseHandle(), name);
        poller.setInterest(state, events);
        return state;
    }

    @Test
    void listeningSocketReportsAcceptAfterAClientConnects() throws IOException {
        WinSocket listener = track(AfdTestSupport.listener());
        SocketPollState state = watch(listener, "listener", READ);
        pollFor(loop, recorder, QUIET_MILLIS);
        assertEquals(Collections.emptyList(), recorder.events, "nothing to accept yet");
        assertEquals(1, poller.pollsInFlight(), "the READ poll waits");

        WinSocket client = track(WinSocket.newStreamSocket(false));
        client.connect(listener.localAddress());
        Event e = await(loop, recorder, state, Afd.ACCEPT);
        assertEquals(Afd.ACCEPT, e.events, () -> "only ACCEPT: " + e);
        assertNotNull(track(listener.accept()), "ACCEPT means accept() has a connection");
    }

    @Test
    void receiveReportedAfterPeerSendsAndDataIsThere() throws IOException {
        WinSocket[] pair = pair(track(AfdTestSupport.listener()));
        SocketPollState state = watch(pair[1], "server", READ);
        pollFor(loop, recorder, QUIET_MILLIS);
        assertEquals(Collections.emptyList(), recorder.events, "nothing received yet");
        assertNull(recvBytes(pair[1], 16), "recv would block");

        byte[] hello = "hello".getBytes(StandardCharsets.US_ASCII);
        assertEquals(hello.length, sendBytes(pair[0], hello));
        Event e = await(loop, recorder, state, Afd.RECEIVE);
        assertEquals(Afd.RECEIVE, e.events, () -> "only RECEIVE: " + e);
        assertArrayEquals(hello, recvBytes(pair[1], 64));
    }

    /**
     * Windows reports SEND only when send() would take data again: after WSAEWOULDBLOCK, not until the peer drains.
     * Wine 10 returns WSAEWOULDBLOCK while its server still has an earlier send in progress, and then reports SEND
     * as soon as that completes: truthfully, since send() takes data again, so a sender only blocks for good once
     * the host's socket buffers are full too. tools/probes/afd-states-probe.c, "full send buffer":
     * <pre>
     * Debian wine64 8.0                                   Debian 13 wine64 10.0
     * fill       sent=65482 in 2 sends, last error=10035  fill       sent=65536 in 1 sends, last error=10035
     * poll       nothing within 1 s                       poll       events=0x4 (SEND)
     * send       send=-1 error=10035                      send       send=65536 error=0
     * </pre>
     * So under Wine 10 alone the test keeps filling while SEND comes early, each early SEND proven by a send that
     * takes data; on Windows and Wine 8 the first quiet period must be quiet.
     */
    @Test
    void sendReportedOnlyAfterAFullSendBufferIsDrained() throws IOException {
        WinSocket[] pair = pair(track(AfdTestSupport.listener()));
        WinSocket sender = pair[0];
        WinSocket receiver = pair[1];
        sender.setIntOption(Ws2_32.SOL_SOCKET, Ws2_32.SO_SNDBUF, 16 * 1024);
        receiver.setIntOption(Ws2_32.SOL_SOCKET, Ws2_32.SO_RCVBUF, 16 * 1024);

        int chunk = 64 * 1024;
        long buf = NativeMemory.allocate(chunk);
        try {
            long queued = fill(sender, buf, chunk, 0);
            assertTrue(queued > 0, "the first send must take something");

            SocketPollState state = watch(sender, "sender", WRITE);
            pollFor(loop, recorder, QUIET_MILLIS);
            int earlySends = 0;
            while (Wine.isMajorVersion(10) && recorder.first(state, Afd.SEND) != null) {
                assertTrue(++earlySends < 10_000, "Wine 10: SEND never stopped after " + queued + " bytes");
                int n = sender.send(buf, chunk);
                assertTrue(n > 0, "Wine 10 reported SEND, so send() must take data");
                queued = fill(sender, buf, chunk, queued + n);
                recorder.clear();
                pollFor(loop, recorder, QUIET_MILLIS);
            }
            assertNull(recorder.first(state, Afd.SEND), () -> "SEND while the buffer is full: " + recorder.events);
            assertEquals(1, poller.pollsInFlight(), "the WRITE poll waits");

            long drained = 0;
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (drained < queued) {
                int r = receiver.recv(buf, chunk);
                if (r > 0) {
                    drained += r;
                } else {
                    assertTrue(System.nanoTime() < deadline, "drained only " + drained + " of " + queued);
                    AfdTestSupport.sleep(1);
                }
            }
            Event e = await(loop, recorder, state, Afd.SEND);
            assertEquals(Afd.SEND, e.events, () -> "only SEND: " + e);
            assertTrue(sender.send(buf, chunk) > 0, "SEND means send() takes data again");
        } finally {
            NativeMemory.free(buf);
        }
    }

    /** Sends {@code chunk}-byte pieces until send() would block; returns {@code queued} plus what it took. */
    private static long fill(WinSocket sender, long buf, int chunk, long queued) throws IOException {
        int n;
        while ((n = sender.send(buf, chunk)) > 0) {
            queued += n;
            assertTrue(queued < 256L * 1024 * 1024, "send never blocked after " + queued + " bytes");
        }
        return queued;
    }

    @Test
    void nonblockingConnectReportsSendThenFinishes() throws IOException {
        WinSocket listener = track(AfdTestSupport.listener());
        InetSocketAddress remote = listener.localAddress();
        WinSocket client = track(WinSocket.newStreamSocket(false));
        boolean connected = client.connect(remote);
        SocketPollState state = watch(client, "client", WRITE);
        Event e = await(loop, recorder, state, Afd.SEND | Afd.CONNECT_FAIL);
        assertEquals(Afd.SEND, e.events, () -> "connected (sync=" + connected + "): " + e);
        assertTrue(client.finishConnect(remote));
        assertEquals(remote, client.remoteAddress());
    }

    /**
     * A refused connect: AFD reports CONNECT_FAIL with the handle's status STATUS_CONNECTION_REFUSED (Windows and,
     * as this test shows, Wine 8), SO_ERROR holds WSAECONNREFUSED, and both ways of finishing fail with a
     * ConnectException naming it.
     */
    @Test
    void connectToAClosedPortReportsConnectFailRefused() throws IOException {
        InetSocketAddress remote = closedPort();
        WinSocket client = track(WinSocket.newStreamSocket(false));
        boolean connected = client.connect(remote);
        assertEquals(false, connected, "a loopback connect is not complete at once");
        SocketPollState state = watch(client, "client", WRITE);
        Event e = await(loop, recorder, state, Afd.CONNECT_FAIL | Afd.SEND);
        assertEquals(Afd.CONNECT_FAIL, e.events & (Afd.CONNECT_FAIL | Afd.SEND), () -> "refused: " + e);
        assertEquals(Ntdll.STATUS_CONNECTION_REFUSED, e.status, () -> "status of " + e);

        ConnectException thrown = assertThrows(ConnectException.class, () -> client.finishConnect(remote));
        assertTrue(thrown.getMessage().contains("WSAECONNREFUSED (10061)"), thrown.getMessage());
        assertTrue(thrown.getMessage().startsWith("connect(" + remote + ") failed"), thrown.getMessage());
        // SO_ERROR may have been cleared by reading it above: connectFailure falls back to the status AFD carried.
        IOException failure = client.connectFailure(remote, e.status);
        assertEquals(ConnectException.class, failure.getClass());
        assertTrue(failure.getMessage().contains("WSAECONNREFUSED (10061)"), failure.getMessage());
    }

    @Test
    void connectFailureUsesSoErrorFirst() throws IOException {
        InetSocketAddress remote = closedPort();
        WinSocket client = track(WinSocket.newStreamSocket(false));
        client.connect(remote);
        SocketPollState state = watch(client, "client", WRITE);
        Event e = await(loop, recorder, state, Afd.CONNECT_FAIL);
        // A status the code would map elsewhere: SO_ERROR (WSAECONNREFUSED) must win.
        IOException failure = client.connectFailure(remote, 0xC000020D /* STATUS_CONNECTION_RESET */);
        assertEquals(ConnectException.class, failure.getClass(), failure::toString);
        assertTrue(failure.getMessage().contains("WSAECONNREFUSED (10061)"), failure.getMessage());
        assertEquals(Ntdll.STATUS_CONNECTION_REFUSED, e.status);
    }

    @Test
    void peerFinWithNoUnreadDataReportsDisconnect() throws IOException {
        WinSocket[] pair = pair(track(AfdTestSupport.listener()));
        SocketPollState state = watch(pair[1], "server", READ);
        pollFor(loop, recorder, QUIET_MILLIS);
        assertEquals(Collections.emptyList(), recorder.events, "no FIN yet");

        pair[0].shutdown(false, true);
        Event e = await(loop, recorder, state, Afd.DISCONNECT);
        assertEquals(0, e.events & (Afd.ABORT | Afd.CONNECT_FAIL), () -> "a graceful close: " + e);
        assertEquals(Afd.END_OF_STREAM, e.events & (Afd.RECEIVE | Afd.END_OF_STREAM),
                () -> "DISCONNECT without RECEIVE to a poll that asked for it: end of stream known: " + e);
        assertArrayEquals(new byte[0], recvBytes(pair[1], 16), "recv reads the end of stream");
    }

    /**
     * A poll that did not ask for RECEIVE (a channel not reading watches the FIN alone, WinloopIoOps.RDHUP) proves
     * nothing about queued data by leaving RECEIVE out: no END_OF_STREAM, and the data is still there.
     */
    @Test
    void finBehindDataToAPollWithoutReceiveIsNotEndOfStream() throws IOException {
        WinSocket[] pair = pair(track(AfdTestSupport.listener()));
        byte[] data = "bye".getBytes(StandardCharsets.US_ASCII);
        assertEquals(data.length, sendBytes(pair[0], data));
        // Under Wine the FIN behind unread data shows no DISCONNECT until the data is read: wait for it on
        // Windows only, and give Wine a quiet spell to show that nothing claims the end of stream.
        SocketPollState state = watch(pair[1], "server", Afd.eventsOf(WinloopIoOps.RDHUP));
        pair[0].shutdown(false, true);
        if (Wine.isMajorVersion(8) || Wine.isMajorVersion(10)) {
            pollFor(loop, recorder, QUIET_MILLIS);
            for (Event e : recorder.events) {
                assertEquals(0, e.events & Afd.END_OF_STREAM, () -> "not asked for RECEIVE: " + e);
            }
        } else {
            Event e = await(loop, recorder, state, Afd.DISCONNECT);
            assertEquals(0, e.events & Afd.END_OF_STREAM, () -> "not asked for RECEIVE: " + e);
        }
        assertArrayEquals(data, recvBytes(pair[1], 64), "the data is still queued");
    }

    /**
     * FIN behind unread data. Windows reports DISCONNECT as soon as the FIN arrives, next to RECEIVE. Wine 8 and 10
     * do not: their poll reports RECEIVE alone while data is unread and DISCONNECT only once the data is drained
     * (Wine peeks one byte to tell data from end of stream). Seen with tools/probes/afd-states-probe.c under Debian
     * wine64 8.0 and Debian 13 wine64 10.0 alike (5 bytes, then shutdown(SD_SEND), then polls for every event but
     * CONNECT):
     * <pre>
     * poll with data unread              iosb=0x0 handles=1 events=0x5 status=0x0   (RECEIVE|SEND)
     * recv                               recv=5 error=0
     * poll after drain                   iosb=0x0 handles=1 events=0xc status=0x0   (SEND|DISCONNECT)
     * recv                               recv=0 error=0
     * </pre>
     * Either way RECEIVE comes first and DISCONNECT alone only once drained: so DISCONNECT without RECEIVE, to a
     * poll that asked for RECEIVE, means nothing is queued, and AfdPoller marks it END_OF_STREAM (the read loop
     * then skips the recv that could only return 0). DISCONNECT to a poll that did not ask for RECEIVE proves
     * nothing (finBehindDataToAPollWithoutReceiveIsNotEndOfStream).
     */
    @Test
    void peerFinBehindUnreadDataReportsReceiveThenDisconnectOnceDrained() throws IOException {
        WinSocket[] pair = pair(track(AfdTestSupport.listener()));
        SocketPollState state = watch(pair[1], "server", READ);
        byte[] data = "bye".getBytes(StandardCharsets.US_ASCII);
        assertEquals(data.length, sendBytes(pair[0], data));
        pair[0].shutdown(false, true);
        AfdTestSupport.sleep(100); // let the FIN arrive behind the data

        Event first = await(loop, recorder, state, Afd.RECEIVE | Afd.DISCONNECT);
        assertTrue((first.events & Afd.RECEIVE) != 0, () -> "data first: " + first);
        assertEquals(0, first.events & Afd.END_OF_STREAM, () -> "data queued: not the end of stream: " + first);
        if (Wine.isMajorVersion(8) || Wine.isMajorVersion(10)) {
            assertEquals(Afd.RECEIVE, first.events, () -> "Wine: no DISCONNECT before the data is read: " + first);
        } else {
            assertEquals(Afd.RECEIVE | Afd.DISCONNECT, first.events, () -> "Windows: FIN seen at once: " + first);
        }

        assertArrayEquals(data, recvBytes(pair[1], 64));
        recorder.clear();
        Event drained = await(loop, recorder, state, Afd.DISCONNECT);
        assertEquals(Afd.END_OF_STREAM, drained.events & (Afd.RECEIVE | Afd.END_OF_STREAM),
                () -> "drained: the end of stream is known without a recv: " + drained);
        assertArrayEquals(new byte[0], recvBytes(pair[1], 16), "then the end of stream");
    }

    /**
     * A reset peer: AFD reports ABORT on Windows and Wine alike. What recv says next differs. Windows fails it with
     * WSAECONNRESET. Wine's server consumes the Linux socket's pending error (ECONNRESET) when it notices the reset
     * itself, whether or not anyone polls, so recv then reads a plain end of stream. tools/probes/afd-states-probe.c
     * under Debian wine64 8.0:
     * <pre>
     * -- peer reset (SO_LINGER 0 + close), polled first
     * poll after reset                   iosb=0x0 handles=1 events=0x14 status=0x0   (SEND|ABORT)
     * recv                               recv=0 error=0
     * -- peer reset, not polled
     * recv                               recv=0 error=0
     * </pre>
     * A transport must therefore treat ABORT itself as the error, not wait for recv to report one. Wine 10 behaves
     * as Windows does (the same probe under Debian 13 wine64 10.0):
     * <pre>
     * poll after reset                   iosb=0x0 handles=1 events=0x14 status=0x0   (SEND|ABORT)
     * recv                               recv=-1 error=10054
     * -- peer reset, not polled
     * recv                               recv=-1 error=10054
     * </pre>
     */
    @Test
    void peerResetReportsAbort() throws IOException {
        WinSocket[] pair = pair(track(AfdTestSupport.listener()));
        SocketPollState state = watch(pair[1], "server", READ);
        pollFor(loop, recorder, QUIET_MILLIS);
        assertEquals(Collections.emptyList(), recorder.events);

        pair[0].setSoLinger(0);
        pair[0].close();
        Event e = await(loop, recorder, state, Afd.ABORT);
        assertTrue((e.events & Afd.ABORT) != 0, e::toString);
        if (Wine.isMajorVersion(8)) {
            assertArrayEquals(new byte[0], recvBytes(pair[1], 16), "Wine 8: recv after a reset reads end of stream");
        } else {
            SocketException thrown = assertThrows(SocketException.class, () -> recvBytes(pair[1], 16));
            assertTrue(thrown.getMessage().contains("WSAECONNRESET (10054)"),
                    thrown.getMessage());
        }
    }
}
