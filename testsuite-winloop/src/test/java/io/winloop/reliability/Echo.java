package io.winloop.reliability;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.winloop.EchoHandler;
import io.winloop.WinloopServerSocketChannel;

import java.net.InetSocketAddress;

/** A Winloop echo server for the reliability tests, with the tests' {@link EchoHandler}. */
final class Echo {
    private Echo() {
    }

    static Channel start(EventLoopGroup group, ByteBufAllocator allocator) throws InterruptedException {
        return new ServerBootstrap().group(group).channel(WinloopServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .childOption(ChannelOption.ALLOCATOR, allocator)
                .childHandler(EchoHandler.INSTANCE)
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
    }
}
