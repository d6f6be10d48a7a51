package io.winloop.integration;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.resource.ExtendedKeepAliveSupport;
import io.lettuce.core.resource.NettyCustomizer;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.winloop.WinloopChannelOption;
import io.winloop.WinloopSocketChannel;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.resource.ClientResources;
import io.netty.channel.EventLoopGroup;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.SingletonDnsServerAddressStreamProvider;
import io.winloop.WinloopEventLoopGroup;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Lettuce against a real redis-server through {@link WinloopRedisClient}: the connection is on a Winloop loop
 * (which takes only Winloop channels), and Lettuce found the server by a name only the local DNS server knows, so
 * its resolver ran on WinloopDatagramChannel. The server's address comes from {@code winloop.redis.address}: the
 * build starts one on Linux (tools/redis-for-tests); on Windows pass {@code -Dwinloop.redis.address=host:port}.
 * Without it the test fails: a missing Redis must not pass as a skip.
 */
@Timeout(120)
class LettuceTest {

    static RedisURI redisUri(String host) {
        String address = System.getProperty("winloop.redis.address", "");
        if (address.isBlank() || address.contains("${")) {
            fail("No Redis server for the Lettuce tests. The one step: start a redis-server and name it, "
                    + "mvnw.cmd verify -Dwinloop.redis.address=127.0.0.1:6379 (docs/testing.md, \"Redis on "
                    + "Windows\"); off Windows the build starts one itself (tools/redis-for-tests)");
        }
        int colon = address.lastIndexOf(':');
        String addressHost = address.substring(0, colon);
        int port = Integer.parseInt(address.substring(colon + 1));
        try (Socket probe = new Socket()) {
            probe.connect(new InetSocketAddress(addressHost, port), 5_000);
        } catch (IOException e) {
            fail("No Redis server answers at " + address + " (-Dwinloop.redis.address): start redis-server there "
                    + "(docs/testing.md, \"Redis on Windows\"): " + e);
        }
        return RedisURI.builder().withHost(host == null ? addressHost : host).withPort(port)
                .withTimeout(Duration.ofSeconds(30)).build();
    }

    @Test
    void commandsThroughWinloop() throws Exception {
        String key = "winloop:" + System.getProperty("winloop.lane", "x") + ":" + UUID.randomUUID();
        Queue<Channel> channels = new ConcurrentLinkedQueue<>();
        try (LocalDnsServer dns = new LocalDnsServer()) {
            boolean loopback = "127.0.0.1".equals(redisUri(null).getHost());
            // redis.winloop.test resolves to 127.0.0.1: use the name when the server is there.
            RedisURI uri = redisUri(loopback ? "redis.winloop.test" : null);

            // As shown in the README ("Use it with...", Lettuce), with the local DNS server as name server.
            EventLoopGroup group = new WinloopEventLoopGroup(1);
            ClientResources resources = WinloopRedisClient.resources(group, new DnsNameResolverBuilder()
                            .nameServerProvider(new SingletonDnsServerAddressStreamProvider(dns.address())))
                    .nettyCustomizer(new NettyCustomizer() {   // the test's look at the channels Lettuce opens
                        @Override
                        public void afterChannelInitialized(Channel channel) {
                            channels.add(channel);
                        }
                    })
                    .build();
            RedisClient client = new WinloopRedisClient(resources, uri);
            boolean extendedKeepAlive = ExtendedKeepAliveSupport.isSupported();
            if (extendedKeepAlive) {
                // Lettuce takes keep-alive idle and interval only where the JDK offers them as NIO socket options
                // on this OS (lane B's JDK 25 does, lane A's JDK 17 does not, and there Lettuce refuses them with
                // "Extended TCP keepalive options could not be applied", on NIO as on Winloop). It passes them as
                // NioChannelOptions, which WinloopRedisClient carries over under Winloop's names.
                client.setOptions(ClientOptions.builder().socketOptions(SocketOptions.builder()
                        .keepAlive(SocketOptions.KeepAliveOptions.builder().enable().idle(Duration.ofSeconds(45))
                                .interval(Duration.ofSeconds(7)).count(3).build())
                        .build()).build());
            }
            try (StatefulRedisConnection<String, String> connection = client.connect()) {
                RedisCommands<String, String> sync = connection.sync();
                assertEquals("PONG", sync.ping());
                assertEquals(1, channels.size());
                Channel channel = channels.peek();
                assertInstanceOf(WinloopSocketChannel.class, channel);
                assertEquals(true, channel.config().getOption(ChannelOption.SO_KEEPALIVE));
                if (extendedKeepAlive) {
                    assertEquals(45, channel.config().getOption(WinloopChannelOption.TCP_KEEPIDLE));
                    assertEquals(7, channel.config().getOption(WinloopChannelOption.TCP_KEEPINTVL));
                }
                assertEquals("OK", sync.set(key, "value over winloop"));
                assertEquals("value over winloop", sync.get(key));

                // Pipelined: 2 000 commands written before the first answer is awaited.
                RedisAsyncCommands<String, String> async = connection.async();
                connection.setAutoFlushCommands(false);
                List<RedisFuture<?>> futures = new ArrayList<>();
                for (int i = 0; i < 1000; i++) {
                    futures.add(async.set(key + ":" + i, "v" + i));
                    futures.add(async.get(key + ":" + i));
                }
                connection.flushCommands();
                connection.setAutoFlushCommands(true);
                assertTrue(LettuceFutures.awaitAll(60, TimeUnit.SECONDS, futures.toArray(new RedisFuture[0])));
                for (int i = 0; i < 1000; i++) {
                    assertEquals("v" + i, futures.get(2 * i + 1).get());
                }
                List<String> keys = new ArrayList<>();
                keys.add(key);
                for (int i = 0; i < 1000; i++) {
                    keys.add(key + ":" + i);
                }
                assertEquals(1001L, sync.del(keys.toArray(new String[0])));
            } finally {
                client.shutdown(Duration.ZERO, Duration.ofSeconds(10));
                resources.shutdown(0, 10, TimeUnit.SECONDS).get();
                group.shutdownGracefully(0, 5, TimeUnit.SECONDS).sync();
            }
            if (loopback) {
                assertTrue(dns.answeredA() > 0, "Lettuce did not ask the local DNS server for redis.winloop.test");
            }
        }
    }
}
