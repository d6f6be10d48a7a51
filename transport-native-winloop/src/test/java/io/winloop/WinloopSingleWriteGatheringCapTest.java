package io.winloop;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A single write the socket took whole raises the cap of one gathering write, as NIO's
 * {@code NioSocketChannel.doWrite} does (Winloop does not lower it after a partial single write, as NIO does: see
 * AbstractWinloopStreamChannel.writeBytes): without it the cap stayed at twice SO_SNDBUF (Wine reports Linux's 16 KiB,
 * so 32 KiB) while each 64 KiB HTTP body went whole in one {@code send}, and every response took two Win32 calls
 * (a WSASend of its 82-byte head alone, then the body) where NIO gathered both into one (example/bench --http,
 * README "HTTP responses").
 */
class WinloopSingleWriteGatheringCapTest {
    @Test
    @Timeout(60)
    void aSingleWriteTheSocketTookWholeRaisesTheGatheringCap() throws Exception {
        writeOnceAndCheckTheCap(true);
    }

    /**
     * SO_SNDBUF is read at the first gathering write, not when the channel is made (a Win32 call that a connection
     * writing single buffers never needs): a raise by a single write before that read is kept, so the cap is the
     * same as if SO_SNDBUF had been read first.
     */
    @Test
    @Timeout(60)
    void aRaiseBeforeTheCapIsFirstReadIsKept() throws Exception {
        writeOnceAndCheckTheCap(false);
    }

    private static void writeOnceAndCheckTheCap(boolean readTheCapFirst) throws Exception {
        EventLoopGroup group = new WinloopEventLoopGroup(1);
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            WinloopSocketChannel client = (WinloopSocketChannel) new Bootstrap().group(group)
                    .channel(WinloopSocketChannel.class)
                    .handler(new ChannelInboundHandlerAdapter())
                    .connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort()))
                    .sync().channel();
            try (Socket peer = listener.accept()) {
                peer.setSoTimeout(10_000);
                // getSendBufferSize reads the socket's option itself; it does not read the cap.
                long twiceSendBuffer = 2L * client.config().getSendBufferSize();
                if (readTheCapFirst) {
                    long initialCap = client.eventLoop().submit(() -> client.maxBytesPerGatheringWrite()).get();
                    assertEquals(twiceSendBuffer, initialCap, "the first cap: twice SO_SNDBUF, as epoll and NIO start");
                }
                int size = (int) twiceSendBuffer;
                ByteBuf data = PooledByteBufAllocator.DEFAULT.directBuffer(size).writeZero(size);
                // Written and flushed on the loop, so that whether the flush's one send took it all is known at once.
                ChannelFuture[] write = new ChannelFuture[1];
                long cap = client.eventLoop().submit(() -> {
                    write[0] = client.writeAndFlush(data);
                    return client.maxBytesPerGatheringWrite();
                }).get();
                // A loopback socket takes twice its SO_SNDBUF in one nonblocking send under Wine and on Windows; if
                // one did not, the flush says nothing about the cap.
                assumeTrue(write[0].isDone(), "the socket took " + size + " bytes in one send");
                assertTrue(write[0].isSuccess(), () -> "the write failed: " + write[0].cause());
                assertEquals(2L * size, cap, "a single write of " + size + " bytes taken whole doubles the cap");

                InputStream in = peer.getInputStream();
                byte[] got = new byte[8192];
                long total = 0;
                while (total < size) {
                    int r = in.read(got);
                    assertTrue(r > 0, "the peer reads all " + size + " bytes");
                    total += r;
                }
                assertEquals(size, total);
            } finally {
                client.close().sync();
            }
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }
}
