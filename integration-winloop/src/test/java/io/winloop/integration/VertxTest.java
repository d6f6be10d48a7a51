package io.winloop.integration;

import io.netty.channel.IoEventLoopGroup;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.dns.AddressResolverOptions;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.internal.VertxInternal;
import io.winloop.WinloopIoHandle;
import io.winloop.vertx.WinloopTransport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Vert.x 5 on {@link WinloopTransport}: an HTTP server and client (the client reaches the server by a name that
 * only the local DNS server knows, so Vert.x's resolver runs on Winloop's datagram channel too), a UDP round trip,
 * and Vert.x's DNS client. Every channel Vert.x opens registers on a Winloop loop, which accepts only Winloop
 * channels, so a test that passes ran on Winloop.
 */
@Timeout(120)
class VertxTest {
    private static LocalDnsServer dns;
    private static Vertx vertx;

    @BeforeAll
    static void start() throws Exception {
        dns = new LocalDnsServer();
        String nameServer = "127.0.0.1:" + dns.address().getPort();
        // As shown in the README ("Use it with...", Vert.x), plus a name server that knows *.winloop.test.
        vertx = Vertx.builder()
                .with(new VertxOptions().setAddressResolverOptions(
                        new AddressResolverOptions().setServers(List.of(nameServer)).setQueryTimeout(5000)))
                .withTransport(WinloopTransport.WINLOOP)
                .build();
    }

    @AfterAll
    static void stop() throws Exception {
        if (vertx != null) {
            await(vertx.close());
        }
        if (dns != null) {
            dns.close();
        }
    }

    static <T> T await(Future<T> future) throws Exception {
        return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    @Test
    void runsOnWinloopLoops() {
        assertTrue(vertx.isNativeTransportEnabled(), "Vert.x did not take the Winloop transport");
        IoEventLoopGroup loops = assertInstanceOf(IoEventLoopGroup.class,
                ((VertxInternal) vertx).nettyEventLoopGroup());
        assertTrue(loops.isCompatible(WinloopIoHandle.class), "Vert.x's event loops are not Winloop's");
    }

    @Test
    void httpServerAndClient() throws Exception {
        HttpServer server = await(vertx.createHttpServer()
                .requestHandler(request -> request.body().onSuccess(body -> request.response()
                        .putHeader("x-method", request.method().name())
                        .end(body)))
                .listen(0, "127.0.0.1"));
        HttpClientAgent client = vertx.createHttpClient();
        try {
            int answeredBefore = dns.answeredA();
            byte[] body = new byte[256 * 1024];
            for (int i = 0; i < body.length; i++) {
                body[i] = (byte) (i * 13 + (i >> 8));
            }
            for (int round = 0; round < 3; round++) {
                Buffer echoed = await(client.request(HttpMethod.POST, server.actualPort(), "app.winloop.test", "/echo")
                        .compose(request -> request.send(Buffer.buffer(body)))
                        .compose(response -> {
                            assertEquals(200, response.statusCode());
                            assertEquals("POST", response.getHeader("x-method"));
                            return response.body();
                        }));
                assertEquals(body.length, echoed.length());
                assertEquals(crc(body), crc(echoed.getBytes()));
            }
            assertTrue(dns.answeredA() > answeredBefore,
                    "Vert.x did not ask the local DNS server for app.winloop.test");
        } finally {
            await(client.close());
            await(server.close());
        }
    }

    @Test
    void udpRoundTrip() throws Exception {
        DatagramSocket echo = vertx.createDatagramSocket(new DatagramSocketOptions());
        DatagramSocket sender = vertx.createDatagramSocket(new DatagramSocketOptions());
        try {
            await(echo.listen(0, "127.0.0.1"));
            echo.handler(packet -> echo.send(Buffer.buffer("pong:").appendBuffer(packet.data()),
                    packet.sender().port(), packet.sender().host()));
            Promise<String> reply = Promise.promise();
            await(sender.listen(0, "127.0.0.1"));
            sender.handler(packet -> reply.tryComplete(packet.data().toString()));
            await(sender.send("ping", echo.localAddress().port(), "127.0.0.1"));
            assertEquals("pong:ping", await(reply.future()));
        } finally {
            await(sender.close());
            await(echo.close());
        }
    }

    @Test
    void dnsClient() throws Exception {
        String address = await(vertx.createDnsClient(dns.address().getPort(), "127.0.0.1")
                .lookup4("www.winloop.test"));
        assertEquals("127.0.0.1", address);
    }

    private static long crc(byte[] bytes) {
        CRC32 crc = new CRC32();
        crc.update(bytes);
        return crc.getValue();
    }
}
