package io.winloop.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapComboFactory;
import io.netty.testsuite.transport.socket.SocketRstTest;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import io.winloop.WinloopSocketChannel;
import io.winloop.internal.win.Wine;

import java.io.IOException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

public class WinloopSocketRstTest extends SocketRstTest {
    private static final InternalLogger logger = InternalLoggerFactory.getInstance(WinloopSocketRstTest.class);

    @Override
    protected List<BootstrapComboFactory<ServerBootstrap, Bootstrap>> newFactories() {
        return WinloopSocketTestPermutation.INSTANCE.socket();
    }

    /**
     * Under Wine 8.0 only, the Winloop-server × NIO-client permutation is skipped: Wine 8's recv() returns 0 (end of
     * stream) after the peer's RST instead of failing with WSAECONNRESET (main's commit "Report a reset connection
     * as WSAECONNRESET even where recv says end of stream", tools/probes/afd-states-probe.c). Winloop works around
     * it with AFD_POLL_ABORT; the JDK's NIO cannot, so its client sees a clean close and exceptionCaught never
     * fires (the test then fails with "cause is null"). The Winloop × Winloop and NIO-server × Winloop-client
     * permutations still prove that a Winloop server sends the RST and a Winloop client reports it. Wine 10.0's
     * recv() fails with WSAECONNRESET as Windows' does (the same probe), so there every permutation runs.
     */
    @Override
    public void testSoLingerZeroCausesOnlyRstOnClose(ServerBootstrap sb, Bootstrap cb) throws Throwable {
        if (Wine.isMajorVersion(8) && !WinloopSocketTestPermutation.isWinloop(cb.config().group())) {
            logger.info("Skipping the NIO client under Wine 8: its recv() reports a reset as end of stream");
            return;
        }
        super.testSoLingerZeroCausesOnlyRstOnClose(sb, cb);
    }

    /**
     * Like Epoll's override: a Winloop client must report the reset as the Winsock error itself. Winloop's
     * exceptions are IOException subclasses whose message names the error, e.g.
     * "recv failed: WSAECONNRESET (10054)"; the base class's locale-dependent "reset"/"closed" check would not
     * match that message, and NIO clients keep the base class's check.
     */
    @Override
    protected void assertRstOnCloseException(IOException cause, Channel clientChannel) {
        if (!(clientChannel instanceof WinloopSocketChannel)) {
            super.assertRstOnCloseException(cause, clientChannel);
            return;
        }
        String message = String.valueOf(cause.getMessage());
        assertTrue(message.contains("WSAECONNRESET (10054)"),
                "actual [type, message]: [" + cause.getClass() + ", " + cause.getMessage() + "]");
    }
}
