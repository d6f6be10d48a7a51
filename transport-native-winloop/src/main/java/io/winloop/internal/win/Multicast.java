package io.winloop.internal.win;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Enumeration;

/**
 * Multicast membership and interface options for Winsock, with the structures encoded as Windows lays them out
 * (ws2ipdef.h, x64):
 * <ul>
 * <li>{@code ip_mreq}: imr_multiaddr (4) · imr_interface (4) — 8 bytes;</li>
 * <li>{@code ip_mreq_source}: imr_multiaddr (4) · imr_sourceaddr (4) · imr_interface (4) — 12 bytes
 *     (<b>not</b> the Linux order, where the interface comes second);</li>
 * <li>{@code ipv6_mreq}: ipv6mr_multiaddr (16) · ipv6mr_interface (ULONG index) — 20 bytes;</li>
 * <li>{@code group_source_req}: gsr_interface (ULONG) · 4 bytes padding · gsr_group (SOCKADDR_STORAGE, 128,
 *     8-aligned) @8 · gsr_source (SOCKADDR_STORAGE) @136 — 264 bytes.</li>
 * </ul>
 * Like the JDK on Windows (sun.nio.ch.Net: {@code canIPv6SocketJoinIPv4Group} true, {@code canJoin6WithIPv4Group}
 * false), IPv4 groups are joined with the IPPROTO_IP options also on dual-stack IPv6 sockets, IPv6 groups with
 * IPV6_ADD_MEMBERSHIP or, with a source, MCAST_JOIN_SOURCE_GROUP.
 */
public final class Multicast {
    public static final int IP_MREQ_SIZE = 8;
    public static final int IP_MREQ_SOURCE_SIZE = 12;
    public static final int IPV6_MREQ_SIZE = 20;
    public static final int GROUP_SOURCE_REQ_SIZE = 264;
    private static final int SOCKADDR_STORAGE_SIZE = 128;

    private Multicast() {
    }

    /** ip_mreq for {@code group} on the interface given by its IPv4 address (or 0.0.0.index form). */
    public static byte[] ipMreq(Inet4Address group, byte[] interfaceAddress) {
        byte[] b = new byte[IP_MREQ_SIZE];
        System.arraycopy(group.getAddress(), 0, b, 0, 4);
        System.arraycopy(interfaceAddress, 0, b, 4, 4);
        return b;
    }

    /** ip_mreq_source, Windows field order: group, source, interface. */
    public static byte[] ipMreqSource(Inet4Address group, Inet4Address source, byte[] interfaceAddress) {
        byte[] b = new byte[IP_MREQ_SOURCE_SIZE];
        System.arraycopy(group.getAddress(), 0, b, 0, 4);
        System.arraycopy(source.getAddress(), 0, b, 4, 4);
        System.arraycopy(interfaceAddress, 0, b, 8, 4);
        return b;
    }

    /** ipv6_mreq for {@code group} on the interface of index {@code interfaceIndex} (0 = default). */
    public static byte[] ipv6Mreq(Inet6Address group, int interfaceIndex) {
        byte[] b = new byte[IPV6_MREQ_SIZE];
        System.arraycopy(group.getAddress(), 0, b, 0, 16);
        putIntLE(b, 16, interfaceIndex);
        return b;
    }

    /** group_source_req with both addresses as sockaddr_in6 (IPv6) or sockaddr_in (IPv4). */
    public static byte[] groupSourceReq(int interfaceIndex, InetAddress group, InetAddress source) {
        byte[] b = new byte[GROUP_SOURCE_REQ_SIZE];
        putIntLE(b, 0, interfaceIndex);
        putSockAddr(b, 8, group);
        putSockAddr(b, 8 + SOCKADDR_STORAGE_SIZE, source);
        return b;
    }

    private static void putSockAddr(byte[] b, int at, InetAddress address) {
        byte[] ip = address.getAddress();
        if (ip.length == 4) {
            putShortLE(b, at, Ws2_32.AF_INET);
            System.arraycopy(ip, 0, b, at + 4, 4);
        } else {
            putShortLE(b, at, Ws2_32.AF_INET6);
            System.arraycopy(ip, 0, b, at + 8, 16);
            putIntLE(b, at + 24, ((Inet6Address) address).getScopeId());
        }
    }

    /**
     * The 4 bytes naming {@code iface} in IPv4 multicast options: its first IPv4 address, or, when it has none,
     * its index in the 0.0.0.0/8 form Windows accepts ("an interface index in network byte order", IP_MULTICAST_IF
     * documentation). A null interface is INADDR_ANY (the default interface).
     */
    public static byte[] ipv4InterfaceBytes(NetworkInterface iface) {
        if (iface == null) {
            return new byte[4];
        }
        Enumeration<InetAddress> addresses = iface.getInetAddresses();
        while (addresses.hasMoreElements()) {
            InetAddress a = addresses.nextElement();
            if (a instanceof Inet4Address) {
                return a.getAddress();
            }
        }
        int index = iface.getIndex();
        return new byte[] {0, (byte) (index >>> 16), (byte) (index >>> 8), (byte) index};
    }

