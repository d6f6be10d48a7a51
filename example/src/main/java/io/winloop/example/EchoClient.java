package io.winloop.example;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Echo ping-pong client: each of {@code --connections} connections sends a {@code --size}-byte message, waits for
 * all of it to come back, and sends the next, {@code --count} times; then it prints the round trips per second.
 *
 * <pre>
 * EchoClient [--transport winloop|nio] [--host 127.0.0.1] [--port 7007] [--threads 0]
 *            [--connections 1] [--size 64] [--count 1000]
 * </pre>
 */
public final class EchoClient {
    static final String USAGE = "usage: EchoClient [--transport winloop|nio] [--host 127.0.0.1] [--port 7007]"
            + " [--threads N] [--connections 1] [--size 64] [--count 1000 (messages per connection)]";

    private EchoClient() {
    }

    public static void main(String[] argv) throws Exception {
        Args args = new Args(argv, USAGE);
        Transport transport = Transport.parse(args.get("transport", "winloop"));
        String host = args.get("host", "127.0.0.1");
        int port = args.getInt("port", 7007);
        int connections = args.getInt("connections", 1);
        int size = args.getInt("size", 64);
        int count = args.getInt("count", 1000);

        EventLoopGroup group = transport.newGroup(args.getInt("threads", 0));
        try {
            byte[] payload = new byte[size];
            for (int i = 0; i < size; i++) {
                payload[i] = (byte) ('a' + i % 26);
            }
            CountDownLatch done = new CountDownLatch(connections);
            AtomicLong failures = new AtomicLong();
            Bootstrap b = new Bootstrap()
                    .group(group)
                    .channel(transport.socketChannel())
                    .option(ChannelOption.TCP_NODELAY, true)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new PingPong(payload, count, done, failures));
                        }
                    });
            long start = System.nanoTime();
            List<Channel> channels = new ArrayList<>();
            for (int i = 0; i < connections; i++) {
                channels.add(b.connect(host, port).sync().channel());
            }
            if (!done.await(10, TimeUnit.MINUTES)) {
                throw new IllegalStateException("timed out");
            }
            double secs = (System.nanoTime() - start) / 1e9;
            long total = (long) connections * count;
            System.out.printf("%s client: %d connections x %d messages of %d bytes in %.2f s: %.0f msgs/s, %.2f MB/s%s%n",
                    transport, connections, count, size, secs, total / secs, total * (double) size / secs / 1e6,
                    failures.get() == 0 ? "" : " (" + failures.get() + " connections failed)");
            for (Channel ch : channels) {
                ch.close();
            }
            if (failures.get() != 0) {
                System.exit(1);
            }
        } finally {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        }
    }

    private static final class PingPong extends ChannelInboundHandlerAdapter {
        private final byte[] payload;
        private final CountDownLatch done;
        private final AtomicLong failures;
        private int remaining;
        private int received;
        private boolean finished;

        PingPong(byte[] payload, int count, CountDownLatch done, AtomicLong failures) {
            this.payload = payload;
            this.remaining = count;
            this.done = done;
            this.failures = failures;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            send(ctx);
        }

        private void send(ChannelHandlerContext ctx) {
            remaining--;
            ctx.writeAndFlush(Unpooled.wrappedBuffer(payload), ctx.voidPromise());
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            received += buf.readableBytes();
            buf.release();
            if (received >= payload.length) {
                received -= payload.length;
                if (remaining > 0) {
                    send(ctx);
                } else {
                    finish();
                }
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (!finished) {
                failures.incrementAndGet();
                finish();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            System.err.println("connection failed: " + cause);
            ctx.close();
        }

        private void finish() {
            if (!finished) {
                finished = true;
                done.countDown();
            }
        }
    }
}
