package io.winloop;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoopGroup;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A pipe channel deregistered and registered again, with its calls in flight: to another loop, and back to its own.
 * Runs in both {@link PipeLoops}; after each test the process's handles and the transport's native blocks are back
 * where they were.
 */
@ParameterizedClass
@EnumSource(PipeLoops.class)
class WinloopNamedPipeMoveTest extends AbstractNamedPipeTest {
    WinloopNamedPipeMoveTest(PipeLoops loops) {
        super(loops);
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
}
