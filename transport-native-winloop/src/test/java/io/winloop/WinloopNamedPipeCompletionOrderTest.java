package io.winloop;

import com.sun.jna.WString;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.winloop.internal.port.LoopPort;
import io.winloop.internal.pipe.PipeConnector;
import io.winloop.internal.win.Kernel32;
import io.winloop.internal.win.NativeMemory;
import io.winloop.internal.win.WinError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A write the system completed succeeds, whatever the order in which its completion and the peer's close reach the
 * loop. Windows does not order the packets one GetQueuedCompletionStatusEx returns; before, a broken-pipe read
 * handled first closed the channel and failed the write still in flight, whose success was then ignored (seen with a
 * go-winio peer under Wine 8.0: 2 to 7 echo writes per run reported failed though the peer had read every byte).
 * Runs in both {@link PipeLoops}; after each test the process's handles and native blocks are back where they were.
 */
@ParameterizedClass
@EnumSource(PipeLoops.class)
class WinloopNamedPipeCompletionOrderTest extends AbstractNamedPipeTest {
    private static final int BYTES = 1000;

    WinloopNamedPipeCompletionOrderTest(PipeLoops loops) {
        super(loops);
    }

    /**
     * One loop task makes both packets wait in the port before the loop reaps them: the server end writes (the
     * bytes fit the pipe's buffer, so the write completes in the system), a blocking client reads those bytes back
     * (proof of delivery) and closes, which breaks the server end's read in flight. The loop then dispatches the
     * batch in the port's order (write first) or reversed (the broken read first).
     */
    @ParameterizedTest(name = "reversed batch: {0}")
    @ValueSource(booleans = {false, true})
    @Timeout(30)
    void aDeliveredWriteSucceedsWhenThePeerClosesInTheSameBatch(boolean reversed) throws Exception {
        NamedPipeAddress address = newAddress();
        CompletableFuture<Channel> accepted = new CompletableFuture<>();
        Channel server = new ServerBootstrap().group(boss, workers).channel(WinloopNamedPipeServerChannel.class)
                .childHandler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelActive(ChannelHandlerContext ctx) {
                        accepted.complete(ctx.channel());
                    }
                }).bind(address).sync().channel();
        long client = Kernel32.CreateFileW(new WString(address.path()), PipeConnector.CLIENT_ACCESS, 0, 0,
                Kernel32.OPEN_EXISTING, 0, 0);
        assertTrue(client != Kernel32.INVALID_HANDLE_VALUE, "CreateFileW: " + WinError.lastError());
        long buffer = NativeMemory.allocate(BYTES + 8);
        int before = LoopPort.reversedBatches();
        try {
            Channel child = accepted.get(10, TimeUnit.SECONDS);
            LoopPort.reverseBatchesForTests(reversed);
            ChannelFuture write = child.eventLoop().submit(() -> {
                ChannelFuture w = child.writeAndFlush(Unpooled.directBuffer(BYTES).writeZero(BYTES));
                int read = 0;
                while (read < BYTES) {
                    assertTrue(Kernel32.ReadFile(client, buffer, BYTES - read, buffer + BYTES, 0) != 0,
                            "the client's ReadFile: " + WinError.lastError());
                    read += NativeMemory.getInt(buffer + BYTES);
                }
                Kernel32.CloseHandle(client);
                return w;
            }).get(10, TimeUnit.SECONDS);
            assertTrue(write.await(10, TimeUnit.SECONDS));
            assertTrue(write.isSuccess(), "a write the client read back: " + write.cause());
            assertTrue(child.closeFuture().await(10, TimeUnit.SECONDS), "the peer's close closes the server end");
            if (reversed) {
                assertTrue(LoopPort.reversedBatches() > before, "the two packets came in one batch, reversed");
            }
        } finally {
            LoopPort.reverseBatchesForTests(false);
            NativeMemory.free(buffer);
            server.close().sync();
        }
    }

    /**
     * The field report end to end, without the seam: Winloop clients write, read every byte back through an echo
     * server, and close at once; no echo write of the server may be reported failed.
     */
    @Test
    @Timeout(120)
    void noEchoWriteFailsWhenTheClientReadItAllAndLeft() throws Exception {
        NamedPipeAddress address = newAddress();
        Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
        Queue<Channel> children = new ConcurrentLinkedQueue<>();
        Channel server = new ServerBootstrap().group(boss, workers).channel(WinloopNamedPipeServerChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel child) {
                        children.add(child);
                        child.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                int size = ((ByteBuf) msg).readableBytes();
                                ctx.writeAndFlush(msg).addListener(f -> {
                                    if (!f.isSuccess()) {
                                        failures.add(new AssertionError("echo write of " + size + " B failed",
                                                f.cause()));
                                    }
                                });
                            }
                        });
                    }
                }).bind(address).sync().channel();
        try {
            List<ChannelFuture> closes = new ArrayList<>();
            for (int round = 0; round < 100; round++) {
                Collector collector = new Collector(2048);
                Channel c = client(address, collector);
                c.writeAndFlush(Unpooled.directBuffer(2048).writeZero(2048));
                assertEquals(2048, collector.done.get(10, TimeUnit.SECONDS).length);
                closes.add(c.close());
            }
            for (ChannelFuture close : closes) {
                close.sync();
            }
            // Each server end closes on its client's end of stream, and a write's promise is done by then.
            assertEquals(100, children.size());
            for (Channel child : children) {
                assertTrue(child.closeFuture().await(10, TimeUnit.SECONDS), "the server end closes: " + child);
            }
            assertTrue(failures.isEmpty(), () -> failures.size() + " echo writes failed, the first: "
                    + failures.peek());
        } finally {
            server.close().sync();
        }
    }
}
