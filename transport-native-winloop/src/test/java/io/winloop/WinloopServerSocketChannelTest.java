package io.winloop;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WinloopServerSocketChannelTest {
    /**
     * Connections waiting in the backlog are all taken in one read loop (up to MAX_MESSAGES_PER_READ), not one per
     * readiness event: that would cost a poll round trip per accepted connection.
     */
    @Test
    @Timeout(60)
    void oneReadinessEventAcceptsEveryPendingConnection() throws Exception {
        EventLoopGroup group = new WinloopEventLoopGroup(1);
        List<Socket> clients = new ArrayList<>();
        try {
            AtomicInteger accepted = new AtomicInteger();
            AtomicInteger readLoops = new AtomicInteger();
            CountDownLatch all = new CountDownLatch(10);
            Channel server = new ServerBootstrap().group(group).channel(WinloopServerSocketChannel.class)
                    .option(ChannelOption.AUTO_READ, false)
                    .handler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            accepted.incrementAndGet();
                            all.countDown();
                            ((Channel) msg).unsafe().closeForcibly();
                        }

                        @Override
                        public void channelReadComplete(ChannelHandlerContext ctx) {
                            readLoops.incrementAndGet();
                        }
                    })
                    .childHandler(new ChannelInboundHandlerAdapter())
                    .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
            for (int i = 0; i < 10; i++) {
                Socket client = new Socket();
                client.connect(server.localAddress()); // completes in the backlog: the server is not reading
                clients.add(client);
            }
            server.config().setAutoRead(true);
            assertTrue(all.await(20, TimeUnit.SECONDS));
            server.eventLoop().submit(() -> { }).sync(); // the read loop that accepted them has completed
            assertEquals(10, accepted.get());
            assertEquals(1, readLoops.get(), "read loops needed to accept 10 pending connections");
            server.close().sync();
        } finally {
            for (Socket client : clients) {
                client.close();
            }
            group.shutdownGracefully(0, 5, TimeUnit.SECONDS).sync();
        }
    }
}
