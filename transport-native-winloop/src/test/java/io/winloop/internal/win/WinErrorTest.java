package io.winloop.internal.win;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.SocketException;
import java.nio.channels.ClosedChannelException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Error names, messages and the IOException subclasses Java code expects. */
class WinErrorTest {
    @Test
    void names() {
        assertEquals("WSAECONNREFUSED", WinError.name(10061));
        assertEquals("WSAEWOULDBLOCK", WinError.name(WinError.WSAEWOULDBLOCK));
        assertEquals("WSAEADDRINUSE", WinError.name(10048));
        assertEquals("ERROR_INVALID_HANDLE", WinError.name(6));
        assertNull(WinError.name(12345));
        assertEquals("WSAECONNRESET (10054)", WinError.describe(10054));
        assertEquals("error 12345", WinError.describe(12345));
    }

    @Test
    void statusNames() {
        assertEquals("STATUS_CONNECTION_REFUSED (0xC0000236)", WinError.describeStatus(Ntdll.STATUS_CONNECTION_REFUSED));
        assertEquals("STATUS_CANCELLED (0xC0000120)", WinError.describeStatus(Ntdll.STATUS_CANCELLED));
        assertEquals("STATUS_PENDING (0x00000103)", WinError.describeStatus(Ntdll.STATUS_PENDING));
        assertEquals("NTSTATUS (0xC0001234)", WinError.describeStatus(0xC0001234));
    }

    @Test
    void statusesMapToWinsockErrors() {
        assertEquals(WinError.WSAECONNREFUSED, WinError.wsaErrorOfStatus(Ntdll.STATUS_CONNECTION_REFUSED));
        assertEquals(WinError.WSAECONNRESET, WinError.wsaErrorOfStatus(0xC000020D));
        assertEquals(WinError.WSAETIMEDOUT, WinError.wsaErrorOfStatus(0xC00000B5));
        // Others go through RtlNtStatusToDosError.
        assertEquals(WinError.ERROR_INVALID_HANDLE, WinError.wsaErrorOfStatus(Ntdll.STATUS_INVALID_HANDLE));
    }

    @Test
    void connectRefusedIsAConnectExceptionWithTheWindowsName() {
        IOException e = WinError.newException("connect(127.0.0.1:1)", WinError.WSAECONNREFUSED);
        assertEquals(ConnectException.class, e.getClass());
        assertEquals("connect(127.0.0.1:1) failed: WSAECONNREFUSED (10061): Connection refused", e.getMessage());
        assertEquals(ConnectException.class, WinError.newException("connect", WinError.WSAETIMEDOUT).getClass());
    }

    /** AFD reports connect failures as NTSTATUS; each must become the Winsock error (and exception) NIO gives. */
    @Test
    void networkStatusesMapToWinsockErrors() {
        assertEquals(WinError.WSAECONNREFUSED, WinError.wsaErrorOfStatus(Ntdll.STATUS_CONNECTION_REFUSED));
        assertEquals(WinError.WSAECONNRESET, WinError.wsaErrorOfStatus(0xC000023F)); // STATUS_PORT_UNREACHABLE
        assertEquals(WinError.WSAENETUNREACH, WinError.wsaErrorOfStatus(0xC000023E)); // STATUS_PROTOCOL_UNREACHABLE
        assertEquals(WinError.WSAECONNREFUSED, WinError.wsaErrorOfWin32(1225)); // ERROR_CONNECTION_REFUSED
        assertEquals(WinError.WSAEHOSTUNREACH, WinError.wsaErrorOfWin32(1232)); // ERROR_HOST_UNREACHABLE
        assertEquals(WinError.WSAECONNABORTED, WinError.wsaErrorOfWin32(1236)); // ERROR_CONNECTION_ABORTED
        assertEquals(5, WinError.wsaErrorOfWin32(5), "other codes pass through");
    }

    /** Netty's SslHandler ignores a reset after close_notify only when its message matches this (SslHandler). */
    @Test
    void resetMessagesMatchWhatNettyIgnoresAfterCloseNotify() {
        java.util.regex.Pattern ignorable = java.util.regex.Pattern.compile(
                "^.*(?:connection.*(?:reset|closed|abort|broken)|broken.*pipe).*$",
                java.util.regex.Pattern.CASE_INSENSITIVE);
        for (int error : new int[] {WinError.WSAECONNRESET, WinError.WSAECONNABORTED}) {
            String message = WinError.newException("recv", error).getMessage();
            assertTrue(ignorable.matcher(message).matches(), message);
        }
    }

    @Test
    void exceptionTypes() {
        assertEquals(BindException.class, WinError.newException("bind", WinError.WSAEADDRINUSE).getClass());
        assertEquals(BindException.class, WinError.newException("bind", WinError.WSAEADDRNOTAVAIL).getClass());
        assertEquals(BindException.class, WinError.newException("bind", WinError.WSAEACCES).getClass());
        assertEquals(NoRouteToHostException.class,
                WinError.newException("connect", WinError.WSAEHOSTUNREACH).getClass());
        assertEquals(NoRouteToHostException.class,
                WinError.newException("connect", WinError.WSAENETUNREACH).getClass());
        IOException reset = WinError.newException("recv", WinError.WSAECONNRESET);
        assertEquals(SocketException.class, reset.getClass());
        assertEquals("recv failed: WSAECONNRESET (10054): Connection reset by peer", reset.getMessage());

        IOException notSocket = WinError.newException("send", WinError.WSAENOTSOCK);
        assertEquals(ClosedChannelException.class, notSocket.getClass());
        SocketException cause = assertInstanceOf(SocketException.class, notSocket.getCause());
        assertEquals("send failed: WSAENOTSOCK (10038)", cause.getMessage());
    }

    @Test
    void datagramResetIsPortUnreachable() {
        IOException e = WinError.newDatagramException("recvfrom", WinError.WSAECONNRESET);
        assertEquals(PortUnreachableException.class, e.getClass());
        assertTrue(e.getMessage().startsWith("recvfrom failed: WSAECONNRESET (10054)"), e.getMessage());
        assertEquals(SocketException.class, WinError.newDatagramException("sendto", WinError.WSAEMSGSIZE).getClass());
    }

    @Test
    void bindingAPortInUseThrowsBindException() throws IOException {
        WinSocket first = WinSocket.newStreamSocket(false);
        WinSocket second = WinSocket.newStreamSocket(false);
        try {
            first.bind(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 0));
            first.listen(4);
            InetSocketAddress taken = first.localAddress();
            BindException e = assertThrows(BindException.class, () -> second.bind(taken));
            assertEquals("bind(" + taken + ") failed: WSAEADDRINUSE (10048): Address already in use", e.getMessage());
        } finally {
            second.close();
            first.close();
        }
    }

    @Test
    void socketCallsOnAClosedSocketThrowClosedChannelException() throws IOException {
        WinSocket socket = WinSocket.newStreamSocket(false);
        socket.close();
        assertThrows(ClosedChannelException.class, () -> socket.listen(1));
        socket.close(); // idempotent
    }
}
