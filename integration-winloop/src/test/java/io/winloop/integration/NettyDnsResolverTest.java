package io.winloop.integration;

import io.netty.channel.EventLoopGroup;
import io.netty.resolver.ResolvedAddressTypes;
import io.netty.resolver.dns.DnsNameResolver;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.SingletonDnsServerAddressStreamProvider;
import io.winloop.WinloopDatagramChannel;
import io.winloop.WinloopEventLoopGroup;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Netty's DnsNameResolver on a Winloop loop and WinloopDatagramChannel (README "Use it with...", DNS). */
@Timeout(60)
class NettyDnsResolverTest {

    @Test
    void resolvesThroughWinloopDatagramChannel() throws Exception {
        EventLoopGroup group = new WinloopEventLoopGroup(1);
        try (LocalDnsServer dns = new LocalDnsServer()) {
            // As shown in the README ("Use it with...", DNS).
            DnsNameResolver resolver = new DnsNameResolverBuilder(group.next())
                    .datagramChannelType(WinloopDatagramChannel.class)
                    .nameServerProvider(new SingletonDnsServerAddressStreamProvider(dns.address()))
                    .resolvedAddressTypes(ResolvedAddressTypes.IPV4_ONLY)
                    .build();
            try {
                assertEquals(InetAddress.getByName("127.0.0.1"),
                        resolver.resolve("www.winloop.test").get(20, TimeUnit.SECONDS));
                List<InetAddress> all = resolver.resolveAll("api.winloop.test").get(20, TimeUnit.SECONDS);
                assertEquals(List.of(InetAddress.getByName("127.0.0.1")), all);
                assertEquals(2, dns.answeredA(), "A queries the local DNS server answered");

                io.netty.util.concurrent.Future<InetAddress> unknown = resolver.resolve("nowhere.invalid");
                assertTrue(unknown.await(20, TimeUnit.SECONDS), "resolving an unknown name did not finish");
                Throwable missing = unknown.cause();
                assertInstanceOf(UnknownHostException.class, missing);
                assertTrue(missing.getMessage().contains("nowhere.invalid"), missing.getMessage());
            } finally {
                resolver.close();
            }
        } finally {
            group.shutdownGracefully(0, 5, TimeUnit.SECONDS).sync();
        }
    }
}
