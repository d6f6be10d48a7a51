package io.winloop.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapComboFactory;
import io.netty.testsuite.transport.socket.SocketConditionalWritabilityTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.TimeUnit;

public class WinloopSocketConditionalWritabilityTest extends SocketConditionalWritabilityTest {
    @Override
    protected List<BootstrapComboFactory<ServerBootstrap, Bootstrap>> newFactories() {
        return WinloopSocketTestPermutation.INSTANCE.socket();
    }

    /*
     * One test method sends 100 MiB in writes of at most 16 KiB through every permutation (3 transport pairs x 2
     * allocators = 600 MiB) inside Netty's 30 s limit. Under Wine every send, recv, poll and wait is a wineserver
     * round trip, so the method is bound by wineserver's CPU: 15.8 s on lane A with lane B running alongside (the
     * test command's usual load, 2026-11-30), and over 30 s (timed out) on a machine loaded with other Wine runs,
     * for this transport and for the one before issue 13 alike. The behaviour under test is unchanged; only the
     * time limit is raised.
     */
    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    @Override
    public void testConditionalWritability(TestInfo testInfo) throws Throwable {
        super.testConditionalWritability(testInfo);
    }
}
