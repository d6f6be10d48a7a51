/*
 * Modelled on Netty's EpollSocketTestPermutation (netty-transport-native-epoll 4.2.17.Final, test sources),
 * Apache License 2.0.
 */
package io.winloop.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapComboFactory;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapFactory;
import io.netty.testsuite.transport.socket.SocketTestPermutation;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.winloop.WinloopDatagramChannel;
import io.winloop.WinloopIoHandler;
import io.winloop.WinloopServerSocketChannel;
import io.winloop.WinloopSocketChannel;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The bootstraps Netty's testsuite runs against: Winloop and NIO servers × Winloop and NIO clients, without
 * NIO × NIO (Netty tests that itself). Each combination then runs once per allocator of
 * {@code TestsuitePermutation.allocator()} (pooled and adaptive), which the testsuite's base classes do.
 * The Winloop factories always come first, so that dropping the last combination drops NIO × NIO.
 */
final class WinloopSocketTestPermutation extends SocketTestPermutation {

    static final WinloopSocketTestPermutation INSTANCE = new WinloopSocketTestPermutation();

    static final EventLoopGroup WINLOOP_GROUP = new MultiThreadIoEventLoopGroup(
            NUM_THREADS, new DefaultThreadFactory("testsuite-winloop", true), WinloopIoHandler.newFactory());

    private WinloopSocketTestPermutation() { }

    /** {@code true} if {@code group} is one of Winloop's (as opposed to NIO's) event loop groups. */
    static boolean isWinloop(EventLoopGroup group) {
        return group instanceof IoEventLoopGroup && ((IoEventLoopGroup) group).isIoType(WinloopIoHandler.class);
    }

    @Override
    public List<BootstrapComboFactory<ServerBootstrap, Bootstrap>> socket() {
        List<BootstrapComboFactory<ServerBootstrap, Bootstrap>> list = combo(serverSocket(), clientSocket());
        list.remove(list.size() - 1); // Exclude NIO x NIO
        return list;
    }

    /** Winloop has no TCP Fast Open (Windows offers it only through ConnectEx), so this is {@link #socket()}. */
    @Override
    public List<BootstrapComboFactory<ServerBootstrap, Bootstrap>> socketWithFastOpen() {
        return socket();
    }

    @Override
    public List<BootstrapFactory<ServerBootstrap>> serverSocket() {
        List<BootstrapFactory<ServerBootstrap>> toReturn = new ArrayList<>();
        toReturn.add(new BootstrapFactory<ServerBootstrap>() {
            @Override
            public ServerBootstrap newInstance() {
                return new ServerBootstrap().group(WINLOOP_GROUP).channel(WinloopServerSocketChannel.class);
            }
        });
        toReturn.add(new BootstrapFactory<ServerBootstrap>() {
            @Override
            public ServerBootstrap newInstance() {
                return new ServerBootstrap().group(NIO_GROUP).channel(NioServerSocketChannel.class);
            }
        });
        return toReturn;
    }

    @Override
    public List<BootstrapFactory<Bootstrap>> clientSocket() {
        List<BootstrapFactory<Bootstrap>> toReturn = new ArrayList<>();
        toReturn.add(new BootstrapFactory<Bootstrap>() {
            @Override
            public Bootstrap newInstance() {
                return new Bootstrap().group(WINLOOP_GROUP).channel(WinloopSocketChannel.class);
            }
        });
        toReturn.add(new BootstrapFactory<Bootstrap>() {
            @Override
            public Bootstrap newInstance() {
                return new Bootstrap().group(NIO_GROUP).channel(NioSocketChannel.class);
            }
        });
        return toReturn;
    }

    @Override
    public List<BootstrapFactory<Bootstrap>> clientSocketWithFastOpen() {
        return clientSocket();
    }

    @Override
    public List<BootstrapComboFactory<Bootstrap, Bootstrap>> datagram(final SocketProtocolFamily family) {
        List<BootstrapFactory<Bootstrap>> bfs = new ArrayList<>();
        bfs.add(winloopDatagramFactory(family));
        bfs.add(new BootstrapFactory<Bootstrap>() {
            @Override
            public Bootstrap newInstance() {
                return new Bootstrap().group(NIO_GROUP).channelFactory(new ChannelFactory<Channel>() {
                    @Override
                    public Channel newChannel() {
                        return new NioDatagramChannel(family);
                    }

                    @Override
                    public String toString() {
                        return NioDatagramChannel.class.getSimpleName() + ".class";
                    }
                });
            }
        });
        List<BootstrapComboFactory<Bootstrap, Bootstrap>> list = combo(bfs, bfs);
        list.remove(list.size() - 1); // Exclude NIO x NIO
        return list;
    }

    private static BootstrapFactory<Bootstrap> winloopDatagramFactory(final SocketProtocolFamily family) {
        return new BootstrapFactory<Bootstrap>() {
            @Override
            public Bootstrap newInstance() {
                return new Bootstrap().group(WINLOOP_GROUP).channelFactory(new ChannelFactory<Channel>() {
                    @Override
                    public Channel newChannel() {
                        return new WinloopDatagramChannel(family);
                    }

                    @Override
                    public String toString() {
                        return WinloopDatagramChannel.class.getSimpleName() + ".class";
                    }
                });
            }
        };
    }

    @Override
    public List<BootstrapFactory<Bootstrap>> datagramSocket() {
        return Collections.<BootstrapFactory<Bootstrap>>singletonList(new BootstrapFactory<Bootstrap>() {
            @Override
            public Bootstrap newInstance() {
                return new Bootstrap().group(WINLOOP_GROUP).channel(WinloopDatagramChannel.class);
            }
        });
    }

    /**
     * Whether {@code channel}'s disconnect() may fail for the NIO side's reason, not Winloop's: under Wine (8.0 and
     * 10.0), the JDK's DatagramChannel.disconnect() fails with "SocketException: Invalid argument: bind" (seen in
     * testSimpleSendWithConnect with a NIO client). JDK 17 hits JDK-8285515 (fixed in JDK 20), for which Netty's own
     * DatagramUnicastIPv6MappedTest makes the same exception; JDK 20+ (seen on JDK 25 under Wine 10.0) re-binds the
     * socket in DatagramChannelImpl.repairSocket() because Windows dissolves the local binding on disconnect, while
     * Wine keeps the Linux socket bound, so bind fails. The datagram unicast tests' disconnectMightFail() ask this.
     */
    static boolean nioDisconnectFailsUnderWine(io.netty.channel.socket.DatagramChannel channel) {
        return channel instanceof io.netty.channel.socket.nio.NioDatagramChannel
                && (io.winloop.internal.win.Wine.isMajorVersion(8) || io.winloop.internal.win.Wine.isMajorVersion(10));
    }
}
