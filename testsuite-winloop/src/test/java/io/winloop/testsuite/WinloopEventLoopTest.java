package io.winloop.testsuite;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.testsuite.transport.AbstractSingleThreadEventLoopTest;
import io.winloop.WinloopEventLoopGroup;
import io.winloop.WinloopIoHandler;
import io.winloop.WinloopServerSocketChannel;

import java.util.concurrent.Executor;

/**
 * Modelled on Netty's EpollEventLoopTest and NioEventLoopTest. Winloop's loops are plain
 * {@code SingleThreadIoEventLoop}s, which count registrations but do not implement
 * {@code registeredChannelsIterator()}, so {@link #supportsChannelIteration()} keeps the base class's
 * {@code false} (the iterator tests are then skipped by assumption).
 */
public class WinloopEventLoopTest extends AbstractSingleThreadEventLoopTest {

    @Override
    protected EventLoopGroup newEventLoopGroup() {
        return new WinloopEventLoopGroup();
    }

    @Override
    protected EventLoopGroup newAutoScalingEventLoopGroup() {
        return new MultiThreadIoEventLoopGroup(SCALING_MAX_THREADS, (Executor) null, AUTO_SCALING_CHOOSER_FACTORY,
                WinloopIoHandler.newFactory());
    }

    @Override
    protected Channel newChannel() {
        return new WinloopServerSocketChannel();
    }

    @Override
    protected Class<? extends ServerChannel> serverChannelClass() {
        return WinloopServerSocketChannel.class;
    }
}
