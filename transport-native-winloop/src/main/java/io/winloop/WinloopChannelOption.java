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

    @SuppressWarnings({"unused", "deprecation"})
    private WinloopChannelOption() {
        super(null);
    }
}