    /** IP_ADD_MEMBERSHIP / IP_ADD_SOURCE_MEMBERSHIP / IPV6_ADD_MEMBERSHIP / MCAST_JOIN_SOURCE_GROUP, or the drops. */
    public static void joinOrLeave(WinSocket socket, boolean join, InetAddress group, NetworkInterface iface,
                                   InetAddress source) throws IOException {
        if (!group.isMulticastAddress()) {
            throw new IllegalArgumentException("not a multicast address: " + group.getHostAddress());
        }
        if (group instanceof Inet4Address) {
            byte[] ifBytes = ipv4InterfaceBytes(iface);
            if (source == null) {
                socket.setRawOption(Ws2_32.IPPROTO_IP, join ? Ws2_32.IP_ADD_MEMBERSHIP : Ws2_32.IP_DROP_MEMBERSHIP,
                        ipMreq((Inet4Address) group, ifBytes));
            } else {
                socket.setRawOption(Ws2_32.IPPROTO_IP,
                        join ? Ws2_32.IP_ADD_SOURCE_MEMBERSHIP : Ws2_32.IP_DROP_SOURCE_MEMBERSHIP,
                        ipMreqSource((Inet4Address) group, requireIPv4(source), ifBytes));
            }
            return;
        }
        if (!socket.isIPv6()) {
            throw new SocketException("IPv6 multicast group " + group.getHostAddress()
                    + " cannot be joined by an IPv4 (AF_INET) socket");
        }
        int index = iface == null ? 0 : iface.getIndex();
        if (source == null) {
            socket.setRawOption(Ws2_32.IPPROTO_IPV6, join ? Ws2_32.IPV6_ADD_MEMBERSHIP : Ws2_32.IPV6_DROP_MEMBERSHIP,
                    ipv6Mreq((Inet6Address) group, index));
        } else {
            socket.setRawOption(Ws2_32.IPPROTO_IPV6,
                    join ? Ws2_32.MCAST_JOIN_SOURCE_GROUP : Ws2_32.MCAST_LEAVE_SOURCE_GROUP,
                    groupSourceReq(index, group, requireIPv6(source)));
        }
    }

    /**
     * IP_BLOCK_SOURCE (IPv4 groups) or MCAST_BLOCK_SOURCE (IPv6 groups). A stack without source filtering answers
     * WSAENOPROTOOPT: that is UnsupportedOperationException, as the JDK's MembershipKey.block throws for it and
     * Netty's DatagramChannel.block documents.
     */
    public static void block(WinSocket socket, InetAddress group, NetworkInterface iface, InetAddress source)
            throws IOException {
        if (!group.isMulticastAddress()) {
            throw new IllegalArgumentException("not a multicast address: " + group.getHostAddress());
        }
        int level;
        int name;
        byte[] request;
        if (group instanceof Inet4Address) {
            level = Ws2_32.IPPROTO_IP;
            name = Ws2_32.IP_BLOCK_SOURCE;
            request = ipMreqSource((Inet4Address) group, requireIPv4(source), ipv4InterfaceBytes(iface));
        } else {
            level = Ws2_32.IPPROTO_IPV6;
            name = Ws2_32.MCAST_BLOCK_SOURCE;
            request = groupSourceReq(iface == null ? 0 : iface.getIndex(), group, requireIPv6(source));
        }
        int error = socket.trySetRawOption(level, name, request);
        if (error == 0) {
            return;
        }
        String call = "setsockopt(" + WinSocket.optionName(level, name) + ")";
        if (error == WinError.WSAENOPROTOOPT) {
            UnsupportedOperationException unsupported = new UnsupportedOperationException(
                    "blocking a multicast source is not supported by this network stack (" + call + ": "
                            + WinError.describe(error) + ")");
            unsupported.initCause(WinError.newException(call, error));
            throw unsupported;
        }
        throw WinError.newException(call, error);
    }

    private static Inet4Address requireIPv4(InetAddress source) {
        if (!(source instanceof Inet4Address)) {
            throw new IllegalArgumentException("source " + source.getHostAddress()
                    + " must be an IPv4 address for an IPv4 group");
        }
        return (Inet4Address) source;
    }

    private static InetAddress requireIPv6(InetAddress source) {
        if (!(source instanceof Inet6Address)) {
            throw new IllegalArgumentException("source " + source.getHostAddress()
                    + " must be an IPv6 address for an IPv6 group");
        }
        return source;
    }

    private static void putIntLE(byte[] b, int at, int v) {
        b[at] = (byte) v;
        b[at + 1] = (byte) (v >>> 8);
        b[at + 2] = (byte) (v >>> 16);
        b[at + 3] = (byte) (v >>> 24);
    }

    private static void putShortLE(byte[] b, int at, int v) {
        b[at] = (byte) v;
        b[at + 1] = (byte) (v >>> 8);
    }
}
