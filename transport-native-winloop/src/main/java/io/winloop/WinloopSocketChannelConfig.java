package io.winloop;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.channel.DefaultChannelConfig;
import io.netty.channel.MessageSizeEstimator;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannelConfig;
import io.netty.util.internal.ObjectUtil;
import io.netty.util.internal.PlatformDependent;
import io.winloop.internal.win.Ws2_32;

import java.util.Map;

import static io.netty.channel.ChannelOption.ALLOW_HALF_CLOSURE;
import static io.netty.channel.ChannelOption.IP_TOS;
import static io.netty.channel.ChannelOption.SO_KEEPALIVE;
import static io.netty.channel.ChannelOption.SO_LINGER;
import static io.netty.channel.ChannelOption.SO_RCVBUF;
import static io.netty.channel.ChannelOption.SO_REUSEADDR;
import static io.netty.channel.ChannelOption.SO_SNDBUF;
import static io.netty.channel.ChannelOption.TCP_NODELAY;

/** The {@link SocketChannelConfig} of {@link WinloopSocketChannel}: options map to Winsock socket options. */
public final class WinloopSocketChannelConfig extends DefaultChannelConfig implements SocketChannelConfig {
    /**
     * Netty's SO_REUSEADDR. On Linux it only allows binding over TIME_WAIT; Winsock's SO_REUSEADDR lets another
     * socket bind a port that is already in use, even one being listened on, so any local process could take over
     * the port. Like the JDK on Windows (sun.net.useExclusiveBind), Winloop binds TCP sockets with
     * SO_EXCLUSIVEADDRUSE (WinSocket.newStreamSocket) and keeps this value only to report it.
     */
    private volatile boolean reuseAddress;

    private static final int DEFAULT_KEEPALIVE_IDLE_SECONDS = 7200;
    private static final int DEFAULT_KEEPALIVE_INTERVAL_SECONDS = 1;

    private final WinloopSocketChannel channel;
    private volatile boolean allowHalfClosure;
    private volatile int trafficClass;
    private volatile int keepAliveIdleSeconds = DEFAULT_KEEPALIVE_IDLE_SECONDS;
    private volatile int keepAliveIntervalSeconds = DEFAULT_KEEPALIVE_INTERVAL_SECONDS;
    /**
     * The cap of one gathering write: twice SO_SNDBUF, read from the socket at the first gathering write rather
     * than at construction (a Win32 call that an accepted connection writing single buffers never needs), then
     * adapted by the writes. {@link #CAP_NOT_READ} until read; raises before it are kept in raisedBeforeRead.
     */
    private static final long CAP_NOT_READ = -1;
    private volatile long maxBytesPerGatheringWrite = CAP_NOT_READ;
    private volatile long raisedBeforeRead;
    /**
     * SO_LINGER was last set through this config to a positive time, so closesocket may block. Windows sockets
     * start with lingering off (SO_DONTLINGER is TRUE by default) and only this config changes it, so a close
     * learns it without a getsockopt (a Win32 call per connection).
     */
    private volatile boolean lingerOnClose;
    /**
     * TCP_NODELAY was last set to true through this config: setting it to true again (a server's childOption after
     * the default, on every accepted connection) is skipped, a Win32 call fewer per connection. Only this config
     * changes the option of a socket it owns.
     */
    private volatile boolean tcpNoDelaySet;
    /** {@link WinloopChannelOption#TRANSMIT_FILE}; null: the default, {@link TransmitFilePolicy#defaultMode()}. */
    private volatile TransmitFileMode transmitFileMode;

    WinloopSocketChannelConfig(WinloopSocketChannel channel) {
        super(channel);
        this.channel = channel;
        if (PlatformDependent.canEnableTcpNoDelayByDefault()) {
            setTcpNoDelay(true);
        }
    }

    @Override
    public Map<ChannelOption<?>, Object> getOptions() {
        return getOptions(super.getOptions(), SO_RCVBUF, SO_SNDBUF, TCP_NODELAY, SO_KEEPALIVE, SO_REUSEADDR,
                SO_LINGER, IP_TOS, ALLOW_HALF_CLOSURE, WinloopChannelOption.SO_EXCLUSIVEADDRUSE,
                WinloopChannelOption.TCP_KEEPIDLE, WinloopChannelOption.TCP_KEEPINTVL,
                WinloopChannelOption.TRANSMIT_FILE);
    }

