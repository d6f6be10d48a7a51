package io.winloop.integration;

import io.lettuce.core.ConnectionBuilder;
import io.lettuce.core.ConnectionEvents;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.EventLoopGroupProvider;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.BootstrapConfig;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.resolver.dns.DnsAddressResolverGroup;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.winloop.WinloopChannelOption;
import io.winloop.WinloopDatagramChannel;
import io.winloop.WinloopSocketChannel;
import reactor.core.publisher.Mono;

import java.net.SocketAddress;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Lettuce on Winloop (README, "Use it with...", Lettuce). Lettuce takes event loops from its
 * {@link EventLoopGroupProvider}, but picks the channel class itself from the transports it knows (NIO, epoll,
 * kqueue, io_uring) and sets it on its Bootstrap, which refuses a second one ("channelFactory set already"). So this
 * client lets Lettuce configure its Bootstrap, then moves that configuration onto one with
 * {@link WinloopSocketChannel}; {@link #resources} hands Lettuce the application's Winloop group and a DNS resolver
 * on {@link WinloopDatagramChannel} (Lettuce's default resolver uses NioDatagramChannel, which a Winloop loop does
 * not take).
 */
public class WinloopRedisClient extends RedisClient {

    public WinloopRedisClient(ClientResources resources, RedisURI uri) {
        super(resources, uri);
    }

    /**
     * Resources whose connections run on {@code group} (owned by the application: shut it down after Lettuce) and
     * resolve names with {@code dns} (e.g. {@code new DnsNameResolverBuilder()}) on {@link WinloopDatagramChannel}.
     * Add your own settings to the builder, then {@code build()}.
     */
    public static ClientResources.Builder resources(EventLoopGroup group, DnsNameResolverBuilder dns) {
        return ClientResources.builder()
                .eventLoopGroupProvider(new SharedGroup(group))
                .addressResolverGroup(new DnsAddressResolverGroup(dns.datagramChannelType(WinloopDatagramChannel.class)));
    }

    @Override
    @SuppressWarnings("unchecked")
    protected void connectionBuilder(Mono<SocketAddress> socketAddressSupplier, ConnectionBuilder builder,
                                     ConnectionEvents connectionEvents, RedisURI redisURI) {
        super.connectionBuilder(socketAddressSupplier, builder, connectionEvents, redisURI);
        BootstrapConfig lettuce = builder.bootstrap().config();
        Bootstrap winloop = new Bootstrap().group(lettuce.group()).channel(WinloopSocketChannel.class);
        if (lettuce.resolver() != null) {
            winloop.resolver(lettuce.resolver());
        }
        for (Map.Entry<ChannelOption<?>, Object> option : lettuce.options().entrySet()) {
            if (option.getKey() instanceof NioChannelOption) {
                keepAliveOption(winloop, option.getKey().name(), option.getValue());
            } else {
                winloop.option((ChannelOption<Object>) option.getKey(), option.getValue());
            }
        }
        for (Map.Entry<AttributeKey<?>, Object> attr : lettuce.attrs().entrySet()) {
            winloop.attr((AttributeKey<Object>) attr.getKey(), attr.getValue());
        }
        if (lettuce.handler() != null) {
            winloop.handler(lettuce.handler());
        }
        builder.bootstrap(winloop);
    }

    /**
     * Lettuce, believing it runs on NIO, passes its keep-alive settings as the JDK's extended socket options; Winloop
     * has the idle time and interval under its own names. Windows' {@code SIO_KEEPALIVE_VALS} has no probe count
     * (Windows sends 10), so TCP_KEEPCOUNT is left out.
     */
    private static void keepAliveOption(Bootstrap winloop, String name, Object value) {
        if ("TCP_KEEPIDLE".equals(name)) {
            winloop.option(WinloopChannelOption.TCP_KEEPIDLE, (Integer) value);
        } else if ("TCP_KEEPINTERVAL".equals(name)) {
            winloop.option(WinloopChannelOption.TCP_KEEPINTVL, (Integer) value);
        } else if (!"TCP_KEEPCOUNT".equals(name)) {
            throw new IllegalArgumentException("Lettuce set the NIO-only channel option " + name
                    + ", which WinloopRedisClient does not know how to carry over to Winloop");
        }
    }

    /** Serves one group for every group class Lettuce asks for; leaves shutting it down to its owner. */
    private static final class SharedGroup implements EventLoopGroupProvider {
        private final EventLoopGroup group;

        SharedGroup(EventLoopGroup group) {
            this.group = group;
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T extends EventLoopGroup> T allocate(Class<T> type) {
            return (T) group;
        }

        @Override
        public int threadPoolSize() {
            return group instanceof io.netty.util.concurrent.MultithreadEventExecutorGroup
                    ? ((io.netty.util.concurrent.MultithreadEventExecutorGroup) group).executorCount() : 1;
        }

        @Override
        public Future<Boolean> release(EventExecutorGroup eventLoopGroup, long quietPeriod, long timeout,
                                       TimeUnit unit) {
            return ImmediateEventExecutor.INSTANCE.newSucceededFuture(true);
        }

        @Override
        public Future<Boolean> shutdown(long quietPeriod, long timeout, TimeUnit timeUnit) {
            return ImmediateEventExecutor.INSTANCE.newSucceededFuture(true);
        }
    }
}
