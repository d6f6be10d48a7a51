package io.winloop.internal.win;

import com.sun.jna.NativeLibrary;

/**
 * Tells whether this Windows process runs under Wine (its ntdll exports {@code wine_get_version}; Windows' does
 * not). The transport behaves the same either way; tests use it to assert Wine's documented differences.
 */
public final class Wine {
    private static final boolean WINE = detect();

    private Wine() {
    }

    private static boolean detect() {
        try {
            NativeLibrary.getInstance("ntdll").getFunction("wine_get_version");
            return true;
        } catch (UnsatisfiedLinkError e) {
            return false;
        }
    }

    public static boolean isWine() {
        return WINE;
    }
}
