package io.winloop;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.channel.DefaultChannelConfig;
import io.netty.channel.MessageSizeEstimator;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.ServerChannelRecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.ServerSocketChannelConfig;
import io.netty.util.NetUtil;
import io.winloop.internal.win.Ws2_32;

import java.util.Map;

import static io.netty.channel.ChannelOption.SO_BACKLOG;
import static io.netty.channel.ChannelOption.SO_RCVBUF;
import static io.netty.channel.ChannelOption.SO_REUSEADDR;
import static io.netty.util.internal.ObjectUtil.checkPositiveOrZero;

/** The {@link ServerSocketChannelConfig} of {@link WinloopServerSocketChannel}. */
public final class WinloopServerSocketChannelConfig extends DefaultChannelConfig
        implements ServerSocketChannelConfig {
    /**
     * Netty's SO_REUSEADDR. On Linux it only allows binding over TIME_WAIT; Winsock's SO_REUSEADDR lets another
     * socket bind a port that is already in use, even one being listened on, so any local process could take over
     * the port. Like the JDK on Windows (sun.net.useExclusiveBind), Winloop binds TCP sockets with
     * SO_EXCLUSIVEADDRUSE (WinSocket.newStreamSocket) and keeps this value only to report it.
     */
    private volatile boolean reuseAddress;

    private final WinloopServerSocketChannel channel;
    private volatile int backlog = NetUtil.SOMAXCONN;

    WinloopServerSocketChannelConfig(WinloopServerSocketChannel channel) {
        super(channel, new ServerChannelRecvByteBufAllocator());
        this.channel = channel;
    }

    @Override
    public Map<ChannelOption<?>, Object> getOptions() {
        return getOptions(super.getOptions(), SO_RCVBUF, SO_REUSEADDR, SO_BACKLOG,
                WinloopChannelOption.SO_EXCLUSIVEADDRUSE);
    }

    @SuppressWarnings("unchecked")
    @Override
    public <T> T getOption(ChannelOption<T> option) {
        if (option == SO_RCVBUF) {
            return (T) Integer.valueOf(getReceiveBufferSize());
        }
        if (option == SO_REUSEADDR) {
            return (T) Boolean.valueOf(isReuseAddress());
        }
        if (option == SO_BACKLOG) {
            return (T) Integer.valueOf(getBacklog());
        }
        if (option == WinloopChannelOption.SO_EXCLUSIVEADDRUSE) {
            return (T) Boolean.valueOf(isExclusiveAddressUse());
        }
        return super.getOption(option);
    }

    @Override
    public <T> boolean setOption(ChannelOption<T> option, T value) {
        validate(option, value);
        if (option == SO_RCVBUF) {
            setReceiveBufferSize((Integer) value);
        } else if (option == SO_REUSEADDR) {
            setReuseAddress((Boolean) value);
        } else if (option == SO_BACKLOG) {
            setBacklog((Integer) value);
        } else if (option == WinloopChannelOption.SO_EXCLUSIVEADDRUSE) {
            setExclusiveAddressUse((Boolean) value);
        } else {
            return super.setOption(option, value);
        }
        return true;
    }

    @Override
    public int getBacklog() {
        return backlog;
    }

    @Override
    public WinloopServerSocketChannelConfig setBacklog(int backlog) {
        checkPositiveOrZero(backlog, "backlog");
        this.backlog = backlog;
        return this;
    }

    @Override
    public boolean isReuseAddress() {
        return reuseAddress;
    }

    @Override
    public WinloopServerSocketChannelConfig setReuseAddress(boolean reuseAddress) {
        // Remembered and reported, never passed to Winsock: see the field.
        this.reuseAddress = reuseAddress;
        return this;
    }

    public boolean isExclusiveAddressUse() {
        return SocketOptions.getBoolean(channel.socket, Ws2_32.SOL_SOCKET, Ws2_32.SO_EXCLUSIVEADDRUSE);
    }

    public WinloopServerSocketChannelConfig setExclusiveAddressUse(boolean exclusive) {
        SocketOptions.setBoolean(channel.socket, Ws2_32.SOL_SOCKET, Ws2_32.SO_EXCLUSIVEADDRUSE, exclusive);
        return this;
    }

    @Override
    public int getReceiveBufferSize() {
        return SocketOptions.getInt(channel.socket, Ws2_32.SOL_SOCKET, Ws2_32.SO_RCVBUF);
    }

    @Override
    public WinloopServerSocketChannelConfig setReceiveBufferSize(int receiveBufferSize) {
        SocketOptions.setBufferSize(channel.socket, Ws2_32.SO_RCVBUF, receiveBufferSize);
        return this;
    }

    @Override
    public WinloopServerSocketChannelConfig setPerformancePreferences(int connectionTime, int latency,
                                                                      int bandwidth) {
        return this; // not supported by Winsock; NIO ignores it as well
    }

    @Override
    public WinloopServerSocketChannelConfig setConnectTimeoutMillis(int connectTimeoutMillis) {
        super.setConnectTimeoutMillis(connectTimeoutMillis);
        return this;
    }

    @Override
    @Deprecated
    public WinloopServerSocketChannelConfig setMaxMessagesPerRead(int maxMessagesPerRead) {
        super.setMaxMessagesPerRead(maxMessagesPerRead);
        return this;
    }

    @Override
    public WinloopServerSocketChannelConfig setWriteSpinCount(int writeSpinCount) {
        super.setWriteSpinCount(writeSpinCount);
        return this;
    }

    @Override
    public WinloopServerSocketChannelConfig setAllocator(ByteBufAllocator allocator) {
        super.setAllocator(allocator);
        return this;
    }

    @Override
    public WinloopServerSocketChannelConfig setRecvByteBufAllocator(RecvByteBufAllocator allocator) {
        super.setRecvByteBufAllocator(allocator);
        return this;
    }

    @Override
    public WinloopServerSocketChannelConfig setAutoRead(boolean autoRead) {
        super.setAutoRead(autoRead);
        return this;
    }

    @Override
    @Deprecated
    public WinloopServerSocketChannelConfig setWriteBufferHighWaterMark(int writeBufferHighWaterMark) {
        super.setWriteBufferHighWaterMark(writeBufferHighWaterMark);
        return this;
    }

    @Override
    @Deprecated
    public WinloopServerSocketChannelConfig setWriteBufferLowWaterMark(int writeBufferLowWaterMark) {
        super.setWriteBufferLowWaterMark(writeBufferLowWaterMark);
        return this;
    }

    @Override
    public WinloopServerSocketChannelConfig setWriteBufferWaterMark(WriteBufferWaterMark writeBufferWaterMark) {
        super.setWriteBufferWaterMark(writeBufferWaterMark);
        return this;
    }

    @Override
    public WinloopServerSocketChannelConfig setMessageSizeEstimator(MessageSizeEstimator estimator) {
        super.setMessageSizeEstimator(estimator);
        return this;
    }

    @Override
    protected void autoReadCleared() {
        channel.clearReadFlag();
    }
}
