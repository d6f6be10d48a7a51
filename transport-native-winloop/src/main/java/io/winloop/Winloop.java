package io.winloop;

import io.netty.util.internal.SystemPropertyUtil;
import io.winloop.internal.afd.AfdProbe;

/**
 * Tells whether the Winloop transport can run here, following Netty's {@code Epoll} class: it needs Windows x64,
 * JNA's dispatch library and a {@code \Device\Afd} handle that accepts IOCTL_AFD_POLL; it does not need
 * {@code sun.misc.Unsafe} (which Netty turns off by default on Java 25+). {@code -Dio.netty.transport.noNative=true}
 * turns it off.
 */
public final class Winloop {
    private static final Throwable UNAVAILABILITY_CAUSE = findCause();

    private Winloop() {
    }

    private static Throwable findCause() {
        if (SystemPropertyUtil.getBoolean("io.netty.transport.noNative", false)) {
            return new UnsupportedOperationException(
                    "Native transports are disabled by the system property io.netty.transport.noNative=true");
        }
        String os = SystemPropertyUtil.get("os.name", "");
        if (!os.startsWith("Windows")) {
            return new UnsupportedOperationException("Winloop requires Windows; os.name=" + os);
        }
        String arch = SystemPropertyUtil.get("os.arch", "");
        if (!"amd64".equals(arch) && !"x86_64".equals(arch)) {
            return new UnsupportedOperationException("Winloop requires a 64-bit x86 JVM; os.arch=" + arch);
        }
        try {
            AfdProbe.check();
            return null;
        } catch (Throwable t) {
            return t;
        }
    }

    /** True when the transport can be used on this JVM and OS. */
    public static boolean isAvailable() {
        return UNAVAILABILITY_CAUSE == null;
    }

    /**
     * Throws an {@link UnsatisfiedLinkError} carrying {@link #unavailabilityCause()} when the transport cannot run.
     */
    public static void ensureAvailability() {
        if (UNAVAILABILITY_CAUSE != null) {
            throw (Error) new UnsatisfiedLinkError("Winloop is not available: " + UNAVAILABILITY_CAUSE.getMessage())
                    .initCause(UNAVAILABILITY_CAUSE);
        }
    }

    /** Why the transport cannot run here, or null when it can. */
    public static Throwable unavailabilityCause() {
        return UNAVAILABILITY_CAUSE;
    }
}
