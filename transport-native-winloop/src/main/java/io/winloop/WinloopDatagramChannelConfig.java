package io.winloop;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelOption;
import io.netty.channel.DefaultChannelConfig;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MessageSizeEstimator;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.DatagramChannelConfig;
import io.winloop.internal.win.Multicast;
import io.winloop.internal.win.WinSocket;
import io.winloop.internal.win.Ws2_32;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Enumeration;
import java.util.Map;

import static io.netty.channel.ChannelOption.DATAGRAM_CHANNEL_ACTIVE_ON_REGISTRATION;
import static io.netty.channel.ChannelOption.IP_MULTICAST_ADDR;
import static io.netty.channel.ChannelOption.IP_MULTICAST_IF;
import static io.netty.channel.ChannelOption.IP_MULTICAST_LOOP_DISABLED;
import static io.netty.channel.ChannelOption.IP_MULTICAST_TTL;
import static io.netty.channel.ChannelOption.IP_TOS;
import static io.netty.channel.ChannelOption.SO_BROADCAST;
import static io.netty.channel.ChannelOption.SO_RCVBUF;
import static io.netty.channel.ChannelOption.SO_REUSEADDR;
import static io.netty.channel.ChannelOption.SO_SNDBUF;

/**
 * The {@link DatagramChannelConfig} of {@link WinloopDatagramChannel}. Like NIO and epoll, reads use a
 * {@link FixedRecvByteBufAllocator} of 2048 bytes by default; a bigger datagram is reported as an error (see
 * {@link WinloopDatagramChannel}), so raise it for bigger datagrams.
 *
 * <p>Multicast options on a dual-stack IPv6 socket are set for IPv6 and, best effort, for IPv4 as well (the JDK's
 * {@code Net.shouldSetBothIPv4AndIPv6Options} is true on Windows), because such a socket sends both.
 */
public final class WinloopDatagramChannelConfig extends DefaultChannelConfig implements DatagramChannelConfig {
    private final WinloopDatagramChannel channel;
    private volatile boolean activeOnOpen;
    private volatile int trafficClass;

    WinloopDatagramChannelConfig(WinloopDatagramChannel channel) {
        super(channel, new FixedRecvByteBufAllocator(2048));
        this.channel = channel;
    }

    private WinSocket socket() {
        return channel.socket;
    }

    @Override
    @SuppressWarnings("deprecation")
    public Map<ChannelOption<?>, Object> getOptions() {
        return getOptions(super.getOptions(), SO_BROADCAST, SO_RCVBUF, SO_SNDBUF, SO_REUSEADDR,
                IP_MULTICAST_LOOP_DISABLED, IP_MULTICAST_ADDR, IP_MULTICAST_IF, IP_MULTICAST_TTL, IP_TOS,
                DATAGRAM_CHANNEL_ACTIVE_ON_REGISTRATION, WinloopChannelOption.SO_EXCLUSIVEADDRUSE);
    }

    @Override
    @SuppressWarnings({"unchecked", "deprecation"})
    public <T> T getOption(ChannelOption<T> option) {
        if (option == SO_BROADCAST) {
            return (T) Boolean.valueOf(isBroadcast());
        }
        if (option == SO_RCVBUF) {
            return (T) Integer.valueOf(getReceiveBufferSize());
        }
        if (option == SO_SNDBUF) {
            return (T) Integer.valueOf(getSendBufferSize());
        }
        if (option == SO_REUSEADDR) {
            return (T) Boolean.valueOf(isReuseAddress());
        }
        if (option == IP_MULTICAST_LOOP_DISABLED) {
            return (T) Boolean.valueOf(isLoopbackModeDisabled());
        }
        if (option == IP_MULTICAST_ADDR) {
            return (T) getInterface();
        }
        if (option == IP_MULTICAST_IF) {
            return (T) getNetworkInterface();
        }
        if (option == IP_MULTICAST_TTL) {
            return (T) Integer.valueOf(getTimeToLive());
        }
        if (option == IP_TOS) {
            return (T) Integer.valueOf(getTrafficClass());
        }
        if (option == DATAGRAM_CHANNEL_ACTIVE_ON_REGISTRATION) {
            return (T) Boolean.valueOf(activeOnOpen);
        }
        if (option == WinloopChannelOption.SO_EXCLUSIVEADDRUSE) {
            return (T) Boolean.valueOf(isExclusiveAddressUse());
        }
        return super.getOption(option);
    }

