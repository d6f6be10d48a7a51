package io.winloop;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The close of a connection whose input was not all read, as an HTTP server closes after answering 400 to a request
 * too long to read. closesocket with unread input resets the connection (Windows does, and Linux under Wine), and a
 * peer that receives the reset before it has read the answer may lose it. So Winloop, like the JDK's SocketChannel
 * and NIO, first shuts down the sending side (shutdown SD_SEND, Microsoft's "graceful shutdown" sequence): the
 * answer and a FIN go out before the reset. SO_LINGER 0 asks for the reset itself and gets no shutdown.
 *
 * <p>Measured: on 7fc14ca the example HTTP server with a 64 KiB header ended every connection with a reset seen by a
 * Linux peer (5 of 5), and with a FIN after the fix (5 of 5, as NIO). A peer inside the Windows JVM under Wine cannot
 * tell the two apart: Wine 8.0 reports end of stream to a Windows program where Linux reports the reset (9 of 9 runs
 * of this scenario read the answer and end of stream with the shutdown removed). So this test asserts the decision,
 * the shutdown before closesocket, which fails on 7fc14ca.
 *
 * <p>The server closes only once the peer holds the answer. The FIN is followed at once by the reset (the input is
 * still unread), and a reset that arrives before the peer has read discards what it had received: under Wine 10.0 a
 * peer that began to read only after the close got "Connection reset" and none of the 28 bytes (2 of 2), and a peer
 * that was started before the close still lost the race once in CI (c5fe0ad, lane B: an empty answer). Windows
 * documents the same loss (WSAECONNRESET: "the remote side executed a hard or abortive close"). No timing wins that
 * race, so the test takes it out: what it asserts is the decision and that the input is still unread at the close.
 */
@Timeout(60)
class WinloopSocketCloseTest {
    private static final byte[] ANSWER = "HTTP/1.1 400 Bad Request\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private EventLoopGroup group;
    private ResourceBaseline baseline;

    @BeforeEach
    void setUp() throws IOException {
        baseline = ResourceBaseline.take();
        group = new WinloopEventLoopGroup(1);
    }

    @AfterEach
    void tearDown() throws Exception {
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).sync();
        baseline.assertRestored();
    }

    /** -1: SO_LINGER off (the default); 5: a linger time, still a graceful close; 0: an abortive close. */
    @ParameterizedTest(name = "SO_LINGER {0}")
    @ValueSource(ints = {-1, 5, 0})
    void aCloseWithUnreadInputShutsTheSendingSideFirstUnlessLingerIsZero(int linger) throws Exception {
        CompletableFuture<AbstractWinloopChannel> child = new CompletableFuture<>();
        CompletableFuture<Void> answerRead = new CompletableFuture<>();
        AnswerOnceAndClose handler = new AnswerOnceAndClose(answerRead);
        Channel server = new ServerBootstrap().group(group).channel(WinloopServerSocketChannel.class)
                .childOption(ChannelOption.SO_LINGER, linger)
                .childOption(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(4096).maxMessagesPerRead(1))
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(handler);
                        ch.closeFuture().addListener(f -> child.complete((AbstractWinloopChannel) ch));
                    }
                }).bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).sync().channel();
        try (Socket peer = new Socket()) {
            peer.connect(server.localAddress());
            peer.setSoTimeout(10_000);
            CompletableFuture<String> received = new CompletableFuture<>();
            Thread reader = new Thread(() -> received.complete(readToEnd(peer, answerRead)), "peer-reader");
            reader.start();
            peer.getOutputStream().write(new byte[65536]); // far more than the one 4 KiB read takes
            AbstractWinloopChannel closed = child.get(10, TimeUnit.SECONDS);
            assertEquals(linger != 0, closed.socket.hasShutDownOutput(),
                    "shutdown(SD_SEND) before closesocket (SO_LINGER " + linger + ")");
            assertTrue(handler.bytesRead < 65536, "the close left input unread: " + handler.bytesRead + " bytes read");
            assertEquals(new String(ANSWER, StandardCharsets.US_ASCII), received.get(10, TimeUnit.SECONDS));
            reader.join(10_000);
        } finally {
            server.close().sync();
        }
    }

    /**
     * Reads once, stops reading (the rest of the request stays unread), answers, and closes when the answer is written
     * and the peer has read it.
     */
    private static final class AnswerOnceAndClose extends ChannelInboundHandlerAdapter {
        private final CompletableFuture<Void> answerRead;
        private boolean answered;
        int bytesRead;

        AnswerOnceAndClose(CompletableFuture<Void> answerRead) {
            this.answerRead = answerRead;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            bytesRead += ((ByteBuf) msg).readableBytes();
            ReferenceCountUtil.release(msg);
            if (!answered) {
                answered = true;
                ctx.channel().config().setAutoRead(false);
                ctx.writeAndFlush(Unpooled.wrappedBuffer(ANSWER)).addListener(written ->
                        answerRead.whenComplete((ignored, error) -> ctx.channel().eventLoop().execute(ctx::close)));
            }
        }
    }

    /**
     * Reads until the end of the stream, or until a reset that follows the bytes read: what the peer reports after the
     * FIN depends on whether the reset (closesocket with unread input) has arrived when it reads again. Completes
     * {@code answerRead} once it holds the answer, or when it stops reading.
     */
    private static String readToEnd(Socket peer, CompletableFuture<Void> answerRead) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] chunk = new byte[4096];
        try {
            InputStream in = peer.getInputStream();
            for (int n; (n = in.read(chunk)) >= 0; ) {
                out.write(chunk, 0, n);
                if (out.size() >= ANSWER.length) {
                    answerRead.complete(null);
                }
            }
        } catch (IOException reset) {
            System.out.println("after " + out.size() + " bytes: " + reset);
        } finally {
            answerRead.complete(null);
        }
        return new String(out.toByteArray(), StandardCharsets.US_ASCII);
    }
}
