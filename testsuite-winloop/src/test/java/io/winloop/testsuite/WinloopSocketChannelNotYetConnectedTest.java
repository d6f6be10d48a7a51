package io.winloop.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapFactory;
import io.netty.testsuite.transport.socket.SocketChannelNotYetConnectedTest;
import io.winloop.WinloopServerSocketChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.CountDownLatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertFalse;

public class WinloopSocketChannelNotYetConnectedTest extends SocketChannelNotYetConnectedTest {
    @Override
    protected List<BootstrapFactory<Bootstrap>> newFactories() {
        return WinloopSocketTestPermutation.INSTANCE.clientSocket();
    }

    /**
     * Netty's {@code readMustBePendingUntilChannelIsActive} hard-codes a NIO server; this is the same test against
     * a Winloop server (on the shared Winloop group).
     */
    @Test
    @Timeout(30)
    public void readMustBePendingUntilChannelIsActiveWinloopServer(TestInfo info) throws Throwable {
        run(info, new Runner<Bootstrap>() {
            @Override
            public void run(Bootstrap bootstrap) throws Throwable {
                Channel serverChannel = new ServerBootstrap().group(WinloopSocketTestPermutation.WINLOOP_GROUP)
                        .childHandler(new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelActive(ChannelHandlerContext ctx) {
                                ctx.writeAndFlush(Unpooled.copyInt(42));
                            }
                        }).channel(WinloopServerSocketChannel.class).bind(0).sync().channel();
                try {
                    final CountDownLatch readLatch = new CountDownLatch(1);
                    bootstrap.handler(new ByteToMessageDecoder() {
                        @Override
                        public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
                            assertFalse(ctx.channel().isActive());
                            ctx.read();
                        }

                        @Override
                        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
                            assertThat(in.readableBytes()).isLessThanOrEqualTo(Integer.BYTES);
                            if (in.readableBytes() == Integer.BYTES) {
                                assertThat(in.readInt()).isEqualTo(42);
                                readLatch.countDown();
                            }
                        }
                    });
                    Channel clientChannel = bootstrap.connect(serverChannel.localAddress()).sync().channel();
                    readLatch.await();
                    clientChannel.close().sync();
                } finally {
                    serverChannel.close().sync();
                }
            }
        });
    }
}
