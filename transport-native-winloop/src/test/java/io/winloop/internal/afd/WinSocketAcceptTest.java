package io.winloop.internal.afd;

import io.winloop.internal.win.Kernel32;
import io.winloop.internal.win.NativeMemory;
import io.winloop.internal.win.WinSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What WinSocket.accept() relies on and promises: the accepted socket's mode, peer, inheritance and resets. */
@Timeout(30)
class WinSocketAcceptTest {
    private final List<WinSocket> sockets = new ArrayList<>();

    @AfterEach
    void closeAll() throws IOException {
        for (WinSocket s : sockets) {
            s.close();
        }
    }

    private WinSocket track(WinSocket s) {
        sockets.add(s);
        return s;
    }

    /**
     * Winloop no longer sets FIONBIO on accepted sockets: they inherit the listener's nonblocking mode. Were they
     * blocking, this recv would hang until the timeout instead of answering WOULD_BLOCK.
     */
    @Test
    void acceptedSocketIsNonblockingAndKnowsItsPeer() throws IOException {
        WinSocket listener = track(AfdTestSupport.listener());
        WinSocket[] pair = AfdTestSupport.connectedPair(listener);
        track(pair[0]);
        WinSocket accepted = track(pair[1]);
        long buf = NativeMemory.allocate(16);
        try {
            assertEquals(WinSocket.WOULD_BLOCK, accepted.recv(buf, 16), "the accepted socket is nonblocking");
        } finally {
            NativeMemory.free(buf);
        }
        assertEquals(pair[0].localAddress(), listener.lastAcceptedPeer(), "accept() filled in the peer");
        assertEquals(pair[0].localAddress(), accepted.remoteAddress());
    }

    /** A child process must not inherit (and so keep open) a connection Winloop accepted, as with the JDK. */
    @Test
    void acceptedSocketIsNotInheritable() throws IOException {
        WinSocket listener = track(AfdTestSupport.listener());
        WinSocket[] pair = AfdTestSupport.connectedPair(listener);
        track(pair[0]);
        track(pair[1]);
        long flags = NativeMemory.allocate(4);
        try {
            for (WinSocket s : pair) {
                NativeMemory.putInt(flags, -1);
                assertTrue(Kernel32.GetHandleInformation(s.handle(), flags) != 0, "GetHandleInformation");
                assertEquals(0, NativeMemory.getInt(flags) & Kernel32.HANDLE_FLAG_INHERIT, s + " is inheritable");
            }
        } finally {
            NativeMemory.free(flags);
        }
    }

    /**
     * A client that resets its connection while it waits in the backlog costs the server nothing: accept() fails
     * for it with WSAECONNRESET on Windows ("an incoming connection was indicated, but was subsequently terminated
     * by the remote peer prior to accepting the call", accept() documentation) and with WSAENOTCONN under Wine 8.0
     * (seen here before WinSocket.accept skipped it), while Wine 10.0 hands the dead connection over without a
     * peer address; either way accept() never throws, and the next client is accepted.
     */
    @Test
    void aConnectionResetInTheBacklogDoesNotFailAccept() throws Exception {
        WinSocket listener = track(AfdTestSupport.listener());
        InetSocketAddress address = listener.localAddress();
        try (Socket reset = new Socket()) {
            reset.connect(address, 5000);
            reset.setSoLinger(true, 0);
        } // RST while still queued
        AfdTestSupport.sleep(100);
        try (Socket good = new Socket()) {
            good.connect(address, 5000);
            InetSocketAddress goodAddress = (InetSocketAddress) good.getLocalSocketAddress();
            WinSocket next;
            boolean sawGood = false;
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!sawGood && System.nanoTime() < deadline) {
                next = listener.accept(); // must not throw
                if (next == null) {
                    AfdTestSupport.sleep(5);
                    continue;
                }
                track(next);
                InetSocketAddress peer = listener.lastAcceptedPeer(); // null for the reset one under Wine 10.0
                sawGood = peer != null && goodAddress.getPort() == peer.getPort();
            }
            assertTrue(sawGood, "the client after the reset one was accepted");
        }
        assertNull(listener.accept(), "nothing else pending");
        assertNotNull(listener.localAddress());
    }
}
