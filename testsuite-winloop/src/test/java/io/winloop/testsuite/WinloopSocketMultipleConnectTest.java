package io.winloop.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapComboFactory;
import io.netty.testsuite.transport.socket.SocketMultipleConnectTest;

import java.util.ArrayList;
import java.util.List;

public class WinloopSocketMultipleConnectTest extends SocketMultipleConnectTest {
    /**
     * Netty's base class keeps only the combinations whose client runs on NIO (it asserts that a second connect
     * fails with AlreadyConnectedException, which OIO does not do). Like Epoll's override, keep the NIO clients
     * and add our own.
     */
    @Override
    protected List<BootstrapComboFactory<ServerBootstrap, Bootstrap>> newFactories() {
        List<BootstrapComboFactory<ServerBootstrap, Bootstrap>> factories = new ArrayList<>();
        for (BootstrapComboFactory<ServerBootstrap, Bootstrap> comboFactory
                : WinloopSocketTestPermutation.INSTANCE.socket()) {
            EventLoopGroup group = comboFactory.newClientInstance().config().group();
            if (WinloopSocketTestPermutation.isWinloop(group)
                    || group instanceof IoEventLoopGroup && ((IoEventLoopGroup) group).isIoType(NioIoHandler.class)) {
                factories.add(comboFactory);
            }
        }
        return factories;
    }
}
