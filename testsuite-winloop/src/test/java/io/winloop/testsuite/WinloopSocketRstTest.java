package io.winloop.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapComboFactory;
import io.netty.testsuite.transport.socket.SocketRstTest;
import io.winloop.WinloopSocketChannel;

import java.io.IOException;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

public class WinloopSocketRstTest extends SocketRstTest {
    @Override
    protected List<BootstrapComboFactory<ServerBootstrap, Bootstrap>> newFactories() {
        return WinloopSocketTestPermutation.INSTANCE.socket();
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
