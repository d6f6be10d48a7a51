package io.winloop.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapComboFactory;
import io.netty.testsuite.transport.socket.SocketHalfClosedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.TimeUnit;

public class WinloopSocketHalfClosedTest extends SocketHalfClosedTest {
    @Override
    protected List<BootstrapComboFactory<ServerBootstrap, Bootstrap>> newFactories() {
        return WinloopSocketTestPermutation.INSTANCE.socket();
    }

    /*
     * These two read 16 KiB one byte at a time, two reads per loop turn: 8 192 turns per run, and one test method
     * runs every permutation (3 transport pairs x 2 allocators x up to 4 option sets = 24 runs) inside Netty's
     * 20 s class timeout. Under Wine every Win32 call is a wineserver round trip, so one run takes 2.3-3.7 s for
     * Winloop and 2.3-3.3 s for NIO alike (measured 2026-11-22: 4 calls per turn, 2 recv + 1 poll + 1 wait, the
     * same count as NIO's wepoll selector). Under Wine 10.0 each call costs more: one permutation (4 option sets)
     * of testAllDataReadClosure took 28 s for Winloop/Winloop, 28 s for a Winloop server with a NIO client and 48 s
     * for a NIO server with a Winloop client (2026-11-23, JDK 25), so 6 permutations need up to ~5 minutes. The
     * behaviour under test is unchanged; only the time limit is raised.
     */
    @Test
    @Timeout(value = 420, unit = TimeUnit.SECONDS)
    @Override
    public void testAllDataReadClosure(TestInfo testInfo) throws Throwable {
        super.testAllDataReadClosure(testInfo);
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    @Override
    public void testAllDataReadAfterHalfClosure(TestInfo testInfo) throws Throwable {
        super.testAllDataReadAfterHalfClosure(testInfo);
    }
}