    @Override
    @SuppressWarnings("deprecation")
    public <T> boolean setOption(ChannelOption<T> option, T value) {
        validate(option, value);
        if (option == SO_BROADCAST) {
            setBroadcast((Boolean) value);
        } else if (option == SO_RCVBUF) {
            setReceiveBufferSize((Integer) value);
        } else if (option == SO_SNDBUF) {
            setSendBufferSize((Integer) value);
        } else if (option == SO_REUSEADDR) {
            setReuseAddress((Boolean) value);
        } else if (option == IP_MULTICAST_LOOP_DISABLED) {
            setLoopbackModeDisabled((Boolean) value);
        } else if (option == IP_MULTICAST_ADDR) {
            setInterface((InetAddress) value);
        } else if (option == IP_MULTICAST_IF) {
            setNetworkInterface((NetworkInterface) value);
        } else if (option == IP_MULTICAST_TTL) {
            setTimeToLive((Integer) value);
        } else if (option == IP_TOS) {
            setTrafficClass((Integer) value);
        } else if (option == DATAGRAM_CHANNEL_ACTIVE_ON_REGISTRATION) {
            setActiveOnOpen((Boolean) value);
        } else if (option == WinloopChannelOption.SO_EXCLUSIVEADDRUSE) {
            setExclusiveAddressUse((Boolean) value);
        } else {
            return super.setOption(option, value);
        }
        return true;
    }

    private void setActiveOnOpen(boolean activeOnOpen) {
        if (channel.isRegistered()) {
            throw new IllegalStateException("Can only changed before channel was registered");
        }
        this.activeOnOpen = activeOnOpen;
    }

    boolean getActiveOnOpen() {
        return activeOnOpen;
    }

    // ---- socket options ---------------------------------------------------------------------------------------

    @Override
    public int getSendBufferSize() {
        return SocketOptions.getInt(socket(), Ws2_32.SOL_SOCKET, Ws2_32.SO_SNDBUF);
    }

    @Override
    public WinloopDatagramChannelConfig setSendBufferSize(int sendBufferSize) {
        SocketOptions.setBufferSize(socket(), Ws2_32.SO_SNDBUF, sendBufferSize);
        return this;
    }

    @Override
    public int getReceiveBufferSize() {
        return SocketOptions.getInt(socket(), Ws2_32.SOL_SOCKET, Ws2_32.SO_RCVBUF);
    }

    @Override
    public WinloopDatagramChannelConfig setReceiveBufferSize(int receiveBufferSize) {
        SocketOptions.setBufferSize(socket(), Ws2_32.SO_RCVBUF, receiveBufferSize);
        return this;
    }

    /** IP_TOS / IPV6_TCLASS: Windows ignores them without a QoS policy, so the value set is remembered. */
    @Override
    public int getTrafficClass() {
        return trafficClass;
    }

    @Override
    public WinloopDatagramChannelConfig setTrafficClass(int trafficClass) {
        SocketOptions.trySetTrafficClass(socket(), trafficClass);
        this.trafficClass = trafficClass;
        return this;
    }

    @Override
    public boolean isReuseAddress() {
        return SocketOptions.getBoolean(socket(), Ws2_32.SOL_SOCKET, Ws2_32.SO_REUSEADDR);
    }

    @Override
    public WinloopDatagramChannelConfig setReuseAddress(boolean reuseAddress) {
        SocketOptions.setBoolean(socket(), Ws2_32.SOL_SOCKET, Ws2_32.SO_REUSEADDR, reuseAddress);
        return this;
    }

    public boolean isExclusiveAddressUse() {
        return SocketOptions.getBoolean(socket(), Ws2_32.SOL_SOCKET, Ws2_32.SO_EXCLUSIVEADDRUSE);
    }

    /** SO_EXCLUSIVEADDRUSE (see {@link WinloopChannelOption#SO_EXCLUSIVEADDRUSE}); set it before bind. */
    public WinloopDatagramChannelConfig setExclusiveAddressUse(boolean exclusive) {
        SocketOptions.setBoolean(socket(), Ws2_32.SOL_SOCKET, Ws2_32.SO_EXCLUSIVEADDRUSE, exclusive);
        return this;
    }

    @Override
    public boolean isBroadcast() {
        return SocketOptions.getBoolean(socket(), Ws2_32.SOL_SOCKET, Ws2_32.SO_BROADCAST);
    }

