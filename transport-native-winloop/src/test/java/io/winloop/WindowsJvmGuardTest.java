package io.winloop;

import io.winloop.internal.win.Kernel32;
import io.winloop.internal.win.Wine;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
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

    /**
     * The test harness names each lane's Wine in {@code winloop.wine.version} (so every report says which lane
     * produced it); the JVM must really run on that Wine (ntdll's wine_get_version), and on Windows on none.
     */
    @Test
    void runsOnTheWineItsLaneNames() {
        assertEquals(System.getProperty("winloop.wine.version"), Wine.version(),
                "winloop.wine.version (set by the harness) vs wine_get_version() (measured)");
    }

    @Test
    void transportIsAvailable() {
        assertNull(Winloop.unavailabilityCause(), () -> "Winloop unavailable: " + Winloop.unavailabilityCause());
        assertTrue(Winloop.isAvailable());
        Winloop.ensureAvailability();
    }
}
