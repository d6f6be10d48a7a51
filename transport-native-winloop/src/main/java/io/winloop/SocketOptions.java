package io.winloop;

import io.netty.channel.ChannelException;
import io.winloop.internal.win.WinSocket;
import io.winloop.internal.win.Ws2_32;

import java.io.IOException;

/** Socket option access for the configs: failures become {@link ChannelException}s naming the Windows error. */
final class SocketOptions {
    private SocketOptions() {
    }

    static int getInt(WinSocket socket, int level, int name) {
        try {
            return socket.getIntOption(level, name);
        } catch (IOException e) {
            throw new ChannelException(e);
        }
    }

    static boolean getBoolean(WinSocket socket, int level, int name) {
        return getInt(socket, level, name) != 0;
    }

    static void setInt(WinSocket socket, int level, int name, int value) {
        try {
            socket.setIntOption(level, name, value);
        } catch (IOException e) {
            throw new ChannelException(e);
        }
    }

    static void setBoolean(WinSocket socket, int level, int name, boolean value) {
        setInt(socket, level, name, value ? 1 : 0);
    }

    static void setBufferSize(WinSocket socket, int name, int size) {
        if (size < 0) {
            throw new IllegalArgumentException((name == Ws2_32.SO_RCVBUF ? "SO_RCVBUF" : "SO_SNDBUF")
                    + " must be >= 0: " + size);
        }
        setInt(socket, Ws2_32.SOL_SOCKET, name, size);
    }

    static int getSoLinger(WinSocket socket) {
        try {
            return socket.getSoLinger();
        } catch (IOException e) {
            throw new ChannelException(e);
        }
    }

    static void setSoLinger(WinSocket socket, int seconds) {
        try {
            socket.setSoLinger(seconds);
        } catch (IOException e) {
            throw new ChannelException(e);
        }
    }

    /**
     * IP_TOS / IPV6_TCLASS. Windows ignores both unless a policy allows it (the JDK does not set them there either),
     * so a refusal is not an error; the value is remembered by the config.
     */
    static void trySetTrafficClass(WinSocket socket, int trafficClass) {
        if (trafficClass < 0 || trafficClass > 255) {
            throw new IllegalArgumentException("IP_TOS must be 0..255: " + trafficClass);
        }
        try {
            if (socket.isIPv6()) {
                socket.setIntOption(Ws2_32.IPPROTO_IPV6, Ws2_32.IPV6_TCLASS, trafficClass);
            } else {
                socket.setIntOption(Ws2_32.IPPROTO_IP, Ws2_32.IP_TOS, trafficClass);
            }
        } catch (IOException ignore) {
            // Not supported on this Windows: the JDK ignores IP_TOS there too.
        }
    }

    static void setKeepAliveValues(WinSocket socket, int idleSeconds, int intervalSeconds) {
        try {
            socket.setKeepAliveValues(true, idleSeconds * 1000, intervalSeconds * 1000);
        } catch (IOException e) {
            throw new ChannelException(e);
        }
    }
}