    @Override
    public WinloopDatagramChannelConfig setBroadcast(boolean broadcast) {
        SocketOptions.setBoolean(socket(), Ws2_32.SOL_SOCKET, Ws2_32.SO_BROADCAST, broadcast);
        return this;
    }

    /** IPPROTO_IPV6 on an IPv6 socket, IPPROTO_IP otherwise: the level a getter reads. */
    private int level() {
        return socket().isIPv6() ? Ws2_32.IPPROTO_IPV6 : Ws2_32.IPPROTO_IP;
    }

    /**
     * Sets an int option at its IPv4 level and, on a dual-stack socket, at its IPv6 level too; the IPv6 one must
     * succeed, the IPv4 one is best effort there.
     */
    private void setBoth(int ipv4Name, int ipv6Name, int value) {
        WinSocket socket = socket();
        if (!socket.isIPv6()) {
            SocketOptions.setInt(socket, Ws2_32.IPPROTO_IP, ipv4Name, value);
            return;
        }
        SocketOptions.setInt(socket, Ws2_32.IPPROTO_IPV6, ipv6Name, value);
        try {
            socket.setIntOption(Ws2_32.IPPROTO_IP, ipv4Name, value);
        } catch (IOException ignore) {
            // An IPv6 socket that cannot carry IPv4 options: it only sends IPv6.
        }
    }

    /**
     * IP_MULTICAST_LOOP inverted. Windows applies it on the <em>receiving</em> socket (a socket with loopback
     * disabled does not receive what this host sends), unlike Unix where it applies on the sender.
     */
    @Override
    public boolean isLoopbackModeDisabled() {
        int name = socket().isIPv6() ? Ws2_32.IPV6_MULTICAST_LOOP : Ws2_32.IP_MULTICAST_LOOP;
        return SocketOptions.getInt(socket(), level(), name) == 0;
    }

    @Override
    public WinloopDatagramChannelConfig setLoopbackModeDisabled(boolean loopbackModeDisabled) {
        setBoth(Ws2_32.IP_MULTICAST_LOOP, Ws2_32.IPV6_MULTICAST_LOOP, loopbackModeDisabled ? 0 : 1);
        return this;
    }

    @Override
    public int getTimeToLive() {
        int name = socket().isIPv6() ? Ws2_32.IPV6_MULTICAST_HOPS : Ws2_32.IP_MULTICAST_TTL;
        return SocketOptions.getInt(socket(), level(), name);
    }

    @Override
    public WinloopDatagramChannelConfig setTimeToLive(int ttl) {
        if (ttl < 0 || ttl > 255) {
            throw new IllegalArgumentException("IP_MULTICAST_TTL must be 0..255: " + ttl);
        }
        setBoth(Ws2_32.IP_MULTICAST_TTL, Ws2_32.IPV6_MULTICAST_HOPS, ttl);
        return this;
    }

    /** The address of the outgoing multicast interface (deprecated IP_MULTICAST_ADDR). */
    @Override
    public InetAddress getInterface() {
        NetworkInterface iface = getNetworkInterface();
        if (iface == null) {
            return null;
        }
        Enumeration<InetAddress> addresses = iface.getInetAddresses();
        InetAddress first = null;
        while (addresses.hasMoreElements()) {
            InetAddress a = addresses.nextElement();
            if (!socket().isIPv6() && a instanceof Inet4Address) {
                return a;
            }
            if (first == null) {
                first = a;
            }
        }
        return first;
    }

    @Override
    public WinloopDatagramChannelConfig setInterface(InetAddress interfaceAddress) {
        try {
            NetworkInterface iface = NetworkInterface.getByInetAddress(interfaceAddress);
            if (iface == null) {
                throw new ChannelException(new SocketException("no network interface has the address "
                        + (interfaceAddress == null ? null : interfaceAddress.getHostAddress())));
            }
            if (!socket().isIPv6() && interfaceAddress instanceof Inet4Address) {
                setIPv4Interface(interfaceAddress.getAddress());
            } else {
                setNetworkInterface(iface);
            }
        } catch (SocketException e) {
            throw new ChannelException(e);
        }
        return this;
    }