    @SuppressWarnings("unchecked")
    @Override
    public <T> T getOption(ChannelOption<T> option) {
        if (option == SO_RCVBUF) {
            return (T) Integer.valueOf(getReceiveBufferSize());
        }
        if (option == SO_SNDBUF) {
            return (T) Integer.valueOf(getSendBufferSize());
        }
        if (option == TCP_NODELAY) {
            return (T) Boolean.valueOf(isTcpNoDelay());
        }
        if (option == SO_KEEPALIVE) {
            return (T) Boolean.valueOf(isKeepAlive());
        }
        if (option == SO_REUSEADDR) {
            return (T) Boolean.valueOf(isReuseAddress());
        }
        if (option == SO_LINGER) {
            return (T) Integer.valueOf(getSoLinger());
        }
        if (option == IP_TOS) {
            return (T) Integer.valueOf(getTrafficClass());
        }
        if (option == ALLOW_HALF_CLOSURE) {
            return (T) Boolean.valueOf(isAllowHalfClosure());
        }
        if (option == WinloopChannelOption.SO_EXCLUSIVEADDRUSE) {
            return (T) Boolean.valueOf(isExclusiveAddressUse());
        }
        if (option == WinloopChannelOption.TCP_KEEPIDLE) {
            return (T) Integer.valueOf(getTcpKeepIdle());
        }
        if (option == WinloopChannelOption.TCP_KEEPINTVL) {
            return (T) Integer.valueOf(getTcpKeepIntvl());
        }
        if (option == WinloopChannelOption.TRANSMIT_FILE) {
            return (T) getTransmitFileMode();
        }
        return super.getOption(option);
    }

    @Override
    public <T> boolean setOption(ChannelOption<T> option, T value) {
        validate(option, value);
        if (option == SO_RCVBUF) {
            setReceiveBufferSize((Integer) value);
        } else if (option == SO_SNDBUF) {
            setSendBufferSize((Integer) value);
        } else if (option == TCP_NODELAY) {
            setTcpNoDelay((Boolean) value);
        } else if (option == SO_KEEPALIVE) {
            setKeepAlive((Boolean) value);
        } else if (option == SO_REUSEADDR) {
            setReuseAddress((Boolean) value);
        } else if (option == SO_LINGER) {
            setSoLinger((Integer) value);
        } else if (option == IP_TOS) {
            setTrafficClass((Integer) value);
        } else if (option == ALLOW_HALF_CLOSURE) {
            setAllowHalfClosure((Boolean) value);
        } else if (option == WinloopChannelOption.SO_EXCLUSIVEADDRUSE) {
            setExclusiveAddressUse((Boolean) value);
        } else if (option == WinloopChannelOption.TCP_KEEPIDLE) {
            setTcpKeepIdle((Integer) value);
        } else if (option == WinloopChannelOption.TCP_KEEPINTVL) {
            setTcpKeepIntvl((Integer) value);
        } else if (option == WinloopChannelOption.TRANSMIT_FILE) {
            setTransmitFileMode((TransmitFileMode) value);
        } else {
            return super.setOption(option, value);
        }
        return true;
    }

    @Override
    public int getReceiveBufferSize() {
        return SocketOptions.getInt(channel.socket, Ws2_32.SOL_SOCKET, Ws2_32.SO_RCVBUF);
    }

    @Override
    public int getSendBufferSize() {
        return SocketOptions.getInt(channel.socket, Ws2_32.SOL_SOCKET, Ws2_32.SO_SNDBUF);
    }

    @Override
    public int getSoLinger() {
        return SocketOptions.getSoLinger(channel.socket);
    }

    @Override
    public int getTrafficClass() {
        return trafficClass;
    }

    @Override
    public boolean isKeepAlive() {
        return SocketOptions.getBoolean(channel.socket, Ws2_32.SOL_SOCKET, Ws2_32.SO_KEEPALIVE);
    }

    @Override
    public boolean isReuseAddress() {
        return reuseAddress;
    }

    @Override
    public boolean isTcpNoDelay() {
        return SocketOptions.getBoolean(channel.socket, Ws2_32.IPPROTO_TCP, Ws2_32.TCP_NODELAY);
    }

    public boolean isExclusiveAddressUse() {
        return SocketOptions.getBoolean(channel.socket, Ws2_32.SOL_SOCKET, Ws2_32.SO_EXCLUSIVEADDRUSE);
    }

