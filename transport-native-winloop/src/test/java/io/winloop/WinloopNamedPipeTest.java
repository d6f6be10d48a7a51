package io.winloop;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import com.sun.jna.WString;
import io.winloop.internal.pipe.PipeKernel32;
import io.winloop.internal.pipe.PipeSecurity;
import io.winloop.internal.win.Kernel32;
import io.winloop.internal.win.WinError;
import io.winloop.internal.win.NativeMemory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.RandomAccessFile;
import java.net.BindException;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
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
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Named pipes end to end in the Windows JVM: echo, many clients, integrity, backpressure, closes with I/O in flight,
 * security (first instance, SDDL read back), errors, a JDK client; after each test the process's handles and the
 * transport's native blocks are back where they were.
 */
class WinloopNamedPipeTest {
    private EventLoopGroup boss;
    private EventLoopGroup workers;
    private ResourceBaseline baseline;

    /**
     * Brings the JVM to its steady handle count before the first baseline. HotSpot backs each Java thread's park and
     * sleep primitives with Win32 events that it keeps, when the thread ends, on a free list for the next thread
     * instead of closing them; JUnit's timeout watcher and the JIT's extra compiler threads start on first need. So
     * the first test in a cold JVM ends above its baseline with nothing of the transport left: on lane C (JDK 11)
     * serverClosingWithReadsAndWritesInFlightClosesTheClient alone ended 29 handles up (counted by type with
     * NtQuerySystemInformation and NtQueryObject: 26 Events, 2 Threads, 1 Semaphore, no File, so no pipe), then a
     * second and third test each came back exactly to that level. After this warm-up, with the same threads as a
     * test (a boss, two workers, a server's acceptor, clients, the timeout watcher: hence the timeout here), every
     * test of the class came back exactly to its baseline there.
     */
    @BeforeAll
    @Timeout(120)
    static void warmUpTheJvm() throws Exception {
        EventLoopGroup boss = new WinloopEventLoopGroup(1);
        EventLoopGroup workers = new WinloopEventLoopGroup(2);
        try {
            NamedPipeAddress address = newAddress();
            Channel server = new ServerBootstrap().group(boss, workers).channel(WinloopNamedPipeServerChannel.class)
                    .childHandler(new Echo()).bind(address).sync().channel();
            for (int round = 0; round < 3; round++) {
                Collector collector = new Collector(256 * 1024);
                Channel client = new Bootstrap().group(workers).channel(WinloopNamedPipeChannel.class)
                        .handler(collector).connect(address).sync().channel();
                client.writeAndFlush(Unpooled.directBuffer(256 * 1024).writeZero(256 * 1024));
                collector.done.get(30, TimeUnit.SECONDS);
                client.close().sync();
            }
            server.close().sync();
        } finally {
            boss.shutdownGracefully(0, 5, TimeUnit.SECONDS).sync();
            workers.shutdownGracefully(0, 5, TimeUnit.SECONDS).sync();
        }
    }

    @BeforeEach
    void setUp() throws Exception {
        baseline = ResourceBaseline.take();
        boss = newBossGroup();
        workers = newWorkerGroup();
    }

    /** The server's group; a subclass runs the same tests on other groups. */
    EventLoopGroup newBossGroup() {
        return new WinloopEventLoopGroup(1);
    }

    /** The children's and the clients' group. */
    EventLoopGroup newWorkerGroup() {
        return new WinloopEventLoopGroup(2);
    }

    @AfterEach
    void tearDown() throws Exception {
        boss.shutdownGracefully(0, 5, TimeUnit.SECONDS).sync();
        workers.shutdownGracefully(0, 5, TimeUnit.SECONDS).sync();
        baseline.assertRestored();
    }

    /** A pipe name no other test (or process) uses. */
    static NamedPipeAddress newAddress() {
        return NamedPipeAddress.of("winloop-test-" + UUID.randomUUID());
    }

