package io.winloop;

import io.netty.util.internal.SystemPropertyUtil;
import io.winloop.internal.win.WindowsEdition;

import java.util.Locale;

/**
 * Which path a {@link TransmitFileMode} takes on which Windows edition, and the process-wide default mode from
 * {@code -Dio.winloop.transmitFile}. A pure decision, kept apart from the zero-copy package's FileRegionTransmitter so that it can be
 * tested with every edition as input (the lanes' Wines all report a workstation). It lives beside the public mode,
 * so the zero-copy package below it gets only the answer (TransmitTarget) and imports nothing from this package.
 */
final class TransmitFilePolicy {
    public static final String PROPERTY = "io.winloop.transmitFile";

    /** The property's mode, or null when its value is bad (then {@link #DEFAULT_FAILURE} says why). */
    private static final TransmitFileMode DEFAULT_MODE;
    private static final String DEFAULT_FAILURE;

    static {
        TransmitFileMode mode = null;
        String failure = null;
        try {
            mode = parse(SystemPropertyUtil.get(PROPERTY));
        } catch (IllegalArgumentException e) {
            failure = e.getMessage();
        }
        DEFAULT_MODE = mode;
        DEFAULT_FAILURE = failure;
    }

    private TransmitFilePolicy() {
    }

    /**
     * The answers for the edition this process runs on, per mode: read once (RtlGetVersion), when the first region
     * asks, so a region costs no string building.
     */
    private static final class Current {
        static final String[] COPY_REASON = new String[TransmitFileMode.values().length];
        static final String[] TRANSMIT_REASON = new String[TransmitFileMode.values().length];

        static {
            WindowsEdition edition = WindowsEdition.current();
            String text = edition.toString();
            for (TransmitFileMode mode : TransmitFileMode.values()) {
                COPY_REASON[mode.ordinal()] = copyReason(mode, edition.productType(), text);
                TRANSMIT_REASON[mode.ordinal()] = transmitReason(mode, text);
            }
        }
    }

    /** {@link #copyReason(TransmitFileMode, int, String)} on this machine's edition. */
    static String copyReason(TransmitFileMode mode) {
        return Current.COPY_REASON[mode.ordinal()];
    }

    /** {@link #transmitReason(TransmitFileMode, String)} on this machine's edition. */
    static String transmitReason(TransmitFileMode mode) {
        return Current.TRANSMIT_REASON[mode.ordinal()];
    }

    /**
     * The mode of {@code -Dio.winloop.transmitFile}: {@code auto}, {@code always} or {@code never}, in any case and
     * with blanks around it; AUTO when unset.
     *
     * @throws IllegalArgumentException for any other value, naming the property and the values it takes
     */
    public static TransmitFileMode parse(String value) {
        if (value == null) {
            return TransmitFileMode.AUTO;
        }
        switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "auto": return TransmitFileMode.AUTO;
            case "always": return TransmitFileMode.ALWAYS;
            case "never": return TransmitFileMode.NEVER;
            default:
                throw new IllegalArgumentException("-D" + PROPERTY + "=" + value
                        + " is not a TransmitFile mode: expected auto, always or never");
        }
    }

    /**
     * The default of {@link WinloopChannelOption#TRANSMIT_FILE}, from the system property (read once).
     *
     * @throws IllegalArgumentException when the property has a bad value: every channel left at the default fails
     *                                  its first FileRegion with this, rather than silently picking a path
     */
    public static TransmitFileMode defaultMode() {
        if (DEFAULT_MODE == null) {
            throw new IllegalArgumentException(DEFAULT_FAILURE);
        }
        return DEFAULT_MODE;
    }

    /**
     * Why {@code mode} takes the copying path on an edition whose {@code wProductType} is {@code productType}, or
     * null when it takes TransmitFile. AUTO copies on workstations (VER_NT_WORKSTATION) and on any value Microsoft
     * does not document (0 when RtlGetVersion could not be read): the two-at-a-time queue is the risk to avoid.
     *
     * @param edition how the edition is named in the reason (e.g. {@link WindowsEdition#toString()})
     */
    public static String copyReason(TransmitFileMode mode, int productType, String edition) {
        switch (mode) {
            case ALWAYS:
                return null;
            case NEVER:
                return "TRANSMIT_FILE is NEVER";
            default:
                switch (productType) {
                    case WindowsEdition.VER_NT_SERVER:
                    case WindowsEdition.VER_NT_DOMAIN_CONTROLLER:
                        return null;
                    case WindowsEdition.VER_NT_WORKSTATION:
                        return "TRANSMIT_FILE is AUTO on a workstation edition of Windows (" + edition + "), which "
                                + "runs at most two TransmitFile operations at a time system-wide and queues the rest; "
                                + "set TRANSMIT_FILE to ALWAYS (or -D" + PROPERTY + "=always) to use it anyway";
                    default:
                        return "TRANSMIT_FILE is AUTO and the Windows edition is not known (" + edition + ")";
                }
        }
    }

    /** What {@link #copyReason} chose for the current edition, for the once-per-text debug log. */
    public static String transmitReason(TransmitFileMode mode, String edition) {
        return mode == TransmitFileMode.ALWAYS ? "TRANSMIT_FILE is ALWAYS (" + edition + ")"
                : "TRANSMIT_FILE is AUTO on a server edition of Windows (" + edition + ")";
    }
}
