package io.winloop.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapComboFactory;
import io.netty.testsuite.transport.socket.SocketHalfClosedTest;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

import java.net.SocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Netty's {@code SocketHalfClosedTest} over a named pipe. A pipe has no half-close on the wire: the other end
 * learns that this one is done only when it closes, so {@code WinloopNamedPipeChannel.shutdownOutput()} fails with
 * UnsupportedOperationException (asserted by {@code WinloopNamedPipeTest.shutdownOutputIsRefusedClearly}). The
 * methods whose peer must see a half-close are therefore not run; what pipes do have, end of stream after all data
 * with and without ALLOW_HALF_CLOSURE, runs as Netty wrote it ({@link #testAllDataReadClosure}).
 */
public class WinloopNamedPipeHalfClosedTest extends SocketHalfClosedTest {
    private static final String NO_HALF_CLOSE = "named pipes have no half-close: shutdownOutput() is refused "
            + "(WinloopNamedPipeTest.shutdownOutputIsRefusedClearly), and this test needs the peer to see one";

    @Override
    protected SocketAddress newSocketAddress() {
        return WinloopNamedPipeTestPermutation.newNamedPipeAddress();
    }

    @Override
    protected List<BootstrapComboFactory<ServerBootstrap, Bootstrap>> newFactories() {
        return WinloopNamedPipeTestPermutation.namedPipe();
    }

    /**
     * Reads 16 KiB one byte at a time (one ReadFile completion per byte, each a wineserver round trip under Wine),
     * four option sets per allocator: Netty's 20 s class limit is for Linux; see WinloopSocketHalfClosedTest.
     */
    @Test
    @Timeout(value = 420, unit = TimeUnit.SECONDS)
    @Override
    public void testAllDataReadClosure(TestInfo testInfo) throws Throwable {
        super.testAllDataReadClosure(testInfo);
    }

    @Test
    @Disabled(NO_HALF_CLOSE)
    @Override
    public void testAllDataReadEventTriggeredAfterHalfClosure(TestInfo testInfo) throws Throwable {
        super.testAllDataReadEventTriggeredAfterHalfClosure(testInfo);
    }

    @Test
    @Disabled(NO_HALF_CLOSE)
    @Override
    public void testHalfClosureReceiveDataOnFinalWait2StateWhenSoLingerSet(TestInfo testInfo) throws Throwable {
        super.testHalfClosureReceiveDataOnFinalWait2StateWhenSoLingerSet(testInfo);
    }

    @Test
    @Disabled(NO_HALF_CLOSE)
    @Override
    public void testHalfClosureOnlyOneEventWhenAutoRead(TestInfo testInfo) throws Throwable {
        super.testHalfClosureOnlyOneEventWhenAutoRead(testInfo);
    }

    @Test
    @Disabled(NO_HALF_CLOSE)
    @Override
    public void testAllDataReadAfterHalfClosure(TestInfo testInfo) throws Throwable {
        super.testAllDataReadAfterHalfClosure(testInfo);
    }

    @Test
    @Disabled(NO_HALF_CLOSE)
    @Override
    public void testAutoCloseFalseDoesShutdownOutput(TestInfo testInfo) throws Throwable {
        super.testAutoCloseFalseDoesShutdownOutput(testInfo);
    }
}
