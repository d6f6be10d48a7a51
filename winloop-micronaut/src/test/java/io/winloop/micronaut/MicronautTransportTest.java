package io.winloop.micronaut;

import io.micronaut.context.ApplicationContext;
import io.micronaut.http.client.HttpClient;
import io.micronaut.http.client.netty.NettyClientCustomizer;
import io.micronaut.http.netty.channel.EventLoopGroupFactory;
import io.micronaut.http.server.netty.NettyServerCustomizer;
import io.micronaut.runtime.server.EmbeddedServer;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.IoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.winloop.Winloop;
import io.winloop.WinloopIoHandler;
import io.winloop.WinloopServerSocketChannel;
import io.winloop.WinloopSocketChannel;
import io.winloop.micronaut.internal.WinloopPreferringEventLoopGroupFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A Micronaut 4 HTTP server and its HTTP client, one GET round trip each time, with the transport chosen by
 * configuration alone: {@code prefer-native-transport: true} (and {@code transport: winloop}) must put the
 * server's listener, its accepted connection and the client's connection on Winloop channels and loops; without
 * either, Micronaut's NIO default must stay. The channels are the ones Micronaut itself hands to its customizer
 * hooks.
 */
// Micronaut's start-up (class path scan, bean definitions) takes tens of seconds in the Windows JVM under Wine.
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class MicronautTransportTest {
    private static final String DEFAULT_GROUP = "micronaut.netty.event-loops.default.";

    @BeforeAll
    static void winloopRuns() {
        assertTrue(Winloop.isAvailable(), () -> "these tests must run in a Windows JVM where Winloop runs: "
                + Winloop.unavailabilityCause());
    }

    @Test
    void preferNativeTransportRunsServerAndClientOnWinloop() {
        ChannelRecorder channels = roundTrip(Map.of(DEFAULT_GROUP + "prefer-native-transport", true),
                WinloopIoHandler.class);
        assertChannels(channels, WinloopServerSocketChannel.class, WinloopSocketChannel.class,
                WinloopIoHandler.class);
    }

    @Test
    void transportListNamingWinloopRunsServerAndClientOnWinloop() {
        ChannelRecorder channels = roundTrip(Map.of(DEFAULT_GROUP + "transport", List.of("winloop", "nio")),
                WinloopIoHandler.class);
        assertChannels(channels, WinloopServerSocketChannel.class, WinloopSocketChannel.class,
                WinloopIoHandler.class);
    }

    /** A parent group configured for its size only follows the worker's transport (ServerParentLoopFollowsWorker). */
    @Test
    void serverParentGroupConfiguredWithoutTransportFollowsTheDefaultGroup() {
        ChannelRecorder channels = roundTrip(Map.of(DEFAULT_GROUP + "prefer-native-transport", true,
                "micronaut.server.netty.parent.threads", 1), WinloopIoHandler.class);
        assertChannels(channels, WinloopServerSocketChannel.class, WinloopSocketChannel.class,
                WinloopIoHandler.class);
    }

    @Test
    void withoutPreferNativeTransportNioStays() {
        ChannelRecorder channels = roundTrip(Map.of(DEFAULT_GROUP + "prefer-native-transport", false),
                NioIoHandler.class);
        assertChannels(channels, NioServerSocketChannel.class, NioSocketChannel.class, NioIoHandler.class);
    }

    /**
     * Starts the context, hooks the recorder into the server and the client, starts the server on a random
     * loopback port and GETs /hello through the client; checks the default event loop group's I/O type.
     */
    private static ChannelRecorder roundTrip(Map<String, Object> transportSettings,
                                             Class<? extends IoHandler> expectedIoType) {
        Map<String, Object> properties = new HashMap<>(transportSettings);
        properties.put("micronaut.server.host", "127.0.0.1");
        properties.put("micronaut.server.port", -1);
        ChannelRecorder channels = new ChannelRecorder();
        try (ApplicationContext context = ApplicationContext.run(properties)) {
            // The factory Micronaut's server and client ask: this module's replacement wherever Winloop runs.
            assertInstanceOf(WinloopPreferringEventLoopGroupFactory.class,
                    context.getBean(EventLoopGroupFactory.class));
            assertIoType(context.getBean(EventLoopGroup.class), expectedIoType, "the default event loop group");

            context.getBean(NettyServerCustomizer.Registry.class).register(channels.serverCustomizer);
            context.getBean(NettyClientCustomizer.Registry.class).register(channels.clientCustomizer);
            EmbeddedServer server = context.getBean(EmbeddedServer.class).start();
            try (HttpClient client = context.createBean(HttpClient.class, server.getURL())) {
                assertEquals(HelloController.GREETING, client.toBlocking().retrieve("/hello"));
            } finally {
                server.stop();
            }
        }
        return channels;
    }

    private static void assertChannels(ChannelRecorder channels, Class<?> serverChannelType,
                                       Class<?> connectionType, Class<? extends IoHandler> ioType) {
        assertFalse(channels.serverListeners.isEmpty(), "the server's listener was not seen");
        assertFalse(channels.serverConnections.isEmpty(), "no accepted connection was seen");
        assertFalse(channels.clientConnections.isEmpty(), "no client connection was seen");
        for (Channel listener : channels.serverListeners) {
            assertInstanceOf(serverChannelType, listener, "server listener");
            assertIoType(listener.eventLoop(), ioType, "the server listener's loop " + listener);
        }
        for (Channel connection : channels.serverConnections) {
            assertInstanceOf(connectionType, connection, "accepted connection");
            assertIoType(connection.eventLoop(), ioType, "the accepted connection's loop " + connection);
        }
        for (Channel connection : channels.clientConnections) {
            assertInstanceOf(connectionType, connection, "client connection");
            assertIoType(connection.eventLoop(), ioType, "the client connection's loop " + connection);
        }
    }

    private static void assertIoType(EventLoopGroup group, Class<? extends IoHandler> ioType, String what) {
        IoEventLoopGroup ioGroup = assertInstanceOf(IoEventLoopGroup.class, group, what);
        assertTrue(ioGroup.isIoType(ioType), () -> what + " does not run " + ioType.getSimpleName()
                + (ioGroup instanceof IoEventLoop ? " (a loop of " + ((IoEventLoop) ioGroup).parent() + ")" : ""));
    }
}
