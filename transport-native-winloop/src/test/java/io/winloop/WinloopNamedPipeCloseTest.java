package io.winloop;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Named pipes closing: either end closing with reads and writes in flight, end of stream with and without half-
 * closure, and the refused output shutdown. Runs in both {@link PipeLoops}; after each test the process's handles and
 * the transport's native blocks are back where they were.
 */
@ParameterizedClass
@EnumSource(PipeLoops.class)
class WinloopNamedPipeCloseTest extends AbstractNamedPipeTest {
    WinloopNamedPipeCloseTest(PipeLoops loops) {
        super(loops);
    }

    @Test
    @Timeout(60)
    void serverClosingWithReadsAndWritesInFlightClosesTheClient() throws Exception {
        NamedPipeAddress address = newAddress();
        Channel server = new ServerBootstrap().group(boss, workers).channel(WinloopNamedPipeServerChannel.class)
                .childHandler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        ((ByteBuf) msg).release();
                        // A big write the client never reads is in flight, and the next read is started before
                        // the loop runs its tasks: close then. The client has auto-read off and unread data, so it
                        // learns of the close from its writes still in flight; the server reads one 64 KiB chunk
                        // per loop turn, far from the 4 MiB the client sends. (A close 50 ms later let the server
                        // read all of them first on a fast machine, and the client then had nothing to fail.)
                        ctx.writeAndFlush(Unpooled.directBuffer(1024 * 1024).writeZero(1024 * 1024));
                        ctx.channel().eventLoop().execute(ctx::close);
                    }
                }).bind(address).sync().channel();
        Channel client = new Bootstrap().group(workers).channel(WinloopNamedPipeChannel.class)
                .option(ChannelOption.AUTO_READ, false)
                .handler(new ChannelInboundHandlerAdapter()).connect(address).sync().channel();
        List<ChannelFuture> writes = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            writes.add(client.writeAndFlush(Unpooled.directBuffer(64 * 1024).writeZero(64 * 1024)));
        }
        client.read();
        assertTrue(client.closeFuture().await(20, TimeUnit.SECONDS), "the client sees the server's close");
        for (ChannelFuture write : writes) {
            assertTrue(write.await(10, TimeUnit.SECONDS));
        }
        assertFalse(writes.get(writes.size() - 1).isSuccess(), "writes after the close fail");
        server.close().sync();
    }

    @Test
    @Timeout(60)
    void clientClosingWithWritesInFlightClosesTheServerEnd() throws Exception {
        NamedPipeAddress address = newAddress();
        BlockingQueue<Channel> accepted = new LinkedBlockingQueue<>();
        Channel server = new ServerBootstrap().group(boss, workers).channel(WinloopNamedPipeServerChannel.class)
                .childHandler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelActive(ChannelHandlerContext ctx) {
                        accepted.add(ctx.channel());
                        // More than the pipe holds: writes stay in flight while the client does not read.
                        for (int i = 0; i < 32; i++) {
                            ctx.writeAndFlush(Unpooled.directBuffer(64 * 1024).writeZero(64 * 1024));
                        }
                    }
                }).bind(address).sync().channel();
        Channel client = new Bootstrap().group(workers).channel(WinloopNamedPipeChannel.class)
                .option(ChannelOption.AUTO_READ, false)
                .handler(new ChannelInboundHandlerAdapter()).connect(address).sync().channel();
        Channel child = accepted.poll(10, TimeUnit.SECONDS);
        Thread.sleep(200);
        client.close().sync();
        assertTrue(child.closeFuture().await(20, TimeUnit.SECONDS), "the server end closes");
        server.close().sync();
    }

    @Test
    @Timeout(60)
    void endOfStreamWithHalfClosureFiresInputShutdownAndStaysOpen() throws Exception {
        NamedPipeAddress address = newAddress();
        BlockingQueue<Object> events = new LinkedBlockingQueue<>();
        BlockingQueue<Channel> accepted = new LinkedBlockingQueue<>();
        Channel server = new ServerBootstrap().group(boss, workers).channel(WinloopNamedPipeServerChannel.class)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelActive(ChannelHandlerContext ctx) {
                        accepted.add(ctx.channel());
                    }

                    @Override
                    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                        events.add(evt);
                    }
                }).bind(address).sync().channel();
        Channel client = client(address, new ChannelInboundHandlerAdapter());
        Channel child = accepted.poll(10, TimeUnit.SECONDS);
        client.close().sync();
        assertEquals(ChannelInputShutdownEvent.INSTANCE, events.poll(10, TimeUnit.SECONDS));
        assertEquals(ChannelInputShutdownReadComplete.INSTANCE, events.poll(10, TimeUnit.SECONDS));
        assertTrue(child.isOpen());
        assertTrue(((WinloopNamedPipeChannel) child).isInputShutdown());
        Throwable cause = child.writeAndFlush(Unpooled.wrappedBuffer(new byte[1])).await().cause();
        assertTrue(cause != null && cause.getMessage().contains("ERROR_NO_DATA (232)"), String.valueOf(cause));
        child.close().sync();
        server.close().sync();
    }

    @Test
    @Timeout(30)
    void shutdownOutputIsRefusedClearly() throws Exception {
        NamedPipeAddress address = newAddress();
        Channel server = echoServer(address);
        WinloopNamedPipeChannel client = (WinloopNamedPipeChannel) client(address, new ChannelInboundHandlerAdapter());
        Throwable cause = client.shutdownOutput().await().cause();
        assertInstanceOf(UnsupportedOperationException.class, cause);
        assertTrue(cause.getMessage().contains("no half-close"), cause.getMessage());
        assertTrue(client.isActive());
        client.close().sync();
        server.close().sync();
    }
}