    @Override
    public NetworkInterface getNetworkInterface() {
        try {
            if (socket().isIPv6()) {
                int index = socket().getIntOption(Ws2_32.IPPROTO_IPV6, Ws2_32.IPV6_MULTICAST_IF);
                return index == 0 ? null : NetworkInterface.getByIndex(index);
            }
            byte[] in = socket().getRawOption(Ws2_32.IPPROTO_IP, Ws2_32.IP_MULTICAST_IF, 4);
            if (in.length < 4 || (in[0] | in[1] | in[2] | in[3]) == 0) {
                return null;
            }
            if (in[0] == 0) { // 0.0.0.0/8: an interface index
                return NetworkInterface.getByIndex(((in[1] & 0xFF) << 16) | ((in[2] & 0xFF) << 8) | (in[3] & 0xFF));
            }
            return NetworkInterface.getByInetAddress(InetAddress.getByAddress(in));
        } catch (IOException e) {
            throw new ChannelException(e);
        }
    }

    @Override
    public WinloopDatagramChannelConfig setNetworkInterface(NetworkInterface networkInterface) {
        WinSocket socket = socket();
        if (!socket.isIPv6()) {
            setIPv4Interface(Multicast.ipv4InterfaceBytes(networkInterface));
            return this;
        }
        int index = networkInterface == null ? 0 : networkInterface.getIndex();
        SocketOptions.setInt(socket, Ws2_32.IPPROTO_IPV6, Ws2_32.IPV6_MULTICAST_IF, index);
        try {
            socket.setRawOption(Ws2_32.IPPROTO_IP, Ws2_32.IP_MULTICAST_IF,
                    Multicast.ipv4InterfaceBytes(networkInterface));
        } catch (IOException ignore) {
            // Best effort on a dual-stack socket, as in setBoth.
        }
        return this;
    }

    private void setIPv4Interface(byte[] in) {
        try {
            socket().setRawOption(Ws2_32.IPPROTO_IP, Ws2_32.IP_MULTICAST_IF, in);
        } catch (IOException e) {
            throw new ChannelException(e);
        }
    }

    // ---- DefaultChannelConfig covariance -----------------------------------------------------------------------

    @Override
    @Deprecated
    public WinloopDatagramChannelConfig setMaxMessagesPerRead(int maxMessagesPerRead) {
        super.setMaxMessagesPerRead(maxMessagesPerRead);
        return this;
    }

    @Override
    public WinloopDatagramChannelConfig setWriteSpinCount(int writeSpinCount) {
        super.setWriteSpinCount(writeSpinCount);
        return this;
    }

    @Override
    public WinloopDatagramChannelConfig setConnectTimeoutMillis(int connectTimeoutMillis) {
        super.setConnectTimeoutMillis(connectTimeoutMillis);
        return this;
    }

    @Override
    public WinloopDatagramChannelConfig setAllocator(ByteBufAllocator allocator) {
        super.setAllocator(allocator);
        return this;
    }

    @Override
    public WinloopDatagramChannelConfig setRecvByteBufAllocator(RecvByteBufAllocator allocator) {
        super.setRecvByteBufAllocator(allocator);
        return this;
    }

    @Override
    public WinloopDatagramChannelConfig setAutoRead(boolean autoRead) {
        super.setAutoRead(autoRead);
        return this;
    }

    @Override
    public WinloopDatagramChannelConfig setAutoClose(boolean autoClose) {
        super.setAutoClose(autoClose);
        return this;
    }

    @Override
    @Deprecated
    public WinloopDatagramChannelConfig setWriteBufferHighWaterMark(int writeBufferHighWaterMark) {
        super.setWriteBufferHighWaterMark(writeBufferHighWaterMark);
        return this;
    }

    @Override
    @Deprecated
    public WinloopDatagramChannelConfig setWriteBufferLowWaterMark(int writeBufferLowWaterMark) {
        super.setWriteBufferLowWaterMark(writeBufferLowWaterMark);
        return this;
    }

    @Override
    public WinloopDatagramChannelConfig setWriteBufferWaterMark(WriteBufferWaterMark writeBufferWaterMark) {
        super.setWriteBufferWaterMark(writeBufferWaterMark);
        return this;
    }

    @Override
    public WinloopDatagramChannelConfig setMessageSizeEstimator(MessageSizeEstimator estimator) {
        super.setMessageSizeEstimator(estimator);
        return this;
    }

    @Override
    protected void autoReadCleared() {
        channel.clearReadFlag();
    }
}
