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
import io.netty.channel.WriteBufferWaterMark;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Named pipes end to end, the data path: echo, many clients, integrity, write order, backpressure, auto-read. Runs in
 * both {@link PipeLoops}; after each test the process's handles and the transport's native blocks are back where they
 * were.
 */
@ParameterizedClass
@EnumSource(PipeLoops.class)
class WinloopNamedPipeTest extends AbstractNamedPipeTest {
    WinloopNamedPipeTest(PipeLoops loops) {
        super(loops);
    }

    @Test
    @Timeout(60)
    void echoesOneMegabyte() throws Exception {
        NamedPipeAddress address = newAddress();
        Channel server = echoServer(address);
        byte[] data = new byte[1024 * 1024];
        new Random(1).nextBytes(data);
        Collector collector = new Collector(data.length);
        Channel client = client(address, collector);
        assertEquals(address, client.remoteAddress());
        client.writeAndFlush(Unpooled.wrappedBuffer(data));
        assertArrayEquals(data, collector.done.get(30, TimeUnit.SECONDS));
        client.close().sync();
        server.close().sync();
    }

    @Test
    @Timeout(120)
    void manyConcurrentClientsMoreThanListeningInstances() throws Exception {
        NamedPipeAddress address = newAddress();
        Channel server = new ServerBootstrap().group(boss, workers).channel(WinloopNamedPipeServerChannel.class)
                .option(WinloopChannelOption.PIPE_INSTANCES, 2).childHandler(new Echo()).bind(address).sync()
                .channel();
        int clients = 40;
        List<ChannelFuture> connects = new ArrayList<>();
        List<Collector> collectors = new ArrayList<>();
        Bootstrap bootstrap = new Bootstrap().group(workers).channel(WinloopNamedPipeChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 30_000);
        for (int i = 0; i < clients; i++) {
            Collector collector = new Collector(4096);
            collectors.add(collector);
            connects.add(bootstrap.clone().handler(collector).connect(address));
        }
        for (int i = 0; i < clients; i++) {
            Channel ch = connects.get(i).sync().channel();
            byte[] data = new byte[4096];
            new Random(i).nextBytes(data);
            ch.writeAndFlush(Unpooled.wrappedBuffer(data));
            assertArrayEquals(data, collectors.get(i).done.get(60, TimeUnit.SECONDS), "client " + i);
        }
        for (ChannelFuture f : connects) {
            f.channel().close().sync();
        }
        server.close().sync();
    }

    @Test
    @Timeout(180)
    void largeTransferKeepsLengthAndCrc() throws Exception {
        NamedPipeAddress address = newAddress();
        long total = 64L * 1024 * 1024;
        AtomicLong serverBytes = new AtomicLong();
        CRC32 serverCrc = new CRC32();
        CompletableFuture<Void> serverDone = new CompletableFuture<>();
        Channel server = new ServerBootstrap().group(boss, workers).channel(WinloopNamedPipeServerChannel.class)
                .childHandler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        ByteBuf buf = (ByteBuf) msg;
                        byte[] bytes = new byte[buf.readableBytes()];
                        buf.getBytes(buf.readerIndex(), bytes);
                        serverCrc.update(bytes);
                        if (serverBytes.addAndGet(bytes.length) == total) {
                            serverDone.complete(null);
                        }
                        ctx.write(msg);
                    }

