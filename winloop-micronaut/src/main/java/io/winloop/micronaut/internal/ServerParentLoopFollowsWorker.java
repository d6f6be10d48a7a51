package io.winloop.micronaut.internal;

import io.micronaut.context.annotation.Requires;
import io.micronaut.context.env.Environment;
import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import io.micronaut.core.type.Argument;
import io.micronaut.http.netty.channel.EventLoopGroupConfiguration;
import io.micronaut.http.server.netty.configuration.NettyHttpServerConfiguration;
import jakarta.inject.Singleton;

import java.util.List;

/**
 * Gives Micronaut's HTTP server one transport. The server takes its listener channel from the worker's event loop
 * group ({@code micronaut.netty.event-loops.default}) but registers it on a separate parent group, configured under
 * {@code micronaut.server.netty.parent}, whose transport defaults to {@code nio}; a Winloop listener on a NIO loop
 * fails at start ("incompatible event loop type"). When the parent group's transport is not configured
 * ({@code prefer-native-transport} and {@code transport} both unset), it takes the worker group's settings, so the
 * one property on the default group moves the whole server. A parent configured explicitly is left as it is.
 */
@Singleton
@Requires(classes = NettyHttpServerConfiguration.class)
@Requires(condition = WinloopAvailableCondition.class)
public final class ServerParentLoopFollowsWorker
        implements BeanCreatedEventListener<NettyHttpServerConfiguration.Parent> {
    private static final String PARENT = "micronaut.server.netty.parent.";
    private static final String WORKER_GROUP = "micronaut.server.netty.worker.event-loop-group";

    private final Environment environment;

    public ServerParentLoopFollowsWorker(Environment environment) {
        this.environment = environment;
    }

    @Override
    public NettyHttpServerConfiguration.Parent onCreated(BeanCreatedEvent<NettyHttpServerConfiguration.Parent> event) {
        NettyHttpServerConfiguration.Parent parent = event.getBean();
        if (environment.containsProperty(PARENT + "prefer-native-transport")
                || environment.containsProperty(PARENT + "transport")) {
            return parent;
        }
        String workerGroup = environment.getProperty(WORKER_GROUP, String.class)
                .orElse(EventLoopGroupConfiguration.DEFAULT);
        String worker = EventLoopGroupConfiguration.EVENT_LOOPS + "." + workerGroup + ".";
        environment.getProperty(worker + "prefer-native-transport", Boolean.class)
                .ifPresent(parent::setPreferNativeTransport);
        environment.getProperty(worker + "transport", Argument.listOf(String.class))
                .ifPresent((List<String> transports) -> parent.setTransport(transports));
        return parent;
    }
}
