package io.winloop;

import io.netty.channel.ChannelOption;
import io.netty.channel.DefaultChannelConfig;
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
    /**
     * The largest PIPE_BUFFER_SIZE taken. Windows treats the size as advisory but charges the buffers of every
     * instance to the system's nonpaged pool quota; more than this buys a pipe nothing and a typo could exhaust it.
     */
    public static final int MAX_BUFFER_SIZE = 64 * 1024 * 1024;

    private volatile int instances = DEFAULT_INSTANCES;
    private volatile String securityDescriptor;
    private volatile int bufferSize = DEFAULT_BUFFER_SIZE;
    private volatile boolean clientsMayCreateInstances;

    WinloopNamedPipeServerChannelConfig(WinloopNamedPipeServerChannel channel) {
        super(channel);
    }

    @Override
    public Map<ChannelOption<?>, Object> getOptions() {
        return getOptions(super.getOptions(), WinloopChannelOption.PIPE_INSTANCES,
                WinloopChannelOption.PIPE_SECURITY_DESCRIPTOR, WinloopChannelOption.PIPE_BUFFER_SIZE,
                WinloopChannelOption.PIPE_CLIENTS_MAY_CREATE_INSTANCES);
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
        if (option == WinloopChannelOption.PIPE_CLIENTS_MAY_CREATE_INSTANCES) {
            return (T) Boolean.valueOf(isClientsMayCreateInstances());
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
        } else if (option == WinloopChannelOption.PIPE_CLIENTS_MAY_CREATE_INSTANCES) {
            setClientsMayCreateInstances((Boolean) value);
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
        if (sddl != null) {
            for (int i = 0; i < sddl.length(); i++) {
                if (sddl.charAt(i) < 0x20) {
                    // Win32 reads the string up to a NUL: what follows it would be dropped without a word.
                    throw new IllegalArgumentException(String.format("PIPE_SECURITY_DESCRIPTOR: a control character "
                            + "(U+%04X) at index %d of the SDDL", (int) sddl.charAt(i), i));
                }
            }
        }
        this.securityDescriptor = sddl;
        return this;
    }

    public int getBufferSize() {
        return bufferSize;
    }

    public WinloopNamedPipeServerChannelConfig setBufferSize(int bufferSize) {
        if (bufferSize < 0 || bufferSize > MAX_BUFFER_SIZE) {
            throw new IllegalArgumentException("PIPE_BUFFER_SIZE: " + bufferSize + " (expected: 0.." + MAX_BUFFER_SIZE
                    + "; 0 takes the system's default)");
        }
        this.bufferSize = bufferSize;
        return this;
    }

    /** See {@link WinloopChannelOption#PIPE_CLIENTS_MAY_CREATE_INSTANCES}. */
    public boolean isClientsMayCreateInstances() {
        return clientsMayCreateInstances;
    }

    public WinloopNamedPipeServerChannelConfig setClientsMayCreateInstances(boolean clientsMayCreateInstances) {
        this.clientsMayCreateInstances = clientsMayCreateInstances;
        return this;
    }
}
