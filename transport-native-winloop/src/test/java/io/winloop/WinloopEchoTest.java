package io.winloop;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetSocketAddress;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** End-to-end echo through WinloopServerSocketChannel and WinloopSocketChannel on one WinloopEventLoopGroup. */
class WinloopEchoTest {
    @Test
    @Timeout(60)
    void echoesOneMegabyte() throws Exception {
        byte[] data = new byte[1024 * 1024];
        new Random(42).nextBytes(data);
        EventLoopGroup group = new WinloopEventLoopGroup(2);
        try {
            Channel server = new ServerBootstrap().group(group).channel(WinloopServerSocketChannel.class)
                    .childHandler(EchoHandler.INSTANCE)
                    .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
            ByteBuf received = Unpooled.buffer(data.length);
            CompletableFuture<Void> done = new CompletableFuture<>();
            Channel client = new Bootstrap().group(group).channel(WinloopSocketChannel.class)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new SimpleChannelInboundHandler<ByteBuf>() {
                                @Override
                                protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
                                    received.writeBytes(msg);
                                    if (received.readableBytes() == data.length) {
                                        done.complete(null);
                                    }
                                }

                                @Override
                                public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                    done.completeExceptionally(cause);
                                }
                            });
                        }
                    }).connect(server.localAddress()).sync().channel();
            assertEquals(server.localAddress(), client.remoteAddress());
            for (int i = 0; i < data.length; i += 8192) {
                client.write(Unpooled.wrappedBuffer(data, i, 8192));
            }
            client.flush();
            done.get(30, TimeUnit.SECONDS);
            byte[] echoed = new byte[data.length];
            received.readBytes(echoed);
            assertArrayEquals(data, echoed);
            client.close().sync();
            server.close().sync();
        } finally {
            group.shutdownGracefully(0, 5, TimeUnit.SECONDS).sync();
        }
    }
}
