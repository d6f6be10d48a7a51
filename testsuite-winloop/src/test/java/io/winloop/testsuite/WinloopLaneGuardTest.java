package io.winloop.testsuite;

import io.winloop.Winloop;
import io.winloop.internal.win.Wine;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Netty's testsuite proves nothing about Winloop unless it runs in a Windows JVM with the transport available, on
 * the Wine its lane names ({@code winloop.wine.version}, set by the harness; none on Windows).
 */
class WinloopLaneGuardTest {
    @Test
    void runsInAWindowsJvmOnTheLanesWine() {
        assertTrue(System.getProperty("os.name").startsWith("Windows"), System.getProperty("os.name"));
        assertEquals(System.getProperty("winloop.wine.version"), Wine.version());
        assertNull(Winloop.unavailabilityCause(), () -> "Winloop unavailable: " + Winloop.unavailabilityCause());
    }
}
