package io.winloop.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapComboFactory;
import io.netty.testsuite.transport.socket.SocketHalfClosedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Netty's {@code SocketHalfClosedTest} over a named pipe. A pipe has no half-close on the wire: the other end
 * learns that this one is done only when it closes, so {@code WinloopNamedPipeChannel.shutdownOutput()} fails with
 * UnsupportedOperationException (asserted by {@code WinloopNamedPipeTest.shutdownOutputIsRefusedClearly}). The
 * methods whose peer must see a half-close are therefore not run; what pipes do have, end of stream after all data
 * with and without ALLOW_HALF_CLOSURE, runs as Netty wrote it ({@link #testAllDataReadClosure}); the others are
 * skipped by {@link NeedsHalfClose}.
 */
@ExtendWith(WinloopNamedPipeHalfClosedTest.NeedsHalfClose.class)
public class WinloopNamedPipeHalfClosedTest extends SocketHalfClosedTest {
    private static final String NO_HALF_CLOSE = "named pipes have no half-close: shutdownOutput() is refused "
            + "(WinloopNamedPipeTest.shutdownOutputIsRefusedClearly), and this test needs the peer to see one";

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

    /**
     * Skips (as {@code @Disabled} would, with the reason) the inherited methods whose peer must see a half-close,
     * named here once instead of an overriding method each.
     */
    static final class NeedsHalfClose implements ExecutionCondition {
        private static final Set<String> METHODS = new HashSet<>(Arrays.asList(
                "testAllDataReadEventTriggeredAfterHalfClosure",
                "testHalfClosureReceiveDataOnFinalWait2StateWhenSoLingerSet",
                "testHalfClosureOnlyOneEventWhenAutoRead",
                "testAllDataReadAfterHalfClosure",
                "testAutoCloseFalseDoesShutdownOutput",
                "testShutdownOutputAllowsInboundReads"));

        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            return context.getTestMethod().map(Method::getName).filter(METHODS::contains)
                    .map(name -> ConditionEvaluationResult.disabled(NO_HALF_CLOSE))
                    .orElseGet(() -> ConditionEvaluationResult.enabled("needs no half-close"));
        }
    }
}