    public WinloopSocketChannelConfig setExclusiveAddressUse(boolean exclusive) {
        SocketOptions.setBoolean(channel.socket, Ws2_32.SOL_SOCKET, Ws2_32.SO_EXCLUSIVEADDRUSE, exclusive);
        return this;
    }

    /** Keep-alive idle time in seconds (see {@link WinloopChannelOption#TCP_KEEPIDLE}). */
    public int getTcpKeepIdle() {
        return keepAliveIdleSeconds;
    }

    public WinloopSocketChannelConfig setTcpKeepIdle(int seconds) {
        if (seconds <= 0 || seconds > Integer.MAX_VALUE / 1000) {
            throw new IllegalArgumentException("TCP_KEEPIDLE must be 1.." + Integer.MAX_VALUE / 1000
                    + " seconds: " + seconds);
        }
        keepAliveIdleSeconds = seconds;
        SocketOptions.setKeepAliveValues(channel.socket, seconds, keepAliveIntervalSeconds);
        return this;
    }

    /** Keep-alive probe interval in seconds (see {@link WinloopChannelOption#TCP_KEEPINTVL}). */
    public int getTcpKeepIntvl() {
        return keepAliveIntervalSeconds;
    }

    public WinloopSocketChannelConfig setTcpKeepIntvl(int seconds) {
        if (seconds <= 0 || seconds > Integer.MAX_VALUE / 1000) {
            throw new IllegalArgumentException("TCP_KEEPINTVL must be 1.." + Integer.MAX_VALUE / 1000
                    + " seconds: " + seconds);
        }
        keepAliveIntervalSeconds = seconds;
        SocketOptions.setKeepAliveValues(channel.socket, keepAliveIdleSeconds, seconds);
        return this;
    }

    /**
     * How DefaultFileRegions are sent (see {@link WinloopChannelOption#TRANSMIT_FILE}).
     *
     * @throws IllegalArgumentException when none was set and {@code -Dio.winloop.transmitFile} has a bad value
     */
    public TransmitFileMode getTransmitFileMode() {
        TransmitFileMode mode = transmitFileMode;
        return mode != null ? mode : TransmitFilePolicy.defaultMode();
    }

    public WinloopSocketChannelConfig setTransmitFileMode(TransmitFileMode mode) {
        transmitFileMode = ObjectUtil.checkNotNull(mode, "mode");
        return this;
    }

    @Override
    public WinloopSocketChannelConfig setKeepAlive(boolean keepAlive) {
        SocketOptions.setBoolean(channel.socket, Ws2_32.SOL_SOCKET, Ws2_32.SO_KEEPALIVE, keepAlive);
        return this;
    }

    @Override
    public WinloopSocketChannelConfig setPerformancePreferences(int connectionTime, int latency, int bandwidth) {
        return this; // not supported by Winsock; NIO ignores it as well
    }

    @Override
    public WinloopSocketChannelConfig setReceiveBufferSize(int receiveBufferSize) {
        SocketOptions.setBufferSize(channel.socket, Ws2_32.SO_RCVBUF, receiveBufferSize);
        return this;
    }

    @Override
    public WinloopSocketChannelConfig setReuseAddress(boolean reuseAddress) {
        // Remembered and reported, never passed to Winsock: see the field.
        this.reuseAddress = reuseAddress;
        return this;
    }

    @Override
    public WinloopSocketChannelConfig setSendBufferSize(int sendBufferSize) {
        SocketOptions.setBufferSize(channel.socket, Ws2_32.SO_SNDBUF, sendBufferSize);
        raisedBeforeRead = 0;
        maxBytesPerGatheringWrite = CAP_NOT_READ; // follows the new size at the next gathering write, as NIO's
        return this;
    }

    @Override
    public WinloopSocketChannelConfig setSoLinger(int soLinger) {
        SocketOptions.setSoLinger(channel.socket, soLinger);
        lingerOnClose = soLinger > 0;
        return this;
    }

    @Override
    public WinloopSocketChannelConfig setTcpNoDelay(boolean tcpNoDelay) {
        if (tcpNoDelay && tcpNoDelaySet && channel.socket.isOpen()) {
            return this;
        }
        SocketOptions.setBoolean(channel.socket, Ws2_32.IPPROTO_TCP, Ws2_32.TCP_NODELAY, tcpNoDelay);
        tcpNoDelaySet = tcpNoDelay;
        return this;
    }

