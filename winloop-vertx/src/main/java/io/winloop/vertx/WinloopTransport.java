package io.winloop.vertx;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.InternetProtocolFamily;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.net.TcpConfig;
import io.vertx.core.net.TcpOption;
import io.vertx.core.spi.transport.Transport;
import io.winloop.Winloop;
import io.winloop.WinloopChannelOption;
import io.winloop.WinloopDatagramChannel;
import io.winloop.WinloopIoHandler;
import io.winloop.WinloopServerSocketChannel;
import io.winloop.WinloopSocketChannel;

import java.net.NetworkInterface;
import java.net.SocketException;

/**
 * Vert.x 5 on Winloop: {@code Vertx.builder().withTransport(WinloopTransport.WINLOOP).build()}. Event loops, TCP
 * and HTTP servers and clients, UDP sockets and the DNS resolver (Vert.x builds it on
 * {@link #datagramChannelFactory()}) all use Winloop's channels. It plugs in as Vert.x's own epoll and io_uring
 * transports do; Vert.x reports {@link #unavailabilityCause()} when Winloop cannot run (off Windows).
 *
 * <p>Unix domain sockets are not supported. Of Vert.x's TCP options, the keep-alive idle time and interval map to
 * Winloop's ({@code SIO_KEEPALIVE_VALS}); the Linux-only ones (TCP_QUICKACK, TCP_CORK, TCP_USER_TIMEOUT, TCP Fast
 * Open, the keep-alive probe count) are ignored, as on NIO.
 */
public final class WinloopTransport implements Transport {

    /**
     * What {@code VertxBuilder.withTransport(..)} takes, as Vert.x's own {@code Transport.EPOLL}: named "winloop",
     * available where {@link Winloop#isAvailable()}, implemented by a {@code WinloopTransport}.
     */
    public static final io.vertx.core.transport.Transport WINLOOP = new io.vertx.core.transport.Transport() {
        private final WinloopTransport implementation = new WinloopTransport();

        @Override
        public String name() {
            return "winloop";
        }

        @Override
        public boolean available() {
            return implementation.isAvailable();
        }

        @Override
        public Throwable unavailabilityCause() {
            return implementation.unavailabilityCause();
        }

        @Override
        public Transport implementation() {
            return implementation;
        }

        @Override
        public String toString() {
            return "winloop";
        }
    };

    @Override
    public boolean isAvailable() {
        return Winloop.isAvailable();
    }

    @Override
    public Throwable unavailabilityCause() {
        return Winloop.unavailabilityCause();
    }

    @Override
    public boolean supportsDomainSockets() {
        return false;
    }

    @Override
    public boolean supportFileRegion() {
        // Winloop writes a FileRegion with TransmitFile where the edition allows it and the socket's provider gives
        // it, and by copying through a buffer otherwise (TransmitFilePolicy): correct either way.
        return true;
    }

    @Override
    public IoHandlerFactory ioHandlerFactory() {
        return WinloopIoHandler.newFactory();
    }

    @Override
    @SuppressWarnings("deprecation")
    public DatagramChannel datagramChannel(InternetProtocolFamily family) {
        return new WinloopDatagramChannel(family);
    }

    @Override
    public ChannelFactory<? extends DatagramChannel> datagramChannelFactory() {
        return WinloopDatagramChannel::new;
    }

    @Override
    public ChannelFactory<? extends Channel> channelFactory(boolean domainSocket) {
        if (domainSocket) {
            throw noDomainSockets();
        }
        return WinloopSocketChannel::new;
    }

    @Override
    public ChannelFactory<? extends ServerChannel> serverChannelFactory(boolean domainSocket) {
        if (domainSocket) {
            throw noDomainSockets();
        }
        return WinloopServerSocketChannel::new;
    }

    private static IllegalArgumentException noDomainSockets() {
        return new IllegalArgumentException("Domain sockets are not supported by the Winloop transport");
    }

    @Override
    public void configure(DatagramChannel channel, DatagramSocketOptions options) {
        Transport.super.configure(channel, options);
        // Vert.x applies the multicast options only for its NIO transport; Winloop's datagram channel has them too.
        channel.config().setLoopbackModeDisabled(options.isLoopbackModeDisabled());
        if (options.getMulticastTimeToLive() != -1) {
            channel.config().setTimeToLive(options.getMulticastTimeToLive());
        }
        if (options.getMulticastNetworkInterface() != null) {
            try {
                channel.config().setNetworkInterface(
                        NetworkInterface.getByName(options.getMulticastNetworkInterface()));
            } catch (SocketException e) {
                throw new IllegalArgumentException(
                        "Could not find network interface with name " + options.getMulticastNetworkInterface(), e);
            }
        }
    }

    @Override
    public void configure(TcpConfig config, boolean domainSocket, Bootstrap bootstrap) {
        Integer idle = positive(config.getOption(TcpOption.KEEPIDLE));
        Integer interval = positive(config.getOption(TcpOption.KEEPINTVL));
        if (idle != null) {
            bootstrap.option(WinloopChannelOption.TCP_KEEPIDLE, idle);
        }
        if (interval != null) {
            bootstrap.option(WinloopChannelOption.TCP_KEEPINTVL, interval);
        }
        Transport.super.configure(config, domainSocket, bootstrap);
    }

    @Override
    public void configure(TcpConfig config, boolean domainSocket, ServerBootstrap bootstrap) {
        Integer idle = positive(config.getOption(TcpOption.KEEPIDLE));
        Integer interval = positive(config.getOption(TcpOption.KEEPINTVL));
        if (idle != null) {
            bootstrap.childOption(WinloopChannelOption.TCP_KEEPIDLE, idle);
        }
        if (interval != null) {
            bootstrap.childOption(WinloopChannelOption.TCP_KEEPINTVL, interval);
        }
        Transport.super.configure(config, domainSocket, bootstrap);
    }

    /** Vert.x leaves an option it was not given null or 0 (as its epoll transport treats it). */
    private static Integer positive(Integer value) {
        return value != null && value > 0 ? value : null;
    }
}
