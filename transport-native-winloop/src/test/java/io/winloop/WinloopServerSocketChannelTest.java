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

    /**
     * Port stealing: on Windows, Winsock's SO_REUSEADDR lets a second socket bind a port that is being listened on.
     * Netty servers often set SO_REUSEADDR out of Linux habit; Winloop binds exclusively (SO_EXCLUSIVEADDRUSE) by
     * default and only reports SO_REUSEADDR, as the JDK does, so a second server fails with WSAEADDRINUSE whatever
     * either side's SO_REUSEADDR says, Winloop's or NIO's.
     */
    @Test
    @Timeout(60)
    void secondServerCannotTakeTheListeningPortWhateverSoReuseAddrSays() throws Exception {
        EventLoopGroup group = new WinloopEventLoopGroup(1);
        io.netty.channel.EventLoopGroup nio = new io.netty.channel.MultiThreadIoEventLoopGroup(1,
                io.netty.channel.nio.NioIoHandler.newFactory());
        try {
            Channel first = new ServerBootstrap().group(group).channel(WinloopServerSocketChannel.class)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childHandler(new ChannelInboundHandlerAdapter())
                    .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
            assertTrue(first.config().getOption(ChannelOption.SO_REUSEADDR), "SO_REUSEADDR is reported as set");
            assertTrue(first.config().getOption(WinloopChannelOption.SO_EXCLUSIVEADDRUSE), "exclusive by default");
            InetSocketAddress taken = (InetSocketAddress) first.localAddress();

            Throwable winloop = new ServerBootstrap().group(group).channel(WinloopServerSocketChannel.class)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childHandler(new ChannelInboundHandlerAdapter())
                    .bind(taken).await().cause();
            assertTrue(winloop instanceof java.net.BindException, String.valueOf(winloop));
            assertTrue(winloop.getMessage().contains("WSAEADDRINUSE (10048)"), winloop.getMessage());

            Throwable viaNio = new ServerBootstrap().group(nio)
                    .channel(io.netty.channel.socket.nio.NioServerSocketChannel.class)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childHandler(new ChannelInboundHandlerAdapter())
                    .bind(taken).await().cause();
            assertTrue(viaNio instanceof java.net.BindException, String.valueOf(viaNio));

            // The first server still owns the port and still accepts.
            try (Socket client = new Socket()) {
                client.connect(taken, 5000);
            }
            first.close().sync();
        } finally {
            nio.shutdownGracefully(0, 5, TimeUnit.SECONDS).sync();
            group.shutdownGracefully(0, 5, TimeUnit.SECONDS).sync();
        }
    }
}
