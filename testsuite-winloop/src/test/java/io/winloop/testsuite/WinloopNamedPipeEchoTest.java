package io.winloop.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapComboFactory;
import io.netty.testsuite.transport.socket.SocketEchoTest;

import java.util.List;

/** Netty's {@code SocketEchoTest} over a named pipe (as Netty's epoll module runs it over a domain socket). */
public class WinloopNamedPipeEchoTest extends SocketEchoTest {
    @Override
    protected List<BootstrapComboFactory<ServerBootstrap, Bootstrap>> newFactories() {
        return WinloopNamedPipeTestPermutation.namedPipe();
    }
}
