package io.winloop;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The stream read loop stops after a read that fills its buffer once such follow-up reads keep finding nothing
 * (requests exactly the buffer's size), and relies on the AFD poll to report what is still queued: here the
 * requests make it stop, then a stream many buffers long must still arrive whole and in order, and requests again.
 */
class WinloopFullReadTest {
    private static final int BUFFER = 1024;

    @Test
    @Timeout(60)
    void aStreamAfterBufferSizedRequestsArrivesWhole() throws Exception {
        byte[] stream = new byte[256 * 1024];
        new Random(7).nextBytes(stream);
        ByteBuf received = Unpooled.buffer();
        EventLoopGroup group = new WinloopEventLoopGroup(1);
        try {
            // Echoes the byte count received so far (4 bytes) whenever a read turn ends on a BUFFER boundary.
            Channel server = new ServerBootstrap().group(group).channel(WinloopServerSocketChannel.class)
                    .childOption(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(BUFFER))
                    .childHandler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            ByteBuf buf = (ByteBuf) msg;
                            synchronized (received) {
                                received.writeBytes(buf);
                            }
                            buf.release();
                        }

                        @Override
                        public void channelReadComplete(ChannelHandlerContext ctx) {
                            int total;
                            synchronized (received) {
                                total = received.readableBytes();
                            }
                            if (total % BUFFER == 0) {
                                ctx.writeAndFlush(ctx.alloc().buffer(4).writeInt(total));
                            }
                        }
                    }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
            try (Socket client = new Socket()) {
                client.setTcpNoDelay(true);
                client.setSoTimeout(30_000);
                client.connect(server.localAddress());
                OutputStream out = client.getOutputStream();
                DataInputStream in = new DataInputStream(client.getInputStream());
                int expected = 0;
                // Requests of exactly one buffer: each read fills it and a follow-up finds nothing.
                for (int i = 0; i < 40; i++) {
                    out.write(stream, 0, BUFFER);
                    expected += BUFFER;
                    assertEquals(expected, awaitCount(in, expected));
                }
                // A stream of 256 buffers in one go: whatever the loop skips, the poll must report.
                out.write(stream);
                expected += stream.length;
                assertEquals(expected, awaitCount(in, expected));
                // And requests again.
                for (int i = 0; i < 10; i++) {
                    out.write(stream, 0, BUFFER);
                    expected += BUFFER;
                    assertEquals(expected, awaitCount(in, expected));
                }
                byte[] streamed = new byte[stream.length];
                synchronized (received) {
                    received.getBytes(40 * BUFFER, streamed);
                }
                assertArrayEquals(stream, streamed);
            }
            server.close().sync();
        } finally {
            group.shutdownGracefully(0, 5, TimeUnit.SECONDS).sync();
            received.release();
        }
    }

    /** Reads the server's counts until one reaches {@code expected}. */
    private static int awaitCount(DataInputStream in, int expected) throws Exception {
        int count;
        do {
            count = in.readInt();
        } while (count < expected);
        return count;
    }
}