                    @Override
                    public void channelReadComplete(ChannelHandlerContext ctx) {
                        ctx.flush();
                    }
                }).bind(address).sync().channel();
        AtomicLong echoed = new AtomicLong();
        CRC32 echoCrc = new CRC32();
        CompletableFuture<Void> echoDone = new CompletableFuture<>();
        Channel client = client(address, new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                ByteBuf buf = (ByteBuf) msg;
                byte[] bytes = new byte[buf.readableBytes()];
                buf.readBytes(bytes);
                buf.release();
                echoCrc.update(bytes);
                if (echoed.addAndGet(bytes.length) == total) {
                    echoDone.complete(null);
                }
            }
        });
        CRC32 sentCrc = new CRC32();
        Random random = new Random(7);
        long sent = 0;
        while (sent < total) {
            int size = (int) Math.min(total - sent, 1 + random.nextInt(64 * 1024));
            byte[] chunk = new byte[size];
            random.nextBytes(chunk);
            sentCrc.update(chunk);
            sent += size;
            ChannelFuture write = client.writeAndFlush(Unpooled.wrappedBuffer(chunk));
            if (!client.isWritable()) {
                write.sync(); // stay within the high water mark: the test's own backpressure
            }
        }
        serverDone.get(150, TimeUnit.SECONDS);
        echoDone.get(150, TimeUnit.SECONDS);
        assertEquals(total, serverBytes.get());
        assertEquals(sentCrc.getValue(), serverCrc.getValue(), "CRC-32 as the server received it");
        assertEquals(total, echoed.get());
        assertEquals(sentCrc.getValue(), echoCrc.getValue(), "CRC-32 as echoed back");
        client.close().sync();
        server.close().sync();
    }

    /**
     * Promise listeners that write and flush while a completed write is being removed from the outbound buffer
     * (several small buffers gathered into one WriteFile): nothing may be sent twice or out of order. Found by
     * Netty's SocketSslEchoTest (ChunkedWriteHandler), which saw "Tag mismatch" from duplicated records.
     */
    @Test
    @Timeout(60)
    void writesFromWriteListenersKeepOrderAndAreNotDuplicated() throws Exception {
        NamedPipeAddress address = newAddress();
        int messages = 3000;
        ByteBuf received = Unpooled.buffer();
        CompletableFuture<Void> done = new CompletableFuture<>();
        long expectedBytes = (long) messages * 4 * 100;
        Channel server = new ServerBootstrap().group(boss, workers).channel(WinloopNamedPipeServerChannel.class)
                .childHandler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        received.writeBytes((ByteBuf) msg);
                        ((ByteBuf) msg).release();
                        if (received.readableBytes() >= expectedBytes) {
                            done.complete(null);
                        }
                    }
                }).bind(address).sync().channel();
        Channel client = client(address, new ChannelInboundHandlerAdapter());
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        client.eventLoop().execute(new Runnable() {
            @Override
            public void run() {
                // 100 messages of 100 ints per flush; each message's listener writes and flushes one more.
                for (int i = 0; i < 100 && next.get() < messages; i++) {
                    writeNext(client, next, messages);
                }
                client.flush();
            }
        });
        done.get(50, TimeUnit.SECONDS);
        assertEquals(expectedBytes, received.readableBytes());
        for (int i = 0; i < messages * 100; i++) {
            assertEquals(i, received.readInt(), "int " + i);
        }
        received.release();
        client.close().sync();
        server.close().sync();
    }

    private static void writeNext(Channel channel, java.util.concurrent.atomic.AtomicInteger next, int messages) {
        int n = next.getAndIncrement();
        if (n >= messages) {
            return;
        }
        ByteBuf buf = channel.alloc().directBuffer(400);
        for (int i = 0; i < 100; i++) {
            buf.writeInt(n * 100 + i);
        }
        channel.write(buf).addListener(f -> {
            writeNext(channel, next, messages);
            channel.flush();
        });
    }

    @Test
    @Timeout(60)
    void backpressureMakesTheWriterUnwritableUntilTheReaderReads() throws Exception {
        NamedPipeAddress address = newAddress();
        BlockingQueue<Channel> accepted = new LinkedBlockingQueue<>();
        AtomicLong read = new AtomicLong();
        Channel server = new ServerBootstrap().group(boss, workers).channel(WinloopNamedPipeServerChannel.class)
                .childOption(ChannelOption.AUTO_READ, false)
                .childHandler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelActive(ChannelHandlerContext ctx) {
                        accepted.add(ctx.channel());
                    }

                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        read.addAndGet(((ByteBuf) msg).readableBytes());
                        ((ByteBuf) msg).release();
                    }
                }).bind(address).sync().channel();
        CompletableFuture<Void> writableAgain = new CompletableFuture<>();
        Channel client = new Bootstrap().group(workers).channel(WinloopNamedPipeChannel.class)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(64 * 1024, 256 * 1024))
                .handler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
                        if (ctx.channel().isWritable()) {
                            writableAgain.complete(null);
                        }
                    }
                }).connect(address).sync().channel();
        Channel child = accepted.poll(10, TimeUnit.SECONDS);
        long total = 4L * 1024 * 1024;
        byte[] chunk = new byte[64 * 1024];
        List<ChannelFuture> writes = new ArrayList<>();
        for (long n = 0; n < total; n += chunk.length) {
            writes.add(client.writeAndFlush(Unpooled.wrappedBuffer(chunk)));
        }
        Thread.sleep(500);
        assertFalse(client.isWritable(), "4 MiB queued behind a pipe nobody reads");
        assertFalse(writes.get(writes.size() - 1).isDone(), "the last write waits for the reader");
        child.config().setAutoRead(true);
        writableAgain.get(30, TimeUnit.SECONDS);
        for (ChannelFuture write : writes) {
            write.sync();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (read.get() < total && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(total, read.get());
        client.close().sync();
        server.close().sync();
    }

    @Test
    @Timeout(30)
    void autoReadOffReadsOnlyWhenAsked() throws Exception {
        NamedPipeAddress address = newAddress();
        Channel server = echoServer(address);
        BlockingQueue<Object> reads = new LinkedBlockingQueue<>();
        AtomicBoolean readComplete = new AtomicBoolean();
        Channel client = new Bootstrap().group(workers).channel(WinloopNamedPipeChannel.class)
                .option(ChannelOption.AUTO_READ, false)
                .handler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        reads.add(msg);
                    }

                    @Override
                    public void channelReadComplete(ChannelHandlerContext ctx) {
                        readComplete.set(true);
                    }
                }).connect(address).sync().channel();
        client.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {42})).sync();
        assertEquals(null, reads.poll(300, TimeUnit.MILLISECONDS), "nothing read before read()");
        client.read();
        ByteBuf got = (ByteBuf) reads.poll(10, TimeUnit.SECONDS);
        assertEquals(42, got.readByte());
        got.release();
        for (int i = 0; i < 100 && !readComplete.get(); i++) {
            Thread.sleep(10);
        }
        assertTrue(readComplete.get(), "channelReadComplete after the read");
        client.close().sync();
        server.close().sync();
    }
}
