/*
 * Modelled on the domain socket part of Netty's EpollSocketTestPermutation (netty-transport-native-epoll
 * 4.2.17.Final, test sources), Apache License 2.0.
 */
package io.winloop.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapComboFactory;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapFactory;
import io.winloop.NamedPipeAddress;
import io.winloop.WinloopNamedPipeChannel;
import io.winloop.WinloopNamedPipeServerChannel;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Collections;
import java.util.List;

/**
 * Netty's socket testsuite over named pipes, the way Netty runs it over domain sockets: a Winloop pipe server and
 * a Winloop pipe client (no NIO side: the JDK has no pipe channel). Where Netty binds TCP servers to port 0 and
 * connects clients to the server channel's {@code localAddress()}, these bind to an ephemeral pipe address, so every
 * bind takes a fresh name, the second bind of one test method included ({@link PipeServerBootstrap} puts it where
 * Netty's tests give the port 0 address).
 */
final class WinloopNamedPipeTestPermutation {
    private WinloopNamedPipeTestPermutation() {
    }

    static List<BootstrapComboFactory<ServerBootstrap, Bootstrap>> namedPipe() {
        BootstrapFactory<ServerBootstrap> server = () -> new PipeServerBootstrap()
                .group(WinloopSocketTestPermutation.WINLOOP_GROUP)
                .channel(WinloopNamedPipeServerChannel.class);
        BootstrapFactory<Bootstrap> client = () -> new Bootstrap()
                .group(WinloopSocketTestPermutation.WINLOOP_GROUP)
                .channel(WinloopNamedPipeChannel.class);
        return Collections.singletonList(new BootstrapComboFactory<ServerBootstrap, Bootstrap>() {
            @Override
            public ServerBootstrap newServerInstance() {
                return server.newInstance();
            }

            @Override
            public Bootstrap newClientInstance() {
                return client.newInstance();
            }
        });
    }

    /** The pipe analog of port 0: each server bound to it gets a fresh name no other test (or process) uses. */
    static SocketAddress newNamedPipeAddress() {
        return NamedPipeAddress.ephemeral("winloop-testsuite-");
    }

    /**
     * A ServerBootstrap that takes an internet address for the pipe analog of port 0: Netty's
     * {@code AbstractSocketTest.configure} gives every server its {@code newSocketAddress()}, loopback port 0, and
     * this is what lets each pipe test class override only {@code newFactories()}, as the socket ones do, instead of
     * {@code newSocketAddress()} as well in every class. Any other address (a pipe's) is taken as it is.
     */
    private static final class PipeServerBootstrap extends ServerBootstrap {
        @Override
        public ServerBootstrap localAddress(SocketAddress localAddress) {
            return super.localAddress(localAddress instanceof InetSocketAddress ? newNamedPipeAddress() : localAddress);
        }
    }
}
