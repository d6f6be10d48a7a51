package io.winloop;

import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.util.NetUtil;
import io.winloop.internal.win.WinSocket;

import java.io.IOException;

/**
 * Which address family new sockets get. Like Netty's native transports, Winloop prefers dual-stack IPv6 sockets
 * (IPV6_V6ONLY off, IPv4 peers seen as IPv4) unless IPv4 is preferred ({@code java.net.preferIPv4Stack}) or this
 * host cannot create IPv6 sockets.
 */
final class SocketFamily {
    private static final boolean IPV6_AVAILABLE = probeIPv6();

    private SocketFamily() {
    }

    private static boolean probeIPv6() {
        if (NetUtil.isIpV4StackPreferred()) {
            return false;
        }
        try {
            WinSocket.newStreamSocket(true).close();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Whether a socket of {@code family} (null = default) is an IPv6 one. */
    static boolean isIPv6(SocketProtocolFamily family) {
        if (family == null) {
            return IPV6_AVAILABLE;
        }
        switch (family) {
            case INET:
                return false;
            case INET6:
                return true;
            default:
                throw new UnsupportedOperationException("Winloop does not support the " + family
                        + " protocol family (only INET and INET6)");
        }
    }
}
