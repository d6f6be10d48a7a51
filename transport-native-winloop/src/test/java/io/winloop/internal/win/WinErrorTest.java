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
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

    /**
     * Netty 4.2.17's {@code io.netty.handler.ssl.SslHandler.IGNORABLE_ERROR_MESSAGE}, copied: after close_notify,
     * an IOException whose message matches is a peer closing without its own close_notify, not an error.
     */
    private static final Pattern SSL_HANDLER_IGNORABLE = Pattern.compile(
            "^.*(?:connection.*(?:reset|closed|abort|broken)|broken.*pipe).*$", Pattern.CASE_INSENSITIVE);

    /**
     * Reactor Netty 1.3.7's {@code reactor.netty.channel.AbortedException.isConnectionReset(Throwable)}, copied (less
     * its AbortedException case): a reset is logged at DEBUG instead of WARN, and a server treats it as a closed
     * connection.
     */
    private static boolean reactorIsConnectionReset(Throwable err) {
        return (err instanceof IOException && (err.getMessage() == null
                        || err.getMessage().contains("Broken pipe")
                        || err.getMessage().contains("Connection reset by peer")))
                || (err instanceof SocketException && err.getMessage() != null
                        && err.getMessage().contains("Connection reset by peer"));
    }

    /**
     * gRPC-java 1.80's {@code io.grpc.netty.NettyServerTransport.getLogLevel}: a transport failure is logged at FINE
     * only when its class is exactly IOException or SocketException (or is Netty's NativeIoException), else at INFO.
     * (Its {@code Utils.statusFromThrowable} maps any IOException to UNAVAILABLE, a ClosedChannelException with a
     * cause to UNAVAILABLE "channel closed".)
     */
    private static boolean grpcLogsQuietly(Throwable t) {
        return t.getClass().equals(IOException.class) || t.getClass().equals(SocketException.class)
                || t.getClass().getSimpleName().equals("NativeIoException");
    }

    /** A reset reads as epoll's does, with the Windows name and code, and every framework pattern recognises it. */
    @Test
    void resetMatchesWhatFrameworksLookFor() {
        for (String operation : new String[] {"recv", "send", "WSASend"}) {
            IOException reset = WinError.newException(operation, WinError.WSAECONNRESET);
            assertEquals(operation + " failed: WSAECONNRESET (10054): Connection reset by peer", reset.getMessage());
            assertTrue(SSL_HANDLER_IGNORABLE.matcher(reset.getMessage()).matches(), reset.getMessage());
            assertTrue(reactorIsConnectionReset(reset), reset.getMessage());
            assertTrue(grpcLogsQuietly(reset), reset.getClass().getName());
        }
    }

    /**
     * A send after shutdown(SD_SEND): Linux fails it with EPIPE, so epoll says "Broken pipe"; Winsock's
     * WSAESHUTDOWN must be recognised the same way.
     */
    @Test
    void sendAfterShutdownReadsAsABrokenPipe() {
        IOException e = WinError.newException("send", WinError.WSAESHUTDOWN);
        assertEquals("send failed: WSAESHUTDOWN (10058): Broken pipe (cannot send after socket shutdown)",
                e.getMessage());
        assertTrue(SSL_HANDLER_IGNORABLE.matcher(e.getMessage()).matches(), e.getMessage());
        assertTrue(reactorIsConnectionReset(e), e.getMessage());
        assertTrue(grpcLogsQuietly(e), e.getClass().getName());
    }

    /**
     * WSAECONNABORTED carries Linux's words for ECONNABORTED: SslHandler ignores it after close_notify ("connection
     * abort"); Reactor Netty does not count it as a reset, as it does not for epoll's ECONNABORTED.
     */
    @Test
    void abortMatchesSslHandlerAsEpollsDoes() {
        IOException e = WinError.newException("WSASend", WinError.WSAECONNABORTED);
        assertEquals("WSASend failed: WSAECONNABORTED (10053): Software caused connection abort", e.getMessage());
        assertTrue(SSL_HANDLER_IGNORABLE.matcher(e.getMessage()).matches(), e.getMessage());
        assertFalse(reactorIsConnectionReset(e), "epoll's ECONNABORTED is not a reset to Reactor Netty either");
        assertTrue(grpcLogsQuietly(e), e.getClass().getName());
    }

    /** The words epoll (glibc's strerror) gives for the errors Linux reports in the same situations. */
    @Test
    void otherMessagesCarryEpollsWords() {
        assertEquals("connect failed: WSAECONNREFUSED (10061): Connection refused",
                WinError.newException("connect", WinError.WSAECONNREFUSED).getMessage());
        assertEquals("connect failed: WSAETIMEDOUT (10060): Connection timed out",
                WinError.newException("connect", WinError.WSAETIMEDOUT).getMessage());
        assertEquals("send failed: WSAENOTCONN (10057): Transport endpoint is not connected",
                WinError.newException("send", WinError.WSAENOTCONN).getMessage());
        assertEquals("connect failed: WSAEHOSTUNREACH (10065): No route to host",
                WinError.newException("connect", WinError.WSAEHOSTUNREACH).getMessage());
        assertEquals("connect failed: WSAENETUNREACH (10051): Network is unreachable",
                WinError.newException("connect", WinError.WSAENETUNREACH).getMessage());
        assertEquals("recv failed: WSAENETRESET (10052): Network dropped connection on reset",
                WinError.newException("recv", WinError.WSAENETRESET).getMessage());
        // A refused or timed-out connect is a ConnectException, never mistaken for a reset of a live connection.
        for (int error : new int[] {WinError.WSAECONNREFUSED, WinError.WSAETIMEDOUT, WinError.WSAENOTCONN}) {
            IOException e = WinError.newException("connect", error);
            assertFalse(reactorIsConnectionReset(e), e.getMessage());
            assertFalse(SSL_HANDLER_IGNORABLE.matcher(e.getMessage()).matches(), e.getMessage());
        }
        // A datagram "reset" is ICMP port unreachable: no reset words.
        IOException unreachable = WinError.newDatagramException("recvfrom", WinError.WSAECONNRESET);
        assertFalse(reactorIsConnectionReset(unreachable), unreachable.getMessage());
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
