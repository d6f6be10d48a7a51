package io.winloop.reliability;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.winloop.WinloopServerSocketChannel;

import java.net.InetSocketAddress;

/** A Winloop echo server for the reliability tests. */
final class Echo {
    private Echo() {
    }

    @ChannelHandler.Sharable
    static final class EchoHandler extends ChannelInboundHandlerAdapter {
        static final EchoHandler INSTANCE = new EchoHandler();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.write(msg, ctx.voidPromise());
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close(); // a peer that resets is part of the tests; the server keeps serving the others
        }
    }

    static Channel start(EventLoopGroup group, ByteBufAllocator allocator) throws InterruptedException {
        return new ServerBootstrap().group(group).channel(WinloopServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .childOption(ChannelOption.ALLOCATOR, allocator)
                .childHandler(EchoHandler.INSTANCE)
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    }
}
