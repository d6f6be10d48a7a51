package io.winloop;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.channel.DefaultChannelConfig;
import io.netty.channel.MessageSizeEstimator;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.DuplexChannelConfig;

import java.util.Map;

/**
 * The options of a {@link WinloopNamedPipeChannel}: Netty's usual ones and {@code ALLOW_HALF_CLOSURE} (what end of
 * stream does: close, or fire {@code ChannelInputShutdownEvent} and stay open). {@code WRITE_SPIN_COUNT} is
 * accepted and ignored: a pipe has one overlapped WriteFile in flight at a time, continued from its completion.
 */
public final class WinloopNamedPipeChannelConfig extends DefaultChannelConfig implements DuplexChannelConfig {
    private volatile boolean allowHalfClosure;
    private volatile NamedPipeOwnerPolicy ownerPolicy = NamedPipeOwnerPolicy.trusted();

    WinloopNamedPipeChannelConfig(WinloopNamedPipeChannel channel) {
        super(channel);
    }

    @Override
    public Map<ChannelOption<?>, Object> getOptions() {
        return getOptions(super.getOptions(), ChannelOption.ALLOW_HALF_CLOSURE,
                WinloopChannelOption.PIPE_OWNER_POLICY);
    }

    @SuppressWarnings("unchecked")
    @Override
    public <T> T getOption(ChannelOption<T> option) {
        if (option == ChannelOption.ALLOW_HALF_CLOSURE) {
            return (T) Boolean.valueOf(isAllowHalfClosure());
        }
        if (option == WinloopChannelOption.PIPE_OWNER_POLICY) {
            return (T) getOwnerPolicy();
        }
        return super.getOption(option);
    }

    @Override
    public <T> boolean setOption(ChannelOption<T> option, T value) {
        validate(option, value);
        if (option == ChannelOption.ALLOW_HALF_CLOSURE) {
            setAllowHalfClosure((Boolean) value);
            return true;
        }
        if (option == WinloopChannelOption.PIPE_OWNER_POLICY) {
            setOwnerPolicy((NamedPipeOwnerPolicy) value);
            return true;
        }
        return super.setOption(option, value);
    }

    @Override
    public boolean isAllowHalfClosure() {
        return allowHalfClosure;
    }

    @Override
    public WinloopNamedPipeChannelConfig setAllowHalfClosure(boolean allowHalfClosure) {
        this.allowHalfClosure = allowHalfClosure;
        return this;
    }

    /** Whose pipes this client connects to (see {@link WinloopChannelOption#PIPE_OWNER_POLICY}). */
    public NamedPipeOwnerPolicy getOwnerPolicy() {
        return ownerPolicy;
    }

    public WinloopNamedPipeChannelConfig setOwnerPolicy(NamedPipeOwnerPolicy ownerPolicy) {
        if (ownerPolicy == null) {
            throw new NullPointerException("PIPE_OWNER_POLICY (NamedPipeOwnerPolicy.anyOwner() turns the check off)");
        }
        this.ownerPolicy = ownerPolicy;
        return this;
    }

    @Override
    @Deprecated
    public WinloopNamedPipeChannelConfig setMaxMessagesPerRead(int maxMessagesPerRead) {
        super.setMaxMessagesPerRead(maxMessagesPerRead);
        return this;
    }

    @Override
    public WinloopNamedPipeChannelConfig setConnectTimeoutMillis(int connectTimeoutMillis) {
        super.setConnectTimeoutMillis(connectTimeoutMillis);
        return this;
    }

    @Override
    public WinloopNamedPipeChannelConfig setWriteSpinCount(int writeSpinCount) {
        super.setWriteSpinCount(writeSpinCount);
        return this;
    }

    @Override
    public WinloopNamedPipeChannelConfig setAllocator(ByteBufAllocator allocator) {
        super.setAllocator(allocator);
        return this;
    }

    @Override
    public WinloopNamedPipeChannelConfig setRecvByteBufAllocator(RecvByteBufAllocator allocator) {
        super.setRecvByteBufAllocator(allocator);
        return this;
    }

    @Override
    public WinloopNamedPipeChannelConfig setAutoRead(boolean autoRead) {
        super.setAutoRead(autoRead);
        return this;
    }

    @Override
    public WinloopNamedPipeChannelConfig setAutoClose(boolean autoClose) {
        super.setAutoClose(autoClose);
        return this;
    }

    @Override
    @Deprecated
    public WinloopNamedPipeChannelConfig setWriteBufferHighWaterMark(int writeBufferHighWaterMark) {
        super.setWriteBufferHighWaterMark(writeBufferHighWaterMark);
        return this;
    }

    @Override
    @Deprecated
    public WinloopNamedPipeChannelConfig setWriteBufferLowWaterMark(int writeBufferLowWaterMark) {
        super.setWriteBufferLowWaterMark(writeBufferLowWaterMark);
        return this;
    }

    @Override
    public WinloopNamedPipeChannelConfig setWriteBufferWaterMark(WriteBufferWaterMark writeBufferWaterMark) {
        super.setWriteBufferWaterMark(writeBufferWaterMark);
        return this;
    }

    @Override
    public WinloopNamedPipeChannelConfig setMessageSizeEstimator(MessageSizeEstimator estimator) {
        super.setMessageSizeEstimator(estimator);
        return this;
    }
}
