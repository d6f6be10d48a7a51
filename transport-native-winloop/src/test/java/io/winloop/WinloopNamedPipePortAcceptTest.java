package io.winloop;

import com.sun.jna.WString;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.winloop.AbstractNamedPipeTest.Collector;
import io.winloop.AbstractNamedPipeTest.Echo;
import io.winloop.internal.pipe.PipeAcceptMode;
import io.winloop.internal.win.Kernel32;
import io.winloop.internal.win.NativeMemory;
import io.winloop.internal.win.WinError;
import io.winloop.internal.win.Wine;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.winloop.AbstractNamedPipeTest.newAddress;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Port-based pipe accept ({@code PipePortAcceptor}: overlapped ConnectNamedPipe completing on the server loop's
 * port), forced with {@code -Dio.winloop.pipe.accept=port} so that it runs under Wine too, where the automatic
 * choice is the accept thread. Under Wine an accepted instance cannot leave the server loop's port (Wine 8.0 and
 * 10.0 answer FileReplaceCompletionInformation with STATUS_NOT_IMPLEMENTED: tools/probes/overlapped-probe.c), so
 * the end-to-end tests serve children on the server's own loop (a one-loop group); the two-loop test checks that a
 * child landing elsewhere fails clearly there and works where Windows moves the handle. After each test the
 * process's handles and the transport's native blocks are back where they were.
 */
class WinloopNamedPipePortAcceptTest {
    /** Server and children: one loop, so nothing has to move. */
    private EventLoopGroup serverLoop;
    private EventLoopGroup clients;
    private String modeBefore;
    private ResourceBaseline baseline;

    @BeforeEach
    void setUp() throws Exception {
        baseline = ResourceBaseline.take();
        modeBefore = System.getProperty(PipeAcceptMode.PROPERTY);
        System.setProperty(PipeAcceptMode.PROPERTY, "port");
        serverLoop = new WinloopEventLoopGroup(1);
        clients = new WinloopEventLoopGroup(1);
    }

    @AfterEach
    void tearDown() throws Exception {
        if (modeBefore == null) {
            System.clearProperty(PipeAcceptMode.PROPERTY);
        } else {
            System.setProperty(PipeAcceptMode.PROPERTY, modeBefore);
        }
        serverLoop.shutdownGracefully(0, 5, TimeUnit.SECONDS).sync();
        clients.shutdownGracefully(0, 5, TimeUnit.SECONDS).sync();
        baseline.assertRestored();
    }

    private static boolean isWineWithoutReplace() {
        return Wine.isMajorVersion(8) || Wine.isMajorVersion(10);
    }

    private WinloopNamedPipeServerChannel echoServer(NamedPipeAddress address, int instances) throws Exception {
        return (WinloopNamedPipeServerChannel) new ServerBootstrap().group(serverLoop, serverLoop)
                .channel(WinloopNamedPipeServerChannel.class).option(WinloopChannelOption.PIPE_INSTANCES, instances)
                .childHandler(new Echo()).bind(address).sync().channel();
    }

    private Channel client(NamedPipeAddress address, ChannelInboundHandlerAdapter handler) throws Exception {
        return new Bootstrap().group(clients).channel(WinloopNamedPipeChannel.class).handler(handler)
                .connect(address).sync().channel();
    }

    private static int listening(WinloopNamedPipeServerChannel server) throws Exception {
        return server.eventLoop().submit(server::listeningInstances).get(5, TimeUnit.SECONDS);
    }

    /** WaitNamedPipe answers ERROR_FILE_NOT_FOUND only when no instance of the name is open. */
    private static boolean isNameFree(NamedPipeAddress address) {
        return Kernel32.WaitNamedPipeW(new WString(address.path()), 1) == 0
                && WinError.lastError() == WinError.ERROR_FILE_NOT_FOUND;
    }

