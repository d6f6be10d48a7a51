package io.winloop;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * shutdownInput() stops reading and nothing else: the channel stays registered and nonblocking, even with
 * SO_LINGER set (it once went through prepareToClose(), which deregistered the channel and made its socket
 * blocking), and data the peer sends afterwards does not reset the connection (Winsock's SD_RECEIVE would: see
 * AbstractWinloopStreamChannel.shutdownInput0; under Wine, Linux's SHUT_RD never resets, so there only the first
 * half of this can fail).
 */
class WinloopSocketShutdownInputTest {
    @Test
    @Timeout(60)
    void shutdownInputKeepsTheConnectionWritableAndNeverResetsIt() throws Exception {
        EventLoopGroup group = new WinloopEventLoopGroup(1);
        try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            AtomicInteger readAfterShutdown = new AtomicInteger();
            WinloopSocketChannel client = (WinloopSocketChannel) new Bootstrap().group(group)
                    .channel(WinloopSocketChannel.class)
                    .option(ChannelOption.SO_LINGER, 5)
                    .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                    .handler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            if (((WinloopSocketChannel) ctx.channel()).isInputShutdown()) {
                                readAfterShutdown.incrementAndGet();
                            }
                            ReferenceCountUtil.release(msg);
                        }
                    })
                    .connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort()))
                    .sync().channel();
            try (Socket peer = listener.accept()) {
                peer.setSoTimeout(10_000);
                // From a foreign thread, as users do.
                io.netty.channel.ChannelFuture shutdown = client.shutdownInput();
                assertTrue(shutdown.await(5, TimeUnit.SECONDS), "shutdownInput completes");
                assertTrue(shutdown.isSuccess(), () -> "shutdownInput failed: " + shutdown.cause());
                assertTrue(client.shutdownInput().await().isSuccess(), "a second shutdownInput succeeds too");
                assertTrue(client.isInputShutdown());
                assertTrue(client.isRegistered(), "still registered on its loop");
                assertTrue(client.isOpen() && client.isActive());

                OutputStream toClient = peer.getOutputStream();
                toClient.write("after shutdownInput".getBytes(StandardCharsets.US_ASCII));
                toClient.flush();
                Thread.sleep(200);

                byte[] message = "still writable".getBytes(StandardCharsets.US_ASCII);
                client.writeAndFlush(Unpooled.wrappedBuffer(message)).sync();
                InputStream fromClient = peer.getInputStream();
                byte[] got = new byte[message.length];
                int n = 0;
                while (n < got.length) {
                    int r = fromClient.read(got, n, got.length - n);
                    assertTrue(r > 0, "the connection was not reset or closed");
                    n += r;
                }
                assertEquals(new String(message, StandardCharsets.US_ASCII),
                        new String(got, StandardCharsets.US_ASCII));
                assertEquals(0, readAfterShutdown.get(), "nothing read after shutdownInput");
                assertTrue(client.isActive());
            } finally {
                client.close().sync();
            }
        } finally {
            group.shutdownGracefully(0, 5, TimeUnit.SECONDS).sync();
        }
    }
}
