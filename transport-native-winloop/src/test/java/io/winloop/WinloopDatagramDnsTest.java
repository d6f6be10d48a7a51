package io.winloop;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.dns.DatagramDnsQuery;
import io.netty.handler.codec.dns.DatagramDnsQueryDecoder;
import io.netty.handler.codec.dns.DatagramDnsResponse;
import io.netty.handler.codec.dns.DatagramDnsResponseEncoder;
import io.netty.handler.codec.dns.DefaultDnsRawRecord;
import io.netty.handler.codec.dns.DnsQuestion;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;
import io.netty.resolver.ResolvedAddressTypes;
import io.netty.resolver.dns.DnsNameResolver;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.SingletonDnsServerAddressStreamProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * A real user of WinloopDatagramChannel: Netty's DnsNameResolver, built with
 * {@code datagramChannelType(WinloopDatagramChannel.class)}, asks a small DNS responder on loopback (NIO,
 * netty-codec-dns) for A records.
 */
@Timeout(60)
class WinloopDatagramDnsTest {
    private static final byte[] ANSWER = {10, 1, 2, 3};

    /** Answers A queries for *.winloop.test with 10.1.2.3 and everything else with NXDOMAIN. */
    static final class Responder extends SimpleChannelInboundHandler<DatagramDnsQuery> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramDnsQuery query) {
            DnsQuestion question = query.recordAt(DnsSection.QUESTION);
            DatagramDnsResponse response = new DatagramDnsResponse(query.recipient(), query.sender(), query.id());
            response.setRecursionAvailable(true);
            response.addRecord(DnsSection.QUESTION, question);
            String name = question.name();
            if (question.type() == DnsRecordType.A && name.endsWith("winloop.test.")) {
                response.addRecord(DnsSection.ANSWER, new DefaultDnsRawRecord(name, DnsRecordType.A, 60,
                        Unpooled.wrappedBuffer(ANSWER)));
            } else if (!name.endsWith("winloop.test.")) {
                response.setCode(DnsResponseCode.NXDOMAIN);
            }
            ctx.writeAndFlush(response);
        }
    }

    private void resolve(InetAddress responderAddress, Class<? extends DatagramChannel> channelType)
            throws Exception {
        EventLoopGroup nio = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        EventLoopGroup winloop = new WinloopEventLoopGroup(1);
        try {
            Channel responder = new Bootstrap().group(nio).channel(NioDatagramChannel.class)
                    .handler(new ChannelInitializer<DatagramChannel>() {
                        @Override
                        protected void initChannel(DatagramChannel ch) {
                            ch.pipeline().addLast(new DatagramDnsQueryDecoder(), new DatagramDnsResponseEncoder(),
                                    new Responder());
                        }
                    }).bind(new InetSocketAddress(responderAddress, 0)).sync().channel();
            DnsNameResolver resolver = new DnsNameResolverBuilder(winloop.next())
                    .datagramChannelType(channelType)
                    .nameServerProvider(new SingletonDnsServerAddressStreamProvider(
                            (InetSocketAddress) responder.localAddress()))
                    .resolvedAddressTypes(ResolvedAddressTypes.IPV4_ONLY)
                    .queryTimeoutMillis(5000)
                    .maxQueriesPerResolve(2)
                    .recursionDesired(true)
                    .build();
            try {
                InetAddress resolved = resolver.resolve("www.winloop.test").get(20, TimeUnit.SECONDS);
                assertEquals(InetAddress.getByAddress(ANSWER), resolved);
                List<InetAddress> all = resolver.resolveAll("api.winloop.test").get(20, TimeUnit.SECONDS);
                assertEquals(1, all.size());
                assertEquals(InetAddress.getByAddress(ANSWER), all.get(0));
                Throwable missing = resolver.resolve("nowhere.example").await(20, TimeUnit.SECONDS)
                        ? resolver.resolve("nowhere.example").await().cause() : null;
                assertNotNull(missing, "resolving an unknown name did not finish");
                assertInstanceOf(UnknownHostException.class, missing);
            } finally {
                resolver.close();
                responder.close().sync();
            }
        } finally {
            winloop.shutdownGracefully(0, 5, TimeUnit.SECONDS).sync();
            nio.shutdownGracefully(0, 5, TimeUnit.SECONDS).sync();
        }
    }

    @Test
    void resolvesOverIPv4() throws Exception {
        resolve(InetAddress.getByName("127.0.0.1"), WinloopDatagramChannel.class);
    }

    @Test
    void resolvesOverIPv6() throws Exception {
        resolve(InetAddress.getByName("::1"), WinloopDatagramChannel.class);
    }
}
