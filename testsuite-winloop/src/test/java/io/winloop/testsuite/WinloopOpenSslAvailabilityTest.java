package io.winloop.testsuite;

import io.netty.handler.ssl.OpenSsl;
import io.winloop.internal.win.Wine;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Netty's SSL tests skip their OpenSSL permutations (and Winloop's BoringSSL renegotiation case) when
 * {@link OpenSsl#isAvailable()} is false. That must happen only where it is meant to: under Wine 8.0, where the
 * build leaves netty-tcnative off the class path because its DLL kills the JVM there (Wine 8.0 has no
 * bcryptprimitives.dll: tools/probes/bcryptprimitives-probe.c, testsuite-winloop/pom.xml). Everywhere else
 * netty-tcnative's BoringSSL must load.
 */
class WinloopOpenSslAvailabilityTest {
    @Test
    void openSslRunsWhereverTheBuildPutsIt() {
        if (Wine.isMajorVersion(8)) {
            assertThrows(ClassNotFoundException.class,
                    () -> Class.forName("io.netty.internal.tcnative.SSL"),
                    "netty-tcnative is on the Wine 8.0 class path: its DLL crashes the JVM there");
            return;
        }
        assertNull(OpenSsl.unavailabilityCause(), () -> "OpenSSL unavailable: " + OpenSsl.unavailabilityCause());
        assertTrue(OpenSsl.versionString().startsWith("BoringSSL"), OpenSsl.versionString());
    }
}
