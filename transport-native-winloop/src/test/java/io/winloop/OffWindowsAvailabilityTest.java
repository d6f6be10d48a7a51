package io.winloop;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Runs on the build host's (Linux) JVM: off Windows the transport must say, in words, why it is unavailable. */
@Tag("host-jvm")
class OffWindowsAvailabilityTest {
    @Test
    void unavailableOffWindowsWithReason() {
        String os = System.getProperty("os.name");
        assertFalse(os.startsWith("Windows"), "this test is for the non-Windows host JVM; os.name=" + os);
        assertFalse(Winloop.isAvailable());
        Throwable cause = Winloop.unavailabilityCause();
        assertEquals("Winloop requires Windows; os.name=" + os, cause.getMessage());
        UnsatisfiedLinkError error = assertThrows(UnsatisfiedLinkError.class, Winloop::ensureAvailability);
        assertSame(cause, error.getCause());
        assertTrue(error.getMessage().contains("requires Windows"), error.getMessage());
    }

    @Test
    void eventLoopGroupFailsAtOnceOffWindows() {
        UnsatisfiedLinkError error = assertThrows(UnsatisfiedLinkError.class, () -> new WinloopEventLoopGroup(1));
        assertTrue(error.getMessage().contains(Winloop.unavailabilityCause().getMessage()), error.getMessage());
    }

    @Test
    void eventLoopFactoryFailsAtOnceOffWindows() {
        UnsatisfiedLinkError error = assertThrows(UnsatisfiedLinkError.class, WinloopIoHandler::newFactory);
        assertTrue(error.getMessage().contains("requires Windows; os.name="), error.getMessage());
    }
}
