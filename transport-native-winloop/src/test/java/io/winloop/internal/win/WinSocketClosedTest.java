package io.winloop.internal.win;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * A closed WinSocket has freed its scratch block: the calls that would read it answer null or throw
 * ClosedChannelException instead of reading freed memory (which crashes the JVM).
 */
class WinSocketClosedTest {
    @Test
    void addressesOfAClosedSocketAreNull() throws IOException {
        WinSocket udp = WinSocket.newDatagramSocket(false);
        udp.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        assertNotNull(udp.localAddress());
        udp.close();
        assertNull(udp.lastSender());
        assertNull(udp.localAddress());
        assertNull(udp.remoteAddress());
        assertThrows(ClosedChannelException.class, () -> udp.recvFromRaw(0, 0));
        assertThrows(ClosedChannelException.class, () -> udp.sendToRaw(0, 0, null));

        WinSocket tcp = WinSocket.newStreamSocket(false);
        tcp.close();
        assertNull(tcp.lastAcceptedPeer());
        assertThrows(ClosedChannelException.class, tcp::accept);
    }
}
