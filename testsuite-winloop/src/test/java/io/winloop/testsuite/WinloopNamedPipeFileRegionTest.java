package io.winloop.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapComboFactory;
import io.netty.testsuite.transport.socket.SocketFileRegionTest;

import java.util.List;

/** Netty's {@code SocketFileRegionTest} over a named pipe (as Netty's epoll module runs it over a domain socket). */
public class WinloopNamedPipeFileRegionTest extends SocketFileRegionTest {
    @Override
    protected List<BootstrapComboFactory<ServerBootstrap, Bootstrap>> newFactories() {
        return WinloopNamedPipeTestPermutation.namedPipe();
    }
}
