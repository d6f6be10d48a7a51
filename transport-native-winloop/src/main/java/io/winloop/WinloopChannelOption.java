package io.winloop;

import io.netty.channel.ChannelOption;

/** Options only Windows has, for Winloop channels. Unknown to other transports, which ignore them. */
public final class WinloopChannelOption<T> extends ChannelOption<T> {
    /**
     * {@code SO_EXCLUSIVEADDRUSE}: no other socket may bind the same address and port, not even with SO_REUSEADDR.
     * Set it before bind.
     */
    public static final ChannelOption<Boolean> SO_EXCLUSIVEADDRUSE = valueOf(WinloopChannelOption.class,
            "SO_EXCLUSIVEADDRUSE");
    /**
     * TCP keep-alive idle time in seconds before the first probe (applied with {@code SIO_KEEPALIVE_VALS}, which
     * also turns SO_KEEPALIVE on). Windows' default is 2 hours.
     */
    public static final ChannelOption<Integer> TCP_KEEPIDLE = valueOf(WinloopChannelOption.class, "TCP_KEEPIDLE");
    /** TCP keep-alive interval in seconds between unanswered probes (with {@code SIO_KEEPALIVE_VALS}). */
    public static final ChannelOption<Integer> TCP_KEEPINTVL = valueOf(WinloopChannelOption.class, "TCP_KEEPINTVL");

    /**
     * Named pipe servers: how many pipe instances are kept listening (each is one pending ConnectNamedPipe), so that
     * a burst of that many clients finds an instance free instead of {@code ERROR_PIPE_BUSY}. Default 4.
     */
    public static final ChannelOption<Integer> PIPE_INSTANCES = valueOf(WinloopChannelOption.class,
            "PIPE_INSTANCES");
    /**
     * Named pipe servers: the security descriptor of the pipe, in SDDL. Default (null): owned by the current user,
     * full access for that user, SYSTEM and Administrators only,
     * {@code O:<user SID>D:P(A;;GA;;;SY)(A;;GA;;;BA)(A;;GA;;;<user SID>)}. Checked at bind: a descriptor that grants
     * anyone else {@code FILE_CREATE_PIPE_INSTANCE} (GA, GW, FA, FW or LC: it is {@code FILE_APPEND_DATA}) is
     * refused unless {@link #PIPE_CLIENTS_MAY_CREATE_INSTANCES} is set, since that principal could add instances of
     * the name and take this server's clients; one that does not grant this process's user that right is refused,
     * since every instance after the first would fail. Grant clients {@code 0x12019b} (read, write data, write
     * attributes) instead of GW or GA.
     */
    public static final ChannelOption<String> PIPE_SECURITY_DESCRIPTOR = valueOf(WinloopChannelOption.class,
            "PIPE_SECURITY_DESCRIPTOR");
    /**
     * Named pipe servers: accept a {@link #PIPE_SECURITY_DESCRIPTOR} that lets principals other than the current
     * user, SYSTEM and Administrators create instances of the pipe (for clients that must open it with
     * GENERIC_WRITE, such as .NET's {@code NamedPipeClientStream} with {@code PipeDirection.InOut}). Those
     * principals can then squat the name's later instances. Default false.
     */
    public static final ChannelOption<Boolean> PIPE_CLIENTS_MAY_CREATE_INSTANCES = valueOf(
            WinloopChannelOption.class, "PIPE_CLIENTS_MAY_CREATE_INSTANCES");
    /**
     * Named pipe clients: whose pipes a client connects to; default {@link NamedPipeOwnerPolicy#trusted()} (the
     * current user, SYSTEM, Administrators). A pipe owned by anyone else is closed and the connect fails.
     */
    public static final ChannelOption<NamedPipeOwnerPolicy> PIPE_OWNER_POLICY = valueOf(WinloopChannelOption.class,
            "PIPE_OWNER_POLICY");
    /** Named pipe servers: the in and out buffer sizes requested from CreateNamedPipe (advisory). Default 65536. */
    public static final ChannelOption<Integer> PIPE_BUFFER_SIZE = valueOf(WinloopChannelOption.class,
            "PIPE_BUFFER_SIZE");

    /**
     * Socket channels: whether {@link io.netty.channel.DefaultFileRegion}s are sent with TransmitFile (zero-copy) or
     * by copying; see {@link TransmitFileMode}. Default: {@code -Dio.winloop.transmitFile} ({@code auto},
     * {@code always}, {@code never}), else {@link TransmitFileMode#AUTO} (TransmitFile on server editions of Windows
     * only, since workstation editions run at most two at a time system-wide).
     */
    public static final ChannelOption<TransmitFileMode> TRANSMIT_FILE = valueOf(WinloopChannelOption.class,
            "TRANSMIT_FILE");

    @SuppressWarnings({"unused", "deprecation"})
    private WinloopChannelOption() {
        super(null);
    }
}
