package io.winloop.micronaut;

import io.micronaut.context.annotation.BootstrapContextCompatible;
import io.micronaut.context.annotation.Requires;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.netty.channel.EventLoopGroupConfiguration;
import io.micronaut.http.netty.channel.EventLoopGroupFactory;
import io.micronaut.http.netty.channel.NettyChannelType;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.winloop.WinloopDatagramChannel;
import io.winloop.WinloopEventLoopGroup;
import io.winloop.WinloopIoHandler;
import io.winloop.WinloopServerSocketChannel;
import io.winloop.WinloopSocketChannel;
import io.winloop.micronaut.internal.WinloopAvailableCondition;
import jakarta.inject.Named;
import jakarta.inject.Singleton;

import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;

/**
 * Micronaut's transport bean for Winloop, named {@value #NAME}, registered only where {@code Winloop.isAvailable()}
 * (Windows x64 with a working {@code \Device\Afd}). It is to Micronaut what its epoll, kqueue and io_uring
 * factories are: the event loops run {@link WinloopIoHandler}s and the server, client and datagram channels are
 * {@link WinloopServerSocketChannel}, {@link WinloopSocketChannel} and {@link WinloopDatagramChannel}.
 * <p>
 * Micronaut picks it in either of two ways (per event loop group, e.g. {@code default}):
 * <ul>
 *   <li>{@code micronaut.netty.event-loops.default.prefer-native-transport: true}: Micronaut's own native
 *       transports cannot run on Windows, so Winloop is the native one there (this module's replacement of
 *       Micronaut's {@code DefaultEventLoopGroupFactory} ranks it before {@code nio});</li>
 *   <li>{@code micronaut.netty.event-loops.default.transport: winloop,nio}: Micronaut's list of transports in order
 *       of preference, where {@code nio} is the fallback wherever Winloop is not available.</li>
 * </ul>
 * Unix domain sockets and channels adopted from a file descriptor are not supported: Windows' local IPC is named
 * pipes ({@code io.winloop.WinloopNamedPipeChannel}), and Windows sockets are handles, not descriptors.
 */
@Singleton
@Named(WinloopEventLoopGroupFactory.NAME)
@Requires(condition = WinloopAvailableCondition.class)
@BootstrapContextCompatible
public class WinloopEventLoopGroupFactory implements EventLoopGroupFactory {
    /** The transport's name in {@code micronaut.netty.event-loops.*.transport} and the bean's qualifier. */
    public static final String NAME = "winloop";

    @Override
    public boolean isNative() {
        return true;
    }

    @Override
    @SuppressWarnings("removal")
    public IoHandlerFactory createIoHandlerFactory() {
        return WinloopIoHandler.newFactory();
    }

    /** Winloop's handler factory; {@code io-ratio} has no meaning for a Netty 4.2 {@code IoHandler} and is ignored. */
    @Override
    public IoHandlerFactory createIoHandlerFactory(EventLoopGroupConfiguration configuration) {
        return WinloopIoHandler.newFactory();
    }

    @Override
    @Deprecated
    public EventLoopGroup createEventLoopGroup(int threads, Executor executor, @Nullable Integer ioRatio) {
        return new WinloopEventLoopGroup(threads, executor);
    }

    @Override
    @Deprecated
    public EventLoopGroup createEventLoopGroup(int threads, @Nullable ThreadFactory threadFactory,
                                              @Nullable Integer ioRatio) {
        return new WinloopEventLoopGroup(threads, threadFactory);
    }

    @Override
    public Class<? extends Channel> channelClass(NettyChannelType type) {
        switch (type) {
            case SERVER_SOCKET:
                return WinloopServerSocketChannel.class;
            case CLIENT_SOCKET:
                return WinloopSocketChannel.class;
            case DATAGRAM_SOCKET:
                return WinloopDatagramChannel.class;
            default:
                throw unsupported(type);
        }
    }

    @Override
    public Class<? extends Channel> channelClass(NettyChannelType type,
                                                 @Nullable EventLoopGroupConfiguration configuration) {
        return channelClass(type);
    }

    @Override
    public Channel channelInstance(NettyChannelType type, @Nullable EventLoopGroupConfiguration configuration) {
        switch (type) {
            case SERVER_SOCKET:
                return new WinloopServerSocketChannel();
            case CLIENT_SOCKET:
                return new WinloopSocketChannel();
            case DATAGRAM_SOCKET:
                return new WinloopDatagramChannel();
            default:
                throw unsupported(type);
        }
    }

    /** Always fails: Windows sockets are handles that a process cannot take over by number. */
    @Override
    public Channel channelInstance(NettyChannelType type, @Nullable EventLoopGroupConfiguration configuration,
                                   @Nullable Channel parent, int fd) {
        throw new UnsupportedOperationException("Winloop cannot create a " + type + " channel from file descriptor "
                + fd + ": Windows sockets are handles, not inherited descriptors; remove the listener's fd / "
                + "accepted-fd setting, or use the nio transport for this event loop group");
    }

    private static UnsupportedOperationException unsupported(NettyChannelType type) {
        if (type == NettyChannelType.DOMAIN_SOCKET || type == NettyChannelType.DOMAIN_SERVER_SOCKET) {
            return new UnsupportedOperationException("Winloop has no Unix domain sockets (" + type + "): Windows'"
                    + " local IPC is named pipes (io.winloop.WinloopNamedPipeServerChannel and"
                    + " WinloopNamedPipeChannel with a NamedPipeAddress); for a Micronaut UNIX listener use the nio"
                    + " transport for its event loop group (the JDK's AF_UNIX channels)");
        }
        return new UnsupportedOperationException("Winloop does not support the channel type " + type);
    }
}
