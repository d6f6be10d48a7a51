package io.winloop.internal.win;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * Encodes {@link InetSocketAddress} into sockaddr_in / sockaddr_in6 at a native address and decodes them back.
 * Winloop's sockets are dual-stack AF_INET6 sockets where IPv6 is available, so IPv4 addresses are written as
 * IPv4-mapped IPv6 addresses for them, and mapped addresses read back as {@link Inet4Address}.
 */
public final class SockAddr {
    /** Big enough for sockaddr_in6 (28 bytes). */
    public static final int MAX_SIZE = 32;
    public static final int SOCKADDR_IN_SIZE = 16;
    public static final int SOCKADDR_IN6_SIZE = 28;

    private SockAddr() {
    }

    /**
     * The address a connect goes to when the user names {@code remote}: the wildcard (0.0.0.0 or ::) means this
     * host's loopback of the same family, as the JDK's SocketChannel does on every platform and Linux does itself.
     * Windows refuses the wildcard as a destination (connect: WSAEADDRNOTAVAIL), so without this a client that
     * connects to a server's {@code localAddress()} after binding it to the wildcard works on NIO and fails here.
     */
    public static InetSocketAddress connectable(InetSocketAddress remote) {
        InetAddress ip = remote.getAddress();
        if (ip == null || !ip.isAnyLocalAddress()) {
            return remote;
        }
        byte[] loopback = ip instanceof Inet4Address ? new byte[] {127, 0, 0, 1}
                : new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
        try {
            return new InetSocketAddress(InetAddress.getByAddress(loopback), remote.getPort());
        } catch (UnknownHostException impossible) {
            throw new AssertionError(impossible); // only thrown for a byte array of a wrong length
        }
    }

    /**
     * Writes {@code address} for a socket of family {@code af} at {@code to}.
     *
     * @return the sockaddr's length
     * @throws UnknownHostException when the address is unresolved
     * @throws IllegalArgumentException when an IPv6 address is given to an IPv4 socket
     */
    public static int encode(int af, InetSocketAddress address, long to) throws UnknownHostException {
        InetAddress ip = address.getAddress();
        if (ip == null) {
            throw new UnknownHostException("unresolved address: " + address.getHostString());
        }
        int port = address.getPort();
        NativeMemory.zero(to, MAX_SIZE);
        byte[] bytes = ip.getAddress();
        if (af == Ws2_32.AF_INET) {
            if (bytes.length != 4) {
                bytes = ipv4OfMapped(bytes);
                if (bytes == null) {
                    throw new IllegalArgumentException("IPv6 address " + ip.getHostAddress()
                            + " used with an IPv4 (AF_INET) socket: WSAEAFNOSUPPORT (10047)");
                }
            }
            NativeMemory.putShort(to, (short) Ws2_32.AF_INET);
            putPort(to + 2, port);
            NativeMemory.copy(bytes, 0, to + 4, 4);
            return SOCKADDR_IN_SIZE;
        }
        NativeMemory.putShort(to, (short) Ws2_32.AF_INET6);
        putPort(to + 2, port);
        if (bytes.length == 4 && ip.isAnyLocalAddress()) {
            // 0.0.0.0 on a dual-stack socket means both stacks' wildcard (::), as in the JDK.
        } else if (bytes.length == 4) {
            NativeMemory.putShort(to + 8 + 10, (short) 0xFFFF);
            NativeMemory.copy(bytes, 0, to + 8 + 12, 4);
        } else {
            NativeMemory.copy(bytes, 0, to + 8, 16);
            NativeMemory.putInt(to + 24, ((Inet6Address) ip).getScopeId());
        }
        return SOCKADDR_IN6_SIZE;
    }

    /** Reads the sockaddr at {@code from}; returns null for a family other than IPv4 / IPv6. */
    public static InetSocketAddress decode(long from) {
        int family = NativeMemory.getShort(from) & 0xFFFF;
        int port = getPort(from + 2);
        try {
            if (family == Ws2_32.AF_INET) {
                byte[] bytes = new byte[4];
                NativeMemory.copy(from + 4, bytes, 0, 4);
                return new InetSocketAddress(InetAddress.getByAddress(bytes), port);
            }
            if (family == Ws2_32.AF_INET6) {
                byte[] bytes = new byte[16];
                NativeMemory.copy(from + 8, bytes, 0, 16);
                byte[] v4 = ipv4OfMapped(bytes);
                if (v4 != null) {
                    return new InetSocketAddress(InetAddress.getByAddress(v4), port);
                }
                int scope = NativeMemory.getInt(from + 24);
                // Scope 0 means none: Inet6Address.getByAddress(null, bytes, 0) would print "%0" after every
                // address (".../[0:0:0:0:0:0:0:1%0]:80"), unlike NIO, and break string allow-lists.
                return new InetSocketAddress(scope == 0 ? InetAddress.getByAddress(bytes)
                        : Inet6Address.getByAddress(null, bytes, scope), port);
            }
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e); // cannot happen: the byte arrays have legal lengths
        }
        return null;
    }

    private static byte[] ipv4OfMapped(byte[] v6) {
        for (int i = 0; i < 10; i++) {
            if (v6[i] != 0) {
                return null;
            }
        }
        if (v6[10] != (byte) 0xFF || v6[11] != (byte) 0xFF) {
            return null;
        }
        return new byte[] {v6[12], v6[13], v6[14], v6[15]};
    }

    private static void putPort(long at, int port) {
        NativeMemory.putByte(at, (byte) (port >>> 8));
        NativeMemory.putByte(at + 1, (byte) port);
    }

    private static int getPort(long at) {
        return ((NativeMemory.getByte(at) & 0xFF) << 8) | (NativeMemory.getByte(at + 1) & 0xFF);
    }
}
