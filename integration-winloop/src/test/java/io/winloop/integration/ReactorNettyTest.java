package io.winloop.integration;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.winloop.WinloopDatagramChannel;
import io.winloop.WinloopServerSocketChannel;
import io.winloop.WinloopSocketChannel;
import io.winloop.reactor.netty.WinloopLoopResources;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.DisposableServer;
import reactor.netty.http.HttpProtocol;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.server.HttpServer;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reactor Netty's HttpServer and HttpClient on {@link WinloopLoopResources}: HTTP/1.1 and h2c (prior knowledge),
 * GET and a 1 MiB POST echoed back, with every connection on a Winloop channel. This is the path Spring Boot
 * takes with a ReactorResourceFactory whose loop resources are Winloop's (README).
 */
@Timeout(120)
class ReactorNettyTest {
    private static LoopResources loops;
    /** The clients' own pool, closed before the loops (the global one would outlive them). */
    private static ConnectionProvider pool;
    private static DisposableServer server;
    private static final Queue<Channel> serverChannels = new ConcurrentLinkedQueue<>();

    @BeforeAll
    static void start() {
        // As shown in the README ("Use it with...", Reactor Netty).
        loops = WinloopLoopResources.create("winloop-http", 2, true);
        server = HttpServer.create()
                .host("127.0.0.1")
                .port(0)
                .protocol(HttpProtocol.HTTP11, HttpProtocol.H2C)
                .runOn(loops)
                .doOnChannelInit((observer, channel, remote) -> serverChannels.add(channel))
                .route(routes -> routes
                        .get("/hello", (request, response) -> response.sendString(Mono.just("hello from winloop")))
                        .post("/echo", (request, response) -> response.send(request.receive().retain())))
                .bindNow(Duration.ofSeconds(30));
        pool = ConnectionProvider.create("winloop-test-clients");
    }

    @AfterAll
    static void stop() {
        if (pool != null) {
            pool.disposeLater().block(Duration.ofSeconds(10));
        }
        if (server != null) {
            server.disposeNow(Duration.ofSeconds(10));
        }
        if (loops != null) {
            loops.disposeLater(Duration.ZERO, Duration.ofSeconds(10)).block();
        }
    }

    private static HttpClient client(HttpProtocol protocol, Queue<Channel> channels) {
        return HttpClient.create(pool)
                .runOn(loops)
                .protocol(protocol)
                .doOnChannelInit((observer, channel, remote) -> channels.add(channel))
                .baseUrl("http://127.0.0.1:" + server.port());
    }

    @ParameterizedTest
    @EnumSource(value = HttpProtocol.class, names = {"HTTP11", "H2C"})
    void getAndPostEcho(HttpProtocol protocol) {
        Queue<Channel> clientChannels = new ConcurrentLinkedQueue<>();
        HttpClient client = client(protocol, clientChannels);

        assertEquals("hello from winloop",
                client.get().uri("/hello").responseContent().aggregate().asString().block(Duration.ofSeconds(30)));

        byte[] body = new byte[1024 * 1024];
        for (int i = 0; i < body.length; i++) {
            body[i] = (byte) (i * 7 + (i >> 10));
        }
        byte[] echoed = client.post().uri("/echo").send(ByteBufFlux.fromInbound(Mono.just(body)))
                .responseSingle((response, content) -> {
                    assertEquals(200, response.status().code());
                    assertEquals(protocol == HttpProtocol.H2C ? "HTTP/2.0" : "HTTP/1.1",
                            response.version().text());
                    return content.asByteArray();
                })
                .block(Duration.ofSeconds(60));
        assertEquals(body.length, echoed.length);
        assertEquals(crc(body), crc(echoed));

        assertFalse(clientChannels.isEmpty());
        clientChannels.forEach(c -> assertInstanceOf(WinloopSocketChannel.class, c));
        assertFalse(serverChannels.isEmpty());
        serverChannels.forEach(c -> assertInstanceOf(WinloopSocketChannel.class, c));
        assertInstanceOf(WinloopServerSocketChannel.class, server.channel());
    }

    @Test
    void servesWinloopChannelClasses() {
        assertSame(WinloopSocketChannel.class, loops.onChannelClass(SocketChannel.class, loops.onClient(true)));
        assertSame(WinloopServerSocketChannel.class,
                loops.onChannelClass(ServerSocketChannel.class, loops.onServer(true)));
        assertSame(WinloopDatagramChannel.class, loops.onChannelClass(DatagramChannel.class, loops.onServer(true)));
        assertInstanceOf(WinloopDatagramChannel.class, loops.onChannel(DatagramChannel.class, loops.onClient(true)));
        IllegalArgumentException domain = assertThrows(IllegalArgumentException.class,
                () -> loops.onChannelClass(io.netty.channel.unix.DomainSocketChannel.class, loops.onServer(true)));
        assertTrue(domain.getMessage().contains("DomainSocketChannel"), domain.getMessage());
    }

    /** With a select count, a separate Winloop group accepts; disposal shuts both down and is final. */
    @Test
    void separateSelectGroupAndDisposal() {
        LoopResources resources = WinloopLoopResources.create("winloop-select", 1, 1, true);
        EventLoopGroup select = resources.onServerSelect(true);
        EventLoopGroup workers = resources.onServer(true);
        assertNotSame(select, workers);
        DisposableServer selectServer = HttpServer.create().host("127.0.0.1").port(0).runOn(resources)
                .handle((request, response) -> response.sendString(Mono.just("ok")))
                .bindNow(Duration.ofSeconds(30));
        try {
            assertSame(select, selectServer.channel().eventLoop().parent());
            assertEquals("ok", HttpClient.create(pool).runOn(resources).get()
                    .uri("http://127.0.0.1:" + selectServer.port() + "/").responseContent().aggregate().asString()
                    .block(Duration.ofSeconds(30)));
        } finally {
            selectServer.disposeNow(Duration.ofSeconds(10));
        }
        resources.disposeLater(Duration.ZERO, Duration.ofSeconds(10)).block(Duration.ofSeconds(20));
        assertTrue(resources.isDisposed());
        assertTrue(select.isTerminated());
        assertTrue(workers.isTerminated());
    }

    private static long crc(byte[] bytes) {
        CRC32 crc = new CRC32();
        crc.update(bytes);
        return crc.getValue();
    }

}
