package io.winloop.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapComboFactory;
import io.netty.testsuite.transport.socket.SocketAutoReadTest;

import java.util.List;

/**
 * Netty's {@code SocketAutoReadTest} over a named pipe. Its one method binds the same ServerBootstrap twice, the second
 * time while the first server's accepted end (auto-read off, a byte left unread) still holds the first name, as a
 * pipe name stays taken while any instance of it is open. The ephemeral address gives each bind a fresh name, as port
 * 0 gives each TCP bind a fresh port ({@code WinloopNamedPipeTest.anEphemeralAddressBindsAFreshUnguessableNameEachTime}).
 */
public class WinloopNamedPipeAutoReadTest extends SocketAutoReadTest {
    @Override
    protected List<BootstrapComboFactory<ServerBootstrap, Bootstrap>> newFactories() {
        return WinloopNamedPipeTestPermutation.namedPipe();
    }
}
