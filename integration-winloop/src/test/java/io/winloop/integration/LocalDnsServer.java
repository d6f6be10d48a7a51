package io.winloop.integration;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.handler.codec.dns.DatagramDnsQuery;
import io.netty.handler.codec.dns.DatagramDnsQueryDecoder;
import io.netty.handler.codec.dns.DatagramDnsResponse;
import io.netty.handler.codec.dns.DatagramDnsResponseEncoder;
import io.netty.handler.codec.dns.DefaultDnsRawRecord;
import io.netty.handler.codec.dns.DnsQuestion;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;
import io.winloop.WinloopDatagramChannel;
import io.winloop.WinloopEventLoopGroup;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A DNS server on loopback UDP, itself on Winloop: A queries for {@code *.winloop.test} get 127.0.0.1, other
 * queries under that zone get an empty answer, names outside it NXDOMAIN. Counts the A queries it answered, so a
 * test can tell that a client really asked it (and did not find the name elsewhere).
 */
final class LocalDnsServer implements AutoCloseable {
    static final String ZONE = "winloop.test";
    private static final byte[] LOOPBACK = {127, 0, 0, 1};

    private final EventLoopGroup group = new WinloopEventLoopGroup(1);
    private final AtomicInteger answeredA = new AtomicInteger();
    private final Channel channel;

    LocalDnsServer() throws InterruptedException {
        channel = new Bootstrap().group(group).channel(WinloopDatagramChannel.class)
                .handler(new ChannelInitializer<DatagramChannel>() {
                    @Override
                    protected void initChannel(DatagramChannel ch) {
                        ch.pipeline().addLast(new DatagramDnsQueryDecoder(), new DatagramDnsResponseEncoder(),
                                new Responder());
                    }
                }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    }

    InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    int answeredA() {
        return answeredA.get();
    }

    @Override
    public void close() throws InterruptedException {
        channel.close().sync();
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).sync();
    }

    private final class Responder extends SimpleChannelInboundHandler<DatagramDnsQuery> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramDnsQuery query) {
            DnsQuestion question = query.recordAt(DnsSection.QUESTION);
            DatagramDnsResponse response = new DatagramDnsResponse(query.recipient(), query.sender(), query.id());
            response.setRecursionDesired(query.isRecursionDesired());
            response.setRecursionAvailable(true);
            response.setAuthoritativeAnswer(true);
            response.addRecord(DnsSection.QUESTION, question);
            String name = question.name();
            boolean inZone = name.endsWith(ZONE + ".") || name.equals(ZONE + ".");
            if (!inZone) {
                response.setCode(DnsResponseCode.NXDOMAIN);
            } else if (question.type() == DnsRecordType.A) {
                response.addRecord(DnsSection.ANSWER, new DefaultDnsRawRecord(name, DnsRecordType.A, 60,
                        Unpooled.wrappedBuffer(LOOPBACK)));
                answeredA.incrementAndGet();
            }
            ctx.writeAndFlush(response);
        }
    }
}
