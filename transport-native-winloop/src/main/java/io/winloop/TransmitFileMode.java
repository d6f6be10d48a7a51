package io.winloop;

/**
 * Whether a {@link WinloopSocketChannel} sends {@link io.netty.channel.DefaultFileRegion}s with Windows'
 * {@code TransmitFile} (zero-copy: the kernel reads the file and sends it) or by copying them through the JVM
 * ({@code FileRegion.transferTo}). Set per channel with {@link WinloopChannelOption#TRANSMIT_FILE}; the default
 * comes from the system property {@code io.winloop.transmitFile} ({@code auto}, {@code always} or {@code never};
 * {@code auto} when unset).
 *
 * <p>Why not always: Microsoft's TransmitFile page says that workstation and client editions of Windows (10, 11, ...)
 * run at most two TransmitFile operations at a time on the whole system and make every further one wait, so two slow
 * readers would stall every other FileRegion of every process on the machine. Server editions have no such limit.
 */
public enum TransmitFileMode {
    /**
     * TransmitFile on server editions of Windows ({@code wProductType} VER_NT_SERVER or VER_NT_DOMAIN_CONTROLLER),
     * the copying path on workstation editions (VER_NT_WORKSTATION) and wherever the edition cannot be read.
     */
    AUTO,
    /** TransmitFile wherever it can be used, whatever the edition (e.g. on a client with few concurrent readers). */
    ALWAYS,
    /** Always the copying path. */
    NEVER
}
