package io.winloop.micronaut.internal;

import io.micronaut.context.condition.Condition;
import io.micronaut.context.condition.ConditionContext;
import io.winloop.Winloop;

/**
 * Registers the Winloop beans only where the transport can run, as Micronaut's epoll factory asks
 * {@code Epoll.isAvailable()}. Off Windows the beans are absent and Micronaut keeps its own transports.
 */
public final class WinloopAvailableCondition implements Condition {
    @Override
    public boolean matches(ConditionContext context) {
        return Winloop.isAvailable();
    }
}
