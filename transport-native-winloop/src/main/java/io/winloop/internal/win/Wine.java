package io.winloop.internal.win;

import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;

/**
 * Whether this Windows process runs under Wine, and which version: Wine's ntdll exports {@code wine_get_version},
 * Windows' does not. Wine maps Winsock onto the host's sockets, so a few behaviours differ from Windows (see the
 * README's "Where Wine differs from Windows"); tests accept such a difference only under the Wine version that
 * shows it, and the test harness checks that each lane really runs the Wine it says.
 */
public final class Wine {
    private static final String VERSION = readVersion();

    private Wine() {
    }

    private static String readVersion() {
        try {
            Function getVersion = NativeLibrary.getInstance("ntdll").getFunction("wine_get_version");
            return getVersion.invokeString(new Object[0], false);
        } catch (UnsatisfiedLinkError | RuntimeException notWine) {
            return null;
        }
    }

    public static boolean isWine() {
        return VERSION != null;
    }

    /** Wine's version string (e.g. {@code "8.0"}, {@code "10.0"}), or null on Windows. */
    public static String version() {
        return VERSION;
    }

    /** True under Wine whose major version is {@code major}. */
    public static boolean isMajorVersion(int major) {
        return VERSION != null && (VERSION.equals(Integer.toString(major)) || VERSION.startsWith(major + "."));
    }
}