    /**
     * Without the property the mode is chosen by what the system can do: under Wine the move of a handle to another
     * port is not implemented (overlapped-probe.c), so the choice is the accept thread, and the reason says why.
     */
    @Test
    @Timeout(60)
    void autoModeChoosesByCapabilityAndSaysWhy() throws Exception {
        System.clearProperty(PipeAcceptMode.PROPERTY);
        PipeAcceptMode auto = PipeAcceptMode.auto();
        if (isWineWithoutReplace()) {
            assertEquals(PipeAcceptMode.Mode.THREAD, auto.mode(), auto.toString());
            assertTrue(auto.reason().contains("FileReplaceCompletionInformation"), auto.reason());
            assertTrue(auto.reason().contains("STATUS_NOT_IMPLEMENTED"), auto.reason());
        } else {
            // Windows 8.1 and later (every Windows the supported JDKs run on) replace the association.
            assertEquals(PipeAcceptMode.Mode.PORT, auto.mode(), auto.toString());
        }
        assertSame(auto, PipeAcceptMode.auto(), "probed once per process");

        NamedPipeAddress address = newAddress();
        WinloopNamedPipeServerChannel server = echoServer(address, 2);
        assertSame(auto, server.acceptMode(), "the server accepts in the mode chosen");
        assertEquals(auto.mode() == PipeAcceptMode.Mode.PORT ? 2 : -1, listening(server));
        echoOnce(address, "auto");
        server.close().sync();

        System.setProperty(PipeAcceptMode.PROPERTY, "thread");
        address = newAddress();
        server = echoServer(address, 2);
        assertEquals(PipeAcceptMode.Mode.THREAD, server.acceptMode().mode());
        String reason = server.acceptMode().reason();
        assertTrue(reason.contains("io.winloop.pipe.accept=thread"), reason);
        echoOnce(address, "thread");
        server.close().sync();
    }

    @Test
    @Timeout(30)
    void aBadModeValueFailsTheBindNamingTheProperty() throws Exception {
        System.setProperty(PipeAcceptMode.PROPERTY, "sideways");
        NamedPipeAddress address = newAddress();
        ChannelFuture bind = new ServerBootstrap().group(serverLoop, serverLoop)
                .channel(WinloopNamedPipeServerChannel.class).childHandler(new Echo()).bind(address).await();
        assertInstanceOf(IllegalArgumentException.class, bind.cause());
        assertTrue(bind.cause().getMessage().contains("io.winloop.pipe.accept=sideways"), bind.cause().getMessage());
        assertFalse(bind.channel().isActive());
        assertTrue(isNameFree(address), "the first instance was closed");
    }

