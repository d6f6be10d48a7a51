package io.winloop;

import io.winloop.internal.win.Kernel32;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Proves the transport tests run inside a Windows JVM (natively or under Wine), never on the build host's JVM. */
class WindowsJvmGuardTest {
    @Test
    void runsInsideAWindowsJvm() {
        String os = System.getProperty("os.name");
        assertTrue(os.startsWith("Windows"), "tests must run in a Windows JVM, but os.name=" + os);
        assertNotEquals(0, Kernel32.GetCurrentProcessId(), "GetCurrentProcessId through JNA");
    }

    @Test
    void transportIsAvailable() {
        assertNull(Winloop.unavailabilityCause(), () -> "Winloop unavailable: " + Winloop.unavailabilityCause());
        assertTrue(Winloop.isAvailable());
        Winloop.ensureAvailability();
    }
}