    @Override
    public WinloopSocketChannelConfig setTrafficClass(int trafficClass) {
        SocketOptions.trySetTrafficClass(channel.socket, trafficClass);
        this.trafficClass = trafficClass;
        return this;
    }

    @Override
    public boolean isAllowHalfClosure() {
        return allowHalfClosure;
    }

    @Override
    public WinloopSocketChannelConfig setAllowHalfClosure(boolean allowHalfClosure) {
        this.allowHalfClosure = allowHalfClosure;
        return this;
    }

    /** Whether closesocket may block: SO_LINGER was set to a positive time (see {@link #lingerOnClose}). */
    boolean isLingerOnClose() {
        return lingerOnClose;
    }

    long getMaxBytesPerGatheringWrite() {
        long cap = maxBytesPerGatheringWrite;
        if (cap == CAP_NOT_READ) {
            // Multiply by 2 to give some extra space in case the OS can process write data faster than we can
            // provide (as epoll and NIO). A send buffer Windows does not report leaves no cap (as they do).
            int twiceSendBuffer = getSendBufferSize() << 1;
            cap = Math.max(twiceSendBuffer > 0 ? twiceSendBuffer : Integer.MAX_VALUE, raisedBeforeRead);
            maxBytesPerGatheringWrite = cap;
        }
        return cap;
    }

    void setMaxBytesPerGatheringWrite(long maxBytesPerGatheringWrite) {
        this.maxBytesPerGatheringWrite = maxBytesPerGatheringWrite;
    }

    /**
     * Raises the cap to at least {@code atLeast} (a single write the socket took whole), without reading SO_SNDBUF
     * when it has not been read yet: the raise is then applied when it is.
     */
    void raiseMaxBytesPerGatheringWrite(long atLeast) {
        long cap = maxBytesPerGatheringWrite;
        if (cap == CAP_NOT_READ) {
            if (atLeast > raisedBeforeRead) {
                raisedBeforeRead = atLeast;
            }
        } else if (atLeast > cap) {
            maxBytesPerGatheringWrite = atLeast;
        }
    }

    @Override
    public WinloopSocketChannelConfig setConnectTimeoutMillis(int connectTimeoutMillis) {
        super.setConnectTimeoutMillis(connectTimeoutMillis);
        return this;
    }

    @Override
    @Deprecated
    public WinloopSocketChannelConfig setMaxMessagesPerRead(int maxMessagesPerRead) {
        super.setMaxMessagesPerRead(maxMessagesPerRead);
        return this;
    }

    @Override
    public WinloopSocketChannelConfig setWriteSpinCount(int writeSpinCount) {
        super.setWriteSpinCount(writeSpinCount);
        return this;
    }

    @Override
    public WinloopSocketChannelConfig setAllocator(ByteBufAllocator allocator) {
        super.setAllocator(allocator);
        return this;
    }

    @Override
    public WinloopSocketChannelConfig setRecvByteBufAllocator(RecvByteBufAllocator allocator) {
        super.setRecvByteBufAllocator(allocator);
        return this;
    }

    @Override
    public WinloopSocketChannelConfig setAutoRead(boolean autoRead) {
        super.setAutoRead(autoRead);
        return this;
    }

    @Override
    public WinloopSocketChannelConfig setAutoClose(boolean autoClose) {
        super.setAutoClose(autoClose);
        return this;
    }

    @Override
    @Deprecated
    public WinloopSocketChannelConfig setWriteBufferHighWaterMark(int writeBufferHighWaterMark) {
        super.setWriteBufferHighWaterMark(writeBufferHighWaterMark);
        return this;
    }

    @Override
    @Deprecated
    public WinloopSocketChannelConfig setWriteBufferLowWaterMark(int writeBufferLowWaterMark) {
        super.setWriteBufferLowWaterMark(writeBufferLowWaterMark);
        return this;
    }

    @Override
    public WinloopSocketChannelConfig setWriteBufferWaterMark(WriteBufferWaterMark writeBufferWaterMark) {
        super.setWriteBufferWaterMark(writeBufferWaterMark);
        return this;
    }

    @Override
    public WinloopSocketChannelConfig setMessageSizeEstimator(MessageSizeEstimator estimator) {
        super.setMessageSizeEstimator(estimator);
        return this;
    }

    @Override
    protected void autoReadCleared() {
        channel.clearReadFlag();
    }
}
