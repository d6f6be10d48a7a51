package io.winloop.spring.boot;

import io.winloop.reactor.netty.WinloopLoopResources;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigureOrder;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.reactor.netty.autoconfigure.ReactorNettyProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.Ordered;
import org.springframework.http.client.ReactorResourceFactory;

/**
 * Runs a Spring Boot application's Reactor Netty HTTP server and its {@code WebClient} on Winloop: on the class path
 * of a WebFlux application on Windows, it declares the {@link ReactorResourceFactory} both take their event loops
 * from, with {@link WinloopLoopResources} for loops.
 *
 * <p>Spring Boot's {@code NettyReactiveWebServerAutoConfiguration} (the server) and
 * {@code ReactiveHttpClientAutoConfiguration} (the {@code ClientHttpConnector} behind {@code WebClient.Builder})
 * declare their {@code ReactorResourceFactory} only when none exists; this configuration runs before both (first of
 * all auto-configurations, so before any other that looks for one), so they use this one. It backs off, leaving
 * Reactor Netty's default loops in place, when:
 * <ul>
 *   <li>{@code winloop.enabled=false};</li>
 *   <li>Winloop cannot run here ({@code io.winloop.Winloop.isAvailable()} is false: not Windows x64, or
 *       {@code -Dio.netty.transport.noNative=true}); the conditions report ({@code --debug}) gives the reason;</li>
 *   <li>the application declares its own {@code ReactorResourceFactory}.</li>
 * </ul>
 *
 * <p>The factory is Spring's non-global kind: it creates the loops when the context starts and disposes them
 * (threads {@value #LOOP_PREFIX}{@code -winloop-N}) when it closes, within
 * {@code spring.reactor.netty.shutdown-quiet-period} if set; its connection pool is Spring's default one for such a
 * factory. A Reactor Netty {@code HttpClient} that an application creates itself without {@code runOn(..)} keeps
 * Reactor Netty's global resources (NIO).
 */
@AutoConfiguration(beforeName = {
        "org.springframework.boot.reactor.netty.autoconfigure.NettyReactiveWebServerAutoConfiguration",
        "org.springframework.boot.http.client.autoconfigure.reactive.ReactiveHttpClientAutoConfiguration"})
@AutoConfigureOrder(Ordered.HIGHEST_PRECEDENCE)
@ConditionalOnClass(name = {
        "org.springframework.http.client.ReactorResourceFactory",
        "reactor.netty.resources.LoopResources",
        "org.springframework.boot.reactor.netty.autoconfigure.ReactorNettyProperties"})
@ConditionalOnProperty(name = WinloopReactorNettyAutoConfiguration.ENABLED_PROPERTY, havingValue = "true",
        matchIfMissing = true)
@Conditional(OnWinloopAvailableCondition.class)
@EnableConfigurationProperties(ReactorNettyProperties.class)
public final class WinloopReactorNettyAutoConfiguration {

    /** {@code false} turns this auto-configuration off; it is on when absent. */
    public static final String ENABLED_PROPERTY = "winloop.enabled";

    /** Spring's own prefix for the loops of a {@code ReactorResourceFactory}, so thread names stay familiar. */
    public static final String LOOP_PREFIX = "webflux-http";

    @Bean
    @ConditionalOnMissingBean
    ReactorResourceFactory reactorResourceFactory(ReactorNettyProperties properties) {
        ReactorResourceFactory factory = new ReactorResourceFactory();
        // Not global: the factory then creates the loops from the supplier at start and, having created them,
        // disposes them at stop (the context's close), as Boot's factory does with Reactor Netty's global ones.
        factory.setUseGlobalResources(false);
        factory.setLoopResourcesSupplier(() -> WinloopLoopResources.create(LOOP_PREFIX));
        if (properties.getShutdownQuietPeriod() != null) {
            factory.setShutdownQuietPeriod(properties.getShutdownQuietPeriod());
        }
        return factory;
    }
}
