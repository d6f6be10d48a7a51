package io.winloop.spring.boot;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.winloop.Winloop;
import io.winloop.WinloopServerSocketChannel;
import io.winloop.WinloopSocketChannel;
import io.winloop.reactor.netty.WinloopLoopResources;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.client.ReactorResourceFactory;
import reactor.netty.resources.LoopResources;

import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real Spring Boot WebFlux application, started with {@code SpringApplication} in the Windows JVM, with this
 * module on its class path and nothing else of Winloop's configured: its server and its {@code WebClient} run on
 * Winloop, {@code winloop.enabled=false} or the application's own {@code ReactorResourceFactory} leaves Reactor
 * Netty's NIO, and closing the context ends the loops.
 * Spring Boot's startup under Wine takes seconds, hence the generous timeouts.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class WinloopSpringBootTest {
    private static final String LOOP_THREAD_PREFIX = WinloopReactorNettyAutoConfiguration.LOOP_PREFIX + "-winloop-";

    @BeforeAll
    static void winloopRunsHere() {
        // This class is about Windows: on any other JVM it must fail, not pass on Reactor's default.
        assertTrue(Winloop.isAvailable(), () -> "Winloop unavailable: " + Winloop.unavailabilityCause());
    }

    @Test
    void serverAndWebClientRunOnWinloop() {
        try (RunningApp app = RunningApp.start()) {
            ReactorResourceFactory factory = app.context.getBean(ReactorResourceFactory.class);
            assertFalse(factory.isUseGlobalResources());
            assertInstanceOf(WinloopLoopResources.class, factory.getLoopResources());

            app.roundTrip();

            assertEquals(List.of(WinloopServerSocketChannel.class), List.copyOf(app.recorder.serverChannels));
            assertOnly(WinloopSocketChannel.class, app.recorder.acceptedChannels, "accepted");
            assertOnly(WinloopSocketChannel.class, app.recorder.clientChannels, "client");
            assertEquals(2, app.recorder.handlerThreads.size(), app.recorder.handlerThreads.toString());
            for (String thread : app.recorder.handlerThreads) {
                assertTrue(thread.startsWith(LOOP_THREAD_PREFIX), "handler ran on " + thread);
            }
        }
    }

    @Test
    void disabledByPropertyLeavesReactorNettysDefault() {
        try (RunningApp app = RunningApp.start("--" + WinloopReactorNettyAutoConfiguration.ENABLED_PROPERTY + "=false")) {
            assertTrue(app.context.getBeansOfType(WinloopReactorNettyAutoConfiguration.class).isEmpty());
            // Boot's own factory: Reactor Netty's global resources, whose loops on Windows are NIO's.
            ReactorResourceFactory factory = app.context.getBean(ReactorResourceFactory.class);
            assertTrue(factory.isUseGlobalResources());
            assertFalse(factory.getLoopResources() instanceof WinloopLoopResources);

            app.roundTrip();

            assertEquals(List.of(NioServerSocketChannel.class), List.copyOf(app.recorder.serverChannels));
            assertOnly(NioSocketChannel.class, app.recorder.acceptedChannels, "accepted");
            assertOnly(NioSocketChannel.class, app.recorder.clientChannels, "client");
        }
    }

    @Test
    void theApplicationsOwnResourceFactoryWins() {
        try (RunningApp app = RunningApp.start(new Class<?>[] {OwnResourceFactory.class})) {
            // The auto-configuration's own conditions hold; its bean backs off (@ConditionalOnMissingBean).
            ReactorResourceFactory factory = app.context.getBean(ReactorResourceFactory.class);
            assertTrue(app.context.getBean(OwnResourceFactory.class).created == factory, "not the application's");

            app.roundTrip();

            // Spring's default loops for a non-global factory: Reactor Netty's, NIO on Windows.
            assertEquals(List.of(NioServerSocketChannel.class), List.copyOf(app.recorder.serverChannels));
            assertOnly(NioSocketChannel.class, app.recorder.clientChannels, "client");
        }
    }

    /** An application that configures its own Reactor resources, as Spring's documentation shows. */
    @Configuration(proxyBeanMethods = false)
    static class OwnResourceFactory {
        volatile ReactorResourceFactory created;

        @Bean
        ReactorResourceFactory reactorResourceFactory() {
            ReactorResourceFactory factory = new ReactorResourceFactory();
            factory.setUseGlobalResources(false);
            created = factory;
            return factory;
        }
    }

    @Test
    void closingTheContextDisposesTheLoops() throws InterruptedException {
        LoopResources loops;
        EventLoopGroup group;
        try (RunningApp app = RunningApp.start()) {
            app.roundTrip();
            loops = app.context.getBean(ReactorResourceFactory.class).getLoopResources();
            assertInstanceOf(WinloopLoopResources.class, loops);
            group = loops.onServer(true);   // the workers the server and the client ran on, created at start
            assertFalse(loopThreads().isEmpty(), "no " + LOOP_THREAD_PREFIX + "* thread while running");
        }
        // The factory's stop() blocks until the disposal is done, so the group is already terminated here.
        assertTrue(loops.isDisposed(), loops + " not disposed");
        assertTrue(group.isTerminated(), group + " not terminated");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!loopThreads().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(50);   // a terminated loop's thread may still be returning from run()
        }
        assertEquals(Set.of(), loopThreads());
    }

    private static Set<String> loopThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(name -> name.startsWith(LOOP_THREAD_PREFIX))
                .collect(Collectors.toSet());
    }

    private static void assertOnly(Class<?> expected, Collection<Class<?>> seen, String what) {
        assertFalse(seen.isEmpty(), "no " + what + " channel seen");
        for (Class<?> channelClass : seen) {
            assertEquals(expected, channelClass, what + " channels: " + seen);
        }
    }
}