    private void echoOnce(NamedPipeAddress address, String text) throws Exception {
        Collector collector = new Collector(text.length());
        Channel client = client(address, collector);
        client.writeAndFlush(Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII));
        assertArrayEquals(text.getBytes(StandardCharsets.US_ASCII), collector.done.get(10, TimeUnit.SECONDS));
        client.close().sync();
    }

    @Test
    @Timeout(60)
    void echoesOneMegabyteWithTheChildOnTheServersLoop() throws Exception {
        NamedPipeAddress address = newAddress();
        WinloopNamedPipeServerChannel server = echoServer(address, 4);
        assertEquals(PipeAcceptMode.Mode.PORT, server.acceptMode().mode());
        assertEquals(4, listening(server), "every instance waits in ConnectNamedPipe on the loop's port");
        byte[] data = new byte[1024 * 1024];
        new Random(7).nextBytes(data);
        Collector collector = new Collector(data.length);
        Channel client = client(address, collector);
        client.writeAndFlush(Unpooled.wrappedBuffer(data));
        assertArrayEquals(data, collector.done.get(30, TimeUnit.SECONDS));
        assertEquals(4, listening(server), "the accepted instance was replaced");
        client.close().sync();
        server.close().sync();
    }

    /**
     * A burst of 40 clients against 2 listening instances: each accepted instance is replaced on the loop at once,
     * and a client that finds every instance busy retries the open (the documented ERROR_PIPE_BUSY retry), so every
     * connect succeeds and every client is echoed.
     */
    @Test
    @Timeout(120)
    void aBurstOfClientsBiggerThanTheInstanceCountIsServed() throws Exception {
        NamedPipeAddress address = newAddress();
        WinloopNamedPipeServerChannel server = echoServer(address, 2);
        int count = 40;
        List<ChannelFuture> connects = new ArrayList<>();
        List<Collector> collectors = new ArrayList<>();
        Bootstrap bootstrap = new Bootstrap().group(clients).channel(WinloopNamedPipeChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 30_000);
        for (int i = 0; i < count; i++) {
            Collector collector = new Collector(4096);
            collectors.add(collector);
            connects.add(bootstrap.clone().handler(collector).connect(address));
        }
        for (int i = 0; i < count; i++) {
            ChannelFuture connect = connects.get(i).await();
            assertTrue(connect.isSuccess(), "client " + i + ": " + connect.cause());
            byte[] data = new byte[4096];
            new Random(i).nextBytes(data);
            connect.channel().writeAndFlush(Unpooled.wrappedBuffer(data));
            assertArrayEquals(data, collectors.get(i).done.get(60, TimeUnit.SECONDS), "client " + i);
        }
        for (ChannelFuture f : connects) {
            f.channel().close().sync();
        }
        assertEquals(2, listening(server));
        server.close().sync();
    }

    /**
     * With auto-read off, connected instances wait for read() in a backlog, and once it holds as many as the
     * instance count the acceptor listens with no new instance (those already listening still take a client: with
     * 2 instances the third client empties the last slot). A fourth client then finds every instance busy and
     * retries; read() hands the waiting ones over and refills the slots.
     */
    @Test
    @Timeout(60)
    void withAutoReadOffTheBacklogWaitsForRead() throws Exception {
        NamedPipeAddress address = newAddress();
        WinloopNamedPipeServerChannel server = (WinloopNamedPipeServerChannel) new ServerBootstrap()
                .group(serverLoop, serverLoop).channel(WinloopNamedPipeServerChannel.class)
                .option(ChannelOption.AUTO_READ, false).option(WinloopChannelOption.PIPE_INSTANCES, 2)
                .childHandler(new Echo()).bind(address).sync().channel();
        List<Collector> collectors = new ArrayList<>();
        List<Channel> channels = new ArrayList<>();
        Bootstrap retrying = new Bootstrap().group(clients).channel(WinloopNamedPipeChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 20_000);
        for (int i = 0; i < 3; i++) {
            collectors.add(new Collector(1));
            channels.add(retrying.clone().handler(collectors.get(i)).connect(address).sync().channel());
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (listening(server) != 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(0, listening(server), "a full backlog: no instance listens");
        collectors.add(new Collector(1));
        ChannelFuture fourth = retrying.clone().handler(collectors.get(3)).connect(address);
        Thread.sleep(300);
        assertFalse(fourth.isDone(), "the fourth client waits for a free instance");
        server.read();
        channels.add(fourth.sync().channel());
        server.read();
        for (int i = 0; i < 4; i++) {
            channels.get(i).writeAndFlush(Unpooled.wrappedBuffer(new byte[] {(byte) i}));
            assertArrayEquals(new byte[] {(byte) i}, collectors.get(i).done.get(10, TimeUnit.SECONDS), "client " + i);
        }
        for (Channel channel : channels) {
            channel.close().sync();
        }
        server.close().sync();
    }

    /**
     * A port-mode server's listening calls complete on its first loop's port: registering it with another loop
     * fails, saying so, and closes it; its instances are closed on the first loop (the name becomes free).
     */
    @Test
    @Timeout(60)
    void aPortModeServerCannotMoveToAnotherLoop() throws Exception {
        EventLoopGroup two = new WinloopEventLoopGroup(2);
        try {
            EventLoop first = two.next();
            EventLoop second = two.next();
            NamedPipeAddress address = newAddress();
            Channel server = new ServerBootstrap().group(first, first).channel(WinloopNamedPipeServerChannel.class)
                    .childHandler(new Echo()).bind(address).sync().channel();
            server.deregister().sync();
            ChannelFuture moved = second.register(server).await();
            assertInstanceOf(IllegalStateException.class, moved.cause());
            assertTrue(moved.cause().getMessage().contains("cannot move to another event loop"),
                    moved.cause().getMessage());
            assertTrue(server.closeFuture().await(5, TimeUnit.SECONDS), "the server that cannot move is closed");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!isNameFree(address) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertTrue(isNameFree(address), "its listening instances are closed");
        } finally {
            two.shutdownGracefully(0, 5, TimeUnit.SECONDS).sync();
        }
    }

    /**
     * Closing the server cancels the ConnectNamedPipe calls in flight; each instance is closed and its operation's
     * block freed once the cancelled call's completion is dequeued, with the loop still running (not only at its
     * shutdown). A child accepted before keeps working.
     */
    @Test
    @Timeout(60)
    void closingTheServerWithConnectsInFlightFreesEverything() throws Exception {
        serverLoop.submit(() -> { }).sync();
        clients.submit(() -> { }).sync();
        long blocksIdle = NativeMemory.liveBlocks();
        NamedPipeAddress address = newAddress();
        WinloopNamedPipeServerChannel server = echoServer(address, 4);
        Collector first = new Collector(5);
        Channel client = client(address, first);
        client.writeAndFlush(Unpooled.copiedBuffer("hello", StandardCharsets.US_ASCII));
        assertArrayEquals("hello".getBytes(StandardCharsets.US_ASCII), first.done.get(10, TimeUnit.SECONDS));
        assertEquals(4, listening(server), "four ConnectNamedPipe calls in flight");

        server.close().sync();
        Collector second = new Collector(5);
        client.pipeline().replace(first, "second", second);
        client.writeAndFlush(Unpooled.copiedBuffer("again", StandardCharsets.US_ASCII));
        assertArrayEquals("again".getBytes(StandardCharsets.US_ASCII), second.done.get(10, TimeUnit.SECONDS),
                "the accepted child outlives its server");
        client.close().sync();

        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while ((!isNameFree(address) || NativeMemory.liveBlocks() != blocksIdle) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(isNameFree(address), "every instance of the name is closed");
        assertEquals(0, listening(server), "no ConnectNamedPipe in flight");
        assertEquals(blocksIdle, NativeMemory.liveBlocks(), "the listening operations' blocks are freed");
    }

    /**
     * A child registered with another loop than the server's: its instance is associated with the server loop's
     * port and must move. Where Windows moves it (8.1+) it is served there; under Wine the registration fails naming
     * FileReplaceCompletionInformation and STATUS_NOT_IMPLEMENTED, the accepted pipe is closed (so the client sees
     * end of stream) and nothing leaks (tearDown).
     */
    @Test
    @Timeout(60)
    void aChildOnAnotherLoopMovesOrFailsClearly() throws Exception {
        EventLoopGroup two = new WinloopEventLoopGroup(2);
        try {
            EventLoop server = two.next();
            EventLoop other = two.next();
            assertNotSame(server, other);
            CompletableFuture<ChannelFuture> childRegistered = new CompletableFuture<>();
            Channel serverChannel = new ServerBootstrap().group(server, other)
                    .channel(WinloopNamedPipeServerChannel.class)
                    .handler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            // What ServerBootstrap's acceptor does, with the registration's outcome kept.
                            Channel child = (Channel) msg;
                            child.pipeline().addLast(new Echo());
                            other.register(child).addListener((ChannelFuture f) -> {
                                if (!f.isSuccess()) {
                                    child.unsafe().closeForcibly();
                                }
                                childRegistered.complete(f);
                            });
                        }
                    })
                    .childHandler(new Echo()).bind(newAddress()).sync().channel();
            assertEquals(PipeAcceptMode.Mode.PORT,
                    ((WinloopNamedPipeServerChannel) serverChannel).acceptMode().mode());
            Collector collector = new Collector(5);
            Channel client = client((NamedPipeAddress) serverChannel.localAddress(), collector);
            client.writeAndFlush(Unpooled.copiedBuffer("hello", StandardCharsets.US_ASCII));
            ChannelFuture registered = childRegistered.get(10, TimeUnit.SECONDS);
            Channel child = registered.channel();
            if (isWineWithoutReplace()) {
                Throwable cause = registered.cause();
                assertInstanceOf(IOException.class, cause);
                assertTrue(cause.getMessage().contains("FileReplaceCompletionInformation"), cause.getMessage());
                assertTrue(cause.getMessage().contains("STATUS_NOT_IMPLEMENTED"), cause.getMessage());
                assertTrue(child.closeFuture().await(5, TimeUnit.SECONDS), "the child that cannot move is closed");
                assertTrue(client.closeFuture().await(5, TimeUnit.SECONDS), "the client sees the pipe closed");
            } else {
                assertTrue(registered.isSuccess(), String.valueOf(registered.cause()));
                assertSame(other, child.eventLoop());
                assertArrayEquals("hello".getBytes(StandardCharsets.US_ASCII),
                        collector.done.get(10, TimeUnit.SECONDS));
                client.close().sync();
            }
            serverChannel.close().sync();
        } finally {
            two.shutdownGracefully(0, 5, TimeUnit.SECONDS).sync();
        }
    }
}
