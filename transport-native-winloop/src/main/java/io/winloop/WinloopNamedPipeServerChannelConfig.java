package io.winloop;

import io.netty.channel.ChannelOption;
import io.netty.channel.DefaultChannelConfig;
import io.netty.util.internal.ObjectUtil;
import io.winloop.internal.pipe.PipeAcceptor;

import java.util.Map;

/**
 * The options of a {@link WinloopNamedPipeServerChannel}: {@link WinloopChannelOption#PIPE_INSTANCES},
 * {@link WinloopChannelOption#PIPE_SECURITY_DESCRIPTOR} and {@link WinloopChannelOption#PIPE_BUFFER_SIZE}, set before
 * bind.
 */
public final class WinloopNamedPipeServerChannelConfig extends DefaultChannelConfig {
    /** Instances kept listening unless told otherwise. */
    public static final int DEFAULT_INSTANCES = 4;
    public static final int DEFAULT_BUFFER_SIZE = 65536;

    private volatile int instances = DEFAULT_INSTANCES;
    private volatile String securityDescriptor;
    private volatile int bufferSize = DEFAULT_BUFFER_SIZE;

    WinloopNamedPipeServerChannelConfig(WinloopNamedPipeServerChannel channel) {
        super(channel);
    }

    @Override
    public Map<ChannelOption<?>, Object> getOptions() {
        return getOptions(super.getOptions(), WinloopChannelOption.PIPE_INSTANCES,
                WinloopChannelOption.PIPE_SECURITY_DESCRIPTOR, WinloopChannelOption.PIPE_BUFFER_SIZE);
    }

    @SuppressWarnings("unchecked")
    @Override
    public <T> T getOption(ChannelOption<T> option) {
        if (option == WinloopChannelOption.PIPE_INSTANCES) {
            return (T) Integer.valueOf(getInstances());
        }
        if (option == WinloopChannelOption.PIPE_SECURITY_DESCRIPTOR) {
            return (T) getSecurityDescriptor();
        }
        if (option == WinloopChannelOption.PIPE_BUFFER_SIZE) {
            return (T) Integer.valueOf(getBufferSize());
        }
        return super.getOption(option);
    }

    @Override
    public <T> boolean setOption(ChannelOption<T> option, T value) {
        validate(option, value);
        if (option == WinloopChannelOption.PIPE_INSTANCES) {
            setInstances((Integer) value);
        } else if (option == WinloopChannelOption.PIPE_SECURITY_DESCRIPTOR) {
            setSecurityDescriptor((String) value);
        } else if (option == WinloopChannelOption.PIPE_BUFFER_SIZE) {
            setBufferSize((Integer) value);
        } else {
            return super.setOption(option, value);
        }
        return true;
    }

    public int getInstances() {
        return instances;
    }

    /**
     * Instances kept listening, 1..63: one thread waits for all of them with WaitForMultipleObjects (64 handles, one
     * of which is its own wake-up event).
     */
    public WinloopNamedPipeServerChannelConfig setInstances(int instances) {
        if (instances < 1 || instances > PipeAcceptor.MAX_INSTANCES) {
            throw new IllegalArgumentException("PIPE_INSTANCES: " + instances + " (expected: 1.."
                    + PipeAcceptor.MAX_INSTANCES + ")");
        }
        this.instances = instances;
        return this;
    }

    /** The SDDL given, or null for the default (current user + SYSTEM + Administrators). */
    public String getSecurityDescriptor() {
        return securityDescriptor;
    }

    public WinloopNamedPipeServerChannelConfig setSecurityDescriptor(String sddl) {
        if (sddl != null && sddl.trim().isEmpty()) {
            throw new IllegalArgumentException("PIPE_SECURITY_DESCRIPTOR: empty SDDL (null means the default)");
        }
        this.securityDescriptor = sddl;
        return this;
    }

    public int getBufferSize() {
        return bufferSize;
    }

    public WinloopNamedPipeServerChannelConfig setBufferSize(int bufferSize) {
        ObjectUtil.checkPositiveOrZero(bufferSize, "PIPE_BUFFER_SIZE");
        this.bufferSize = bufferSize;
        return this;
    }
}