    @ChannelHandler.Sharable
    static final class Echo extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.write(msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }
    }

    private Channel echoServer(NamedPipeAddress address) throws InterruptedException {
        return new ServerBootstrap().group(boss, workers).channel(WinloopNamedPipeServerChannel.class)
                .childHandler(new Echo()).bind(address).sync().channel();
    }

    /** Collects what a client receives until {@code expected} bytes came. */
    static final class Collector extends ChannelInboundHandlerAdapter {
        final ByteBuf received = Unpooled.buffer();
        final CompletableFuture<byte[]> done = new CompletableFuture<>();
        final int expected;

        Collector(int expected) {
            this.expected = expected;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            received.writeBytes(buf);
            buf.release();
            if (received.readableBytes() >= expected) {
                byte[] bytes = new byte[received.readableBytes()];
                received.readBytes(bytes);
                received.release();
                done.complete(bytes);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            done.completeExceptionally(cause);
        }
    }

    private Channel client(NamedPipeAddress address, ChannelHandler handler) throws InterruptedException {
        return new Bootstrap().group(workers).channel(WinloopNamedPipeChannel.class).handler(handler)
                .connect(address).sync().channel();
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

    @Test
    @Timeout(30)
    void connectingToAMissingPipeFailsWithFileNotFound() throws Exception {
        NamedPipeAddress address = newAddress();
        ChannelFuture connect = new Bootstrap().group(workers).channel(WinloopNamedPipeChannel.class)
                .handler(new ChannelInboundHandlerAdapter()).connect(address).await();
        Throwable cause = connect.cause();
        assertInstanceOf(ConnectException.class, cause);
        assertTrue(cause.getMessage().contains("ERROR_FILE_NOT_FOUND (2)"), cause.getMessage());
        assertTrue(cause.getMessage().contains(address.path()), cause.getMessage());
        assertTrue(connect.channel().closeFuture().await(5, TimeUnit.SECONDS), "the failed channel is closed");
    }

    /**
     * Netty lets a channel be deregistered and registered on another loop. A pipe handle is associated with one
     * completion port; Windows 8.1+ moves it with FileReplaceCompletionInformation, Wine implements none
     * (tools/probes/overlapped-probe.c, pipe-probe.c): there the move fails with that reason and the channel is
     * closed, releasing its handle and native blocks (tearDown checks both). The client has a read in flight when it
     * is deregistered, and the registration comes at once: it must wait for the old loop to dequeue the cancelled
     * read (a move with a call in flight is refused), never fail for it. Repeated, since that is a race.
     */
    @Test
    @Timeout(60)
    void aClientMovedToAnotherLoopKeepsWorkingOrFailsClearly() throws Exception {
        NamedPipeAddress address = newAddress();
        Channel server = echoServer(address);
        EventLoopGroup other = new WinloopEventLoopGroup(1);
        try {
            boolean wine = io.winloop.internal.win.Wine.isMajorVersion(8)
                    || io.winloop.internal.win.Wine.isMajorVersion(10);
            for (int round = 0; round < (wine ? 10 : 1); round++) {
                Collector first = new Collector(5);
                Channel client = client(address, first);
                client.writeAndFlush(Unpooled.copiedBuffer("hello", StandardCharsets.US_ASCII));
                assertArrayEquals("hello".getBytes(StandardCharsets.US_ASCII), first.done.get(10, TimeUnit.SECONDS));
                client.deregister().sync();
                ChannelFuture moved = other.register(client).await();
                if (wine) {
                    Throwable cause = moved.cause();
                    assertInstanceOf(java.io.IOException.class, cause, "round " + round);
                    assertTrue(cause.getMessage().contains("FileReplaceCompletionInformation"), cause.getMessage());
                    assertTrue(client.closeFuture().await(5, TimeUnit.SECONDS), "the channel that cannot move is "
                            + "closed");
                } else {
                    moved.sync();
                    Collector second = new Collector(5);
                    client.pipeline().replace(first, "second", second);
                    client.writeAndFlush(Unpooled.copiedBuffer("again", StandardCharsets.US_ASCII));
                    assertArrayEquals("again".getBytes(StandardCharsets.US_ASCII),
                            second.done.get(10, TimeUnit.SECONDS));
                    assertTrue(client.eventLoop().parent() == other, "served by the new loop");
                    client.close().sync();
                }
            }
        } finally {
            server.close().sync();
            other.shutdownGracefully(0, 5, TimeUnit.SECONDS).sync();
        }
    }

    /**
     * A deregistration with calls in flight loses and repeats nothing: the read is cancelled and the bytes it got
     * before the cancel took are delivered after the next registration; the write completes on the old loop and its
     * outcome is applied after it, so the rest and only the rest is written. Re-registering with the same loop needs no
     * port change, so Wine runs it too; 4 MiB go through an echo server in 64 KiB writes, the client taken off its
     * loop and put back after each, with the write and reads in flight (every other write is made while the client
     * is off its loop), and must come back exactly.
     */
    @Test
    @Timeout(60)
    void reRegisteringWithCallsInFlightLosesAndRepeatsNothing() throws Exception {
        NamedPipeAddress address = newAddress();
        Channel server = echoServer(address);
        byte[] data = new byte[4 * 1024 * 1024];
        new Random(7).nextBytes(data);
        Collector collector = new Collector(data.length);
        Channel client = client(address, collector);
        io.netty.channel.EventLoop loop = client.eventLoop();
        ChannelFuture written = null;
        int moves = 0;
        for (int at = 0; at < data.length; at += 64 * 1024) {
            ByteBuf chunk = Unpooled.wrappedBuffer(data, at, 64 * 1024);
            if (moves % 2 == 0) {
                // One WriteFile, in flight (or just done) when the deregistration runs on the loop.
                written = client.writeAndFlush(chunk);
                client.deregister().sync();
            } else {
                // Written while not registered: it waits for the registration.
                client.deregister().sync();
                written = client.writeAndFlush(chunk);
            }
            loop.register(client).sync();
            moves++;
        }
        assertArrayEquals(data, collector.done.get(30, TimeUnit.SECONDS), "after " + moves + " re-registrations");
        assertTrue(written.await(10, TimeUnit.SECONDS) && written.isSuccess(), String.valueOf(written.cause()));
        client.close().sync();
        server.close().sync();
    }

    @Test
    @Timeout(30)
    void aSecondServerOnTheSameNameFails() throws Exception {
        NamedPipeAddress address = newAddress();
        Channel first = echoServer(address);
        ChannelFuture second = new ServerBootstrap().group(boss, workers)
                .channel(WinloopNamedPipeServerChannel.class).childHandler(new Echo()).bind(address).await();
        Throwable cause = second.cause();
        assertInstanceOf(BindException.class, cause);
        assertTrue(cause.getMessage().contains("ERROR_ACCESS_DENIED (5)"), cause.getMessage());
        assertTrue(second.channel().closeFuture().await(5, TimeUnit.SECONDS), "the failed server is closed");
        // The first server still serves.
        Collector collector = new Collector(3);
        Channel client = client(address, collector);
        client.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {1, 2, 3}));
        assertArrayEquals(new byte[] {1, 2, 3}, collector.done.get(10, TimeUnit.SECONDS));
        client.close().sync();
        first.close().sync();
    }

    /**
     * Unlike a domain socket's path, a pipe name belongs to every open instance of it, accepted ends included: a
     * new server cannot take it while a closed server's connection is still open, and can once that closes.
     */
    @Test
    @Timeout(30)
    void aNameStaysTakenWhileAnAcceptedEndIsOpen() throws Exception {
        NamedPipeAddress address = newAddress();
        BlockingQueue<Channel> accepted = new LinkedBlockingQueue<>();
        ServerBootstrap bootstrap = new ServerBootstrap().group(boss, workers)
                .channel(WinloopNamedPipeServerChannel.class)
                .childHandler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelActive(ChannelHandlerContext ctx) {
                        accepted.add(ctx.channel());
                    }
                });
        Channel first = bootstrap.bind(address).sync().channel();
        Channel client = client(address, new ChannelInboundHandlerAdapter());
        Channel child = accepted.poll(10, TimeUnit.SECONDS);
        first.close().sync();
        Throwable cause = bootstrap.bind(address).await().cause();
        assertInstanceOf(BindException.class, cause);
        assertTrue(cause.getMessage().contains("ERROR_ACCESS_DENIED (5)"), cause.getMessage());
        client.close().sync();
        assertTrue(child.closeFuture().await(10, TimeUnit.SECONDS), "the accepted end sees its client go");
        Channel second = bootstrap.bind(address).sync().channel();
        second.close().sync();
    }

    /**
     * The pipe analog of port 0, and what Netty's testsuite relies on when it binds twice in one test: each bind of
     * an ephemeral address takes a fresh name, even while the previous server's accepted end still holds the old one
     * (which a fixed name cannot be bound over: {@link #aNameStaysTakenWhileAnAcceptedEndIsOpen}).
     */
    @Test
    @Timeout(30)
    void anEphemeralAddressBindsAFreshUnguessableNameEachTime() throws Exception {
        BlockingQueue<Channel> accepted = new LinkedBlockingQueue<>();
        ServerBootstrap bootstrap = new ServerBootstrap().group(boss, workers)
                .channel(WinloopNamedPipeServerChannel.class)
                .childHandler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public boolean isSharable() {
                        return true; // the children of all three servers
                    }

                    @Override
                    public void channelActive(ChannelHandlerContext ctx) {
                        accepted.add(ctx.channel());
                    }
                });
        NamedPipeAddress ephemeral = NamedPipeAddress.ephemeral();
        WinloopNamedPipeServerChannel first = (WinloopNamedPipeServerChannel) bootstrap.bind(ephemeral).sync()
                .channel();
        NamedPipeAddress firstName = first.localAddress();
        assertFalse(firstName.isEphemeral(), "localAddress() is the real name: " + firstName);
        assertTrue(firstName.name().matches("winloop-[0-9a-f]{32}"), "128 random bits in hex: " + firstName);
        assertEquals(NamedPipeAddress.PREFIX.length() + "winloop-".length() + 32, firstName.path().length());
        Channel client = client(firstName, new ChannelInboundHandlerAdapter());
        assertEquals(firstName, client.remoteAddress());
        Channel child = accepted.poll(10, TimeUnit.SECONDS);
        assertEquals(firstName, child.localAddress());
        first.close().sync();

        // The accepted end still holds the first name; the same bootstrap binds again, as Netty's tests do.
        WinloopNamedPipeServerChannel second = (WinloopNamedPipeServerChannel) bootstrap.bind(ephemeral).sync()
                .channel();
        NamedPipeAddress secondName = second.localAddress();
        assertFalse(secondName.isEphemeral());
        assertFalse(secondName.equals(firstName), "a fresh name: " + secondName + " after " + firstName);
        Channel secondClient = client(secondName, new ChannelInboundHandlerAdapter());
        Channel secondChild = accepted.poll(10, TimeUnit.SECONDS);
        assertTrue(secondChild != null && secondChild.isActive(), "a client reaches the second name");
        assertEquals(secondName, secondChild.localAddress());

        WinloopNamedPipeServerChannel prefixed = (WinloopNamedPipeServerChannel) bootstrap
                .bind(NamedPipeAddress.ephemeral("my-service.")).sync().channel();
        assertTrue(prefixed.localAddress().name().matches("my-service\\.[0-9a-f]{32}"), prefixed.localAddress()
                .toString());
        prefixed.close().sync();

        client.close().sync();
        secondClient.close().sync();
        second.close().sync();
        assertTrue(child.closeFuture().await(10, TimeUnit.SECONDS), "the first accepted end sees its client go");
    }

    /** Makes the "random" part of ephemeral names from {@code values}, over and over, so that names clash. */
    private static final class RepeatingNames extends Random {
        private static final long serialVersionUID = 1L;
        private final int[] values;
        private int next;

        RepeatingNames(int... values) {
            this.values = values;
        }

        @Override
        public int nextInt() {
            return values[next++ % values.length];
        }
    }

    private Channel bindEphemeral(NamedPipeAddress ephemeral, Random names) throws InterruptedException {
        ChannelFuture bind = new ServerBootstrap().group(boss, workers)
                .channelFactory((io.netty.channel.ChannelFactory<WinloopNamedPipeServerChannel>) () -> {
                    WinloopNamedPipeServerChannel channel = new WinloopNamedPipeServerChannel();
                    channel.ephemeralNameSource = names;
                    return channel;
                })
                .childHandler(new ChannelInboundHandlerAdapter()).bind(ephemeral).await();
        return bind.isSuccess() ? bind.channel() : null;
    }

    /** A fresh name that is taken (only a rigged source makes one) is replaced; after 4 taken names the bind fails. */
    @Test
    @Timeout(30)
    void anEphemeralNameFoundTakenIsReplacedThenTheBindFailsClearly() throws Exception {
        NamedPipeAddress ephemeral = NamedPipeAddress.ephemeral("winloop-clash-" + UUID.randomUUID() + "-");
        Channel holder = bindEphemeral(ephemeral, new RepeatingNames(7));
        assertTrue(((NamedPipeAddress) holder.localAddress()).name().endsWith("00000007000000070000000700000007"),
                holder.localAddress().toString());

        Channel replaced = bindEphemeral(ephemeral, new RepeatingNames(7, 7, 7, 7, 0xabcdef, 0xabcdef, 0xabcdef,
                0xabcdef));
        assertTrue(((NamedPipeAddress) replaced.localAddress()).name().endsWith("00abcdef00abcdef00abcdef00abcdef"),
                "the second name, after the first was found taken: " + replaced.localAddress());
        replaced.close().sync();

        ChannelFuture refused = new ServerBootstrap().group(boss, workers)
                .channelFactory((io.netty.channel.ChannelFactory<WinloopNamedPipeServerChannel>) () -> {
                    WinloopNamedPipeServerChannel channel = new WinloopNamedPipeServerChannel();
                    channel.ephemeralNameSource = new RepeatingNames(7);
                    return channel;
                })
                .childHandler(new ChannelInboundHandlerAdapter()).bind(ephemeral).await();
        Throwable cause = refused.cause();
        assertInstanceOf(BindException.class, cause);
        assertTrue(cause.getMessage().contains("ERROR_ACCESS_DENIED (5)"), cause.getMessage());
        assertTrue(cause.getMessage().contains("4 fresh random names were all refused as taken"), cause.getMessage());
        assertTrue(refused.channel().closeFuture().await(5, TimeUnit.SECONDS), "the refused server channel closes");
        holder.close().sync();
    }

    @Test
    @Timeout(30)
    void connectingToAnUnboundEphemeralAddressFailsClearly() throws Exception {
        ChannelFuture connect = new Bootstrap().group(workers).channel(WinloopNamedPipeChannel.class)
                .handler(new ChannelInboundHandlerAdapter()).connect(NamedPipeAddress.ephemeral()).await();
        Throwable cause = connect.cause();
        assertInstanceOf(IllegalArgumentException.class, cause);
        assertTrue(cause.getMessage().contains("ephemeral pipe address, \\\\.\\pipe\\winloop-<ephemeral>"),
                cause.getMessage());
        assertTrue(cause.getMessage().contains("localAddress()"), cause.getMessage());
        assertTrue(connect.channel().closeFuture().await(5, TimeUnit.SECONDS), "the failed channel is closed");
    }

    @Test
    @Timeout(30)
    void defaultSecurityDescriptorGrantsOnlyUserSystemAndAdministrators() throws Exception {
        NamedPipeAddress address = newAddress();
        WinloopNamedPipeServerChannel server = (WinloopNamedPipeServerChannel) echoServer(address);
        String user = PipeSecurity.currentUserSid();
        assertTrue(user.startsWith("S-1-5-"), user);
        assertEquals("D:P(A;;GA;;;SY)(A;;GA;;;BA)(A;;GA;;;" + user + ")", genericRights(server.securityDescriptor()));
        server.close().sync();
    }

    @Test
    @Timeout(30)
    void securityDescriptorOptionIsApplied() throws Exception {
        NamedPipeAddress address = newAddress();
        String sddl = "D:P(A;;GA;;;SY)(A;;GR;;;WD)";
        WinloopNamedPipeServerChannel server = (WinloopNamedPipeServerChannel) new ServerBootstrap()
                .group(boss, workers).channel(WinloopNamedPipeServerChannel.class)
                .option(WinloopChannelOption.PIPE_SECURITY_DESCRIPTOR, sddl).childHandler(new Echo())
                .bind(address).sync().channel();
        assertEquals(sddl, genericRights(server.securityDescriptor()));
        server.close().sync();
        Throwable cause = new ServerBootstrap().group(boss, workers).channel(WinloopNamedPipeServerChannel.class)
                .option(WinloopChannelOption.PIPE_SECURITY_DESCRIPTOR, "not sddl").childHandler(new Echo())
                .bind(newAddress()).await().cause();
        assertInstanceOf(IllegalArgumentException.class, cause);
        assertTrue(cause.getMessage().contains("invalid security descriptor"), cause.getMessage());
    }

    /**
     * Windows stores a new object's ACEs with generic rights mapped to the object's own (a pipe is a file: GA is
     * stored as FA, GR as FR, GW as FW); Wine stores them as given (tools/probes/pipe-probe.c). Both grant the same.
     */
    private static String genericRights(String sddl) {
        return sddl.replace(";;FA;;;", ";;GA;;;").replace(";;FR;;;", ";;GR;;;").replace(";;FW;;;", ";;GW;;;");
    }

    @Test
    @Timeout(30)
    void aJdkClientTalksToAWinloopServer() throws Exception {
        NamedPipeAddress address = newAddress();
        Channel server = echoServer(address);
        try (RandomAccessFile pipe = new RandomAccessFile(address.path(), "rw")) {
            byte[] hello = "hello over a pipe".getBytes(StandardCharsets.UTF_8);
            pipe.write(hello);
            byte[] back = new byte[hello.length];
            pipe.readFully(back);
            assertArrayEquals(hello, back);
        }
        server.close().sync();
    }

    /**
     * A server no Winloop channel is part of: plain blocking Win32 calls on a pipe opened without
     * FILE_FLAG_OVERLAPPED (CreateNamedPipe, ConnectNamedPipe, ReadFile, WriteFile, as a C program would make them),
     * on its own thread; Winloop's client talks to it.
     */
    @Test
    @Timeout(30)
    void aWinloopClientTalksToABlockingWin32Server() throws Exception {
        NamedPipeAddress address = newAddress();
        long pipe = PipeKernel32.CreateNamedPipeW(new WString(address.path()), PipeKernel32.PIPE_ACCESS_DUPLEX
                        | PipeKernel32.FILE_FLAG_FIRST_PIPE_INSTANCE, PipeKernel32.PIPE_TYPE_BYTE
                        | PipeKernel32.PIPE_REJECT_REMOTE_CLIENTS, 1, 4096, 4096, 0, 0);
        assertTrue(pipe != Kernel32.INVALID_HANDLE_VALUE, "CreateNamedPipe");
        CompletableFuture<String> served = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            long buffer = NativeMemory.allocate(4096 + 8);
            try {
                // Echo one message, upper-cased, then close.
                if (PipeKernel32.ConnectNamedPipe(pipe, 0) == 0 && WinError.lastError() != 535) {
                    throw new IllegalStateException("ConnectNamedPipe: " + WinError.lastError());
                }
                if (Kernel32.ReadFile(pipe, buffer, 4096, buffer + 4096, 0) == 0) {
                    throw new IllegalStateException("ReadFile: " + WinError.lastError());
                }
                int n = NativeMemory.getInt(buffer + 4096);
                byte[] bytes = new byte[n];
                NativeMemory.copy(buffer, bytes, 0, n);
                String text = new String(bytes, StandardCharsets.US_ASCII);
                byte[] reply = text.toUpperCase(java.util.Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
                NativeMemory.copy(reply, 0, buffer, reply.length);
                if (Kernel32.WriteFile(pipe, buffer, reply.length, buffer + 4096, 0) == 0) {
                    throw new IllegalStateException("WriteFile: " + WinError.lastError());
                }
                served.complete(text);
            } catch (Throwable t) {
                served.completeExceptionally(t);
            } finally {
                NativeMemory.free(buffer);
            }
        }, "blocking-win32-pipe-server");
        thread.start();
        Collector collector = new Collector(11);
        Channel client = client(address, collector);
        client.writeAndFlush(Unpooled.copiedBuffer("hello win32", StandardCharsets.US_ASCII));
        assertEquals("hello win32", served.get(10, TimeUnit.SECONDS));
        assertEquals("HELLO WIN32", new String(collector.done.get(10, TimeUnit.SECONDS), StandardCharsets.US_ASCII));
        thread.join(5000);
        Kernel32.CloseHandle(pipe); // the client reads end of stream and closes
        assertTrue(client.closeFuture().await(10, TimeUnit.SECONDS), "end of stream closes the client");
    }

    @Test
    void addressesAreValidatedWithClearErrors() {
        assertEquals("\\\\.\\pipe\\a", NamedPipeAddress.of("a").path());
        assertEquals(NamedPipeAddress.of("Docker_Engine"), new NamedPipeAddress("\\\\.\\PIPE\\docker_engine"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new NamedPipeAddress("\\\\server\\pipe\\x"))
                .getMessage().contains("remote pipes"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new NamedPipeAddress("\\\\.\\pipe\\"))
                .getMessage().contains("empty pipe name"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> NamedPipeAddress.of("a\\b"))
                .getMessage().contains("backslash"));
        StringBuilder tooLong = new StringBuilder();
        for (int i = 0; i < 250; i++) {
            tooLong.append('x');
        }
        assertTrue(assertThrows(IllegalArgumentException.class, () -> NamedPipeAddress.of(tooLong.toString()))
                .getMessage().contains("too long"));

        NamedPipeAddress ephemeral = NamedPipeAddress.ephemeral();
        assertTrue(ephemeral.isEphemeral());
        assertFalse(NamedPipeAddress.of("a").isEphemeral());
        assertEquals("\\\\.\\pipe\\winloop-<ephemeral>", ephemeral.toString());
        assertEquals(ephemeral, NamedPipeAddress.ephemeral("winloop-"));
        assertFalse(ephemeral.equals(NamedPipeAddress.of("winloop-")), "an ephemeral address names no pipe");
        assertTrue(assertThrows(IllegalStateException.class, ephemeral::path).getMessage()
                .contains("no name until a server binds it"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> NamedPipeAddress.ephemeral("a\\b"))
                .getMessage().contains("backslash"));
        StringBuilder longPrefix = new StringBuilder();
        for (int i = 0; i < NamedPipeAddress.MAX_PATH_LENGTH - NamedPipeAddress.PREFIX.length() - 31; i++) {
            longPrefix.append('x');
        }
        assertTrue(assertThrows(IllegalArgumentException.class, () -> NamedPipeAddress.ephemeral(
                longPrefix.toString())).getMessage().contains("too long"));
        longPrefix.setLength(longPrefix.length() - 1); // exactly 256 characters with the random part
        assertTrue(NamedPipeAddress.ephemeral(longPrefix.toString()).isEphemeral());
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
