package io.winloop.micronaut.internal;

import io.micronaut.context.BeanLocator;
import io.micronaut.context.annotation.BootstrapContextCompatible;
import io.micronaut.context.annotation.Primary;
import io.micronaut.context.annotation.Replaces;
import io.micronaut.context.annotation.Requires;
import io.micronaut.core.annotation.NonNull;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.netty.channel.DefaultEventLoopGroupConfiguration;
import io.micronaut.http.netty.channel.DefaultEventLoopGroupFactory;
import io.micronaut.http.netty.channel.EventLoopGroupConfiguration;
import io.micronaut.http.netty.channel.EventLoopGroupFactory;
import io.micronaut.http.netty.channel.NettyChannelType;
import io.micronaut.http.netty.channel.NioEventLoopGroupFactory;
import io.micronaut.http.netty.configuration.NettyGlobalConfiguration;
import io.micronaut.inject.qualifiers.Qualifiers;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.winloop.micronaut.WinloopEventLoopGroupFactory;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadFactory;

/**
 * Micronaut's {@link DefaultEventLoopGroupFactory}, which picks each event loop group's transport from its
 * {@code transport} list, with two additions, registered only where Winloop is available (elsewhere Micronaut's
 * own factory stays):
 * <ul>
 *   <li>{@code prefer-native-transport: true} without a {@code transport} list makes Micronaut try
 *       {@code io_uring, epoll, kqueue, nio}, a list fixed in Micronaut that cannot name Winloop; none of the first
 *       three runs on Windows, so it always ended at {@code nio}. Here Winloop ranks just before {@code nio} in that
 *       implied list. An explicit {@code transport} list is left as it is (name {@code winloop} in it to choose
 *       Winloop), and so is every group without {@code prefer-native-transport}.</li>
 *   <li>Micronaut's HTTP server takes its listener channel from the configured {@code default} group but, unless
 *       a parent group is configured, builds its parent (accepting) group from a fresh
 *       {@code new DefaultEventLoopGroupConfiguration()}, whose transport is always {@code nio}; a Winloop
 *       listener cannot register on a NIO loop ("incompatible event loop type"). Such a stand-in for the
 *       {@code default} group is answered here as the configured {@code default} group is, so the server's two
 *       groups share one transport.</li>
 * </ul>
 */
@Primary
@Singleton
@Replaces(DefaultEventLoopGroupFactory.class)
@Requires(condition = WinloopAvailableCondition.class)
@BootstrapContextCompatible
public class WinloopPreferringEventLoopGroupFactory extends DefaultEventLoopGroupFactory {
    /** The list Micronaut derives from prefer-native-transport alone, asked of Micronaut itself. */
    private static final List<String> IMPLIED_BY_PREFER_NATIVE = new DefaultEventLoopGroupConfiguration(
            "prefer-native-probe", 0, 1, null, true, null, null, null, null, false).getTransport();

    private final Map<String, EventLoopGroupFactory> factories;
    private final BeanLocator beans;
    /** The configured default group, looked up on first use (it does not exist yet at construction). */
    private volatile Optional<DefaultEventLoopGroupConfiguration> configuredDefault;

    @Inject
    public WinloopPreferringEventLoopGroupFactory(@NonNull Map<String, EventLoopGroupFactory> factories,
                                                  @Nullable NettyGlobalConfiguration nettyGlobalConfiguration,
                                                  BeanLocator beans) {
        super(factories, nettyGlobalConfiguration);
        this.factories = factories;
        this.beans = beans;
    }

    /**
     * The configured {@code default} group for a fresh stand-in of it, any other configuration as it is. Only the
     * transport is chosen from the answer; thread counts and the like are read by Micronaut from its own copy.
     */
    private @Nullable EventLoopGroupConfiguration configured(@Nullable EventLoopGroupConfiguration configuration) {
        if (configuration == null || configuration.getClass() != DefaultEventLoopGroupConfiguration.class
                || !EventLoopGroupConfiguration.DEFAULT.equals(configuration.getName())) {
            return configuration;
        }
        Optional<DefaultEventLoopGroupConfiguration> found = configuredDefault;
        if (found == null || found.isEmpty()) {
            found = beans.findBean(DefaultEventLoopGroupConfiguration.class,
                    Qualifiers.byName(EventLoopGroupConfiguration.DEFAULT));
            configuredDefault = found;
        }
        return found.isPresent() ? found.get() : configuration;
    }

    /**
     * Winloop when the group prefers a native transport through the implied list and none listed before
     * {@code nio} is available; null to let Micronaut choose.
     */
    private @Nullable EventLoopGroupFactory winloopIfPreferred(@Nullable EventLoopGroupConfiguration configuration) {
        if (configuration == null || !configuration.isPreferNativeTransport()) {
            return null;
        }
        List<String> transports = configuration.getTransport();
        if (!transports.equals(IMPLIED_BY_PREFER_NATIVE)) {
            return null;
        }
        for (String transport : transports) {
            if (NioEventLoopGroupFactory.NAME.equals(transport)) {
                return factories.get(WinloopEventLoopGroupFactory.NAME);
            }
            if (factories.containsKey(transport)) {
                return null;
            }
        }
        return null;
    }

    @Override
    public IoHandlerFactory createIoHandlerFactory(@NonNull EventLoopGroupConfiguration requested) {
        EventLoopGroupConfiguration configuration = configured(requested);
        EventLoopGroupFactory winloop = winloopIfPreferred(configuration);
        return winloop != null ? winloop.createIoHandlerFactory(configuration)
                : super.createIoHandlerFactory(configuration);
    }

    @Override
    @Deprecated
    public EventLoopGroup createEventLoopGroup(EventLoopGroupConfiguration requested, ThreadFactory threadFactory) {
        EventLoopGroupConfiguration configuration = configured(requested);
        EventLoopGroupFactory winloop = winloopIfPreferred(configuration);
        return winloop != null ? winloop.createEventLoopGroup(configuration, threadFactory)
                : super.createEventLoopGroup(configuration, threadFactory);
    }

    @Override
    public Class<? extends Channel> channelClass(NettyChannelType type,
                                                 @Nullable EventLoopGroupConfiguration requested) {
        EventLoopGroupConfiguration configuration = configured(requested);
        EventLoopGroupFactory winloop = winloopIfPreferred(configuration);
        return winloop != null ? winloop.channelClass(type, configuration) : super.channelClass(type, configuration);
    }

    @Override
    public Channel channelInstance(NettyChannelType type, @Nullable EventLoopGroupConfiguration requested) {
        EventLoopGroupConfiguration configuration = configured(requested);
        EventLoopGroupFactory winloop = winloopIfPreferred(configuration);
        return winloop != null ? winloop.channelInstance(type, configuration)
                : super.channelInstance(type, configuration);
    }

    @Override
    public Channel channelInstance(NettyChannelType type, EventLoopGroupConfiguration requested,
                                   Channel parent, int fd) {
        EventLoopGroupConfiguration configuration = configured(requested);
        EventLoopGroupFactory winloop = winloopIfPreferred(configuration);
        return winloop != null ? winloop.channelInstance(type, configuration, parent, fd)
                : super.channelInstance(type, configuration, parent, fd);
    }
}
