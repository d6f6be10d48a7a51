package io.winloop;

import io.netty.buffer.Unpooled;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import com.sun.jna.WString;
import io.winloop.internal.pipe.PipeSecurity;
import io.winloop.internal.win.Kernel32;
import io.winloop.internal.win.NativeMemory;
import io.winloop.internal.win.WinError;
import io.winloop.internal.win.Wine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Winloop pipes with peers that are not Winloop: a JDK client (RandomAccessFile) and a blocking Win32 server. Runs in
 * both {@link PipeLoops}; after each test the process's handles and the transport's native blocks are back where they
 * were.
 */
@ParameterizedClass
@EnumSource(PipeLoops.class)
class WinloopNamedPipeInteropTest extends AbstractNamedPipeTest {
    WinloopNamedPipeInteropTest(PipeLoops loops) {
        super(loops);
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
        long pipe = rawServer(address);
        assertTrue(pipe != Kernel32.INVALID_HANDLE_VALUE, "CreateNamedPipe");
        CompletableFuture<String> served = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            long buffer = NativeMemory.allocate(4096 + 8);
            try {
                // Echo one message, upper-cased, then close.
                if (Kernel32.ConnectNamedPipe(pipe, 0) == 0 && WinError.lastError() != 535) {
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

    /**
     * A blocking Win32 server's instance, as a C program makes it: no security descriptor on Windows, where its
     * creator then owns it. Under Wine such a pipe has no owner at all (WinloopNamedPipeOwnerTest), which the
     * client's default owner check refuses, so there the owner Windows would have given is named.
     */
    private static long rawServer(NamedPipeAddress address) throws java.io.IOException {
        long sa = Wine.isWine() ? PipeSecurity.attributes("O:" + PipeSecurity.currentUserSid() + "D:P(A;;GA;;;"
                + PipeSecurity.currentUserSid() + ")") : 0;
        try {
            return Kernel32.CreateNamedPipeW(new WString(address.path()), Kernel32.PIPE_ACCESS_DUPLEX
                    | Kernel32.FILE_FLAG_FIRST_PIPE_INSTANCE, Kernel32.PIPE_TYPE_BYTE
                    | Kernel32.PIPE_REJECT_REMOTE_CLIENTS, 1, 4096, 4096, 0, sa);
        } finally {
            PipeSecurity.freeAttributes(sa);
        }
    }

    /**
     * A write after the server disconnected the pipe fails with words frameworks know from epoll's EPIPE, "Broken
     * pipe": SslHandler's ignorable-error pattern and Reactor Netty's AbortedException.isConnectionReset match on
     * them (before, ERROR_PIPE_NOT_CONNECTED read "no process is on the other end of the pipe").
     */
    @Test
    @Timeout(30)
    void aWriteAfterTheServerDisconnectedFailsWithBrokenPipe() throws Exception {
        NamedPipeAddress address = newAddress();
        long pipe = rawServer(address);
        assertTrue(pipe != Kernel32.INVALID_HANDLE_VALUE, "CreateNamedPipe");
        try {
            Channel client = new Bootstrap().group(workers).channel(WinloopNamedPipeChannel.class)
                    .option(ChannelOption.ALLOW_HALF_CLOSURE, true) // stay open after the end of stream
                    .handler(new ChannelInboundHandlerAdapter()).connect(address).sync().channel();
            // The client opened the instance first: ERROR_PIPE_CONNECTED, then the server disconnects it.
            assertEquals(0, Kernel32.ConnectNamedPipe(pipe, 0));
            assertEquals(WinError.ERROR_PIPE_CONNECTED, WinError.lastError());
            assertTrue(Kernel32.DisconnectNamedPipe(pipe) != 0, "DisconnectNamedPipe");
            Throwable cause = null;
            for (int i = 0; i < 50 && cause == null; i++) {
                cause = client.writeAndFlush(Unpooled.copiedBuffer("late", StandardCharsets.US_ASCII)).await()
                        .cause();
            }
            assertTrue(cause instanceof java.io.IOException, String.valueOf(cause));
            String message = cause.getMessage();
            assertTrue(message.contains("Broken pipe"), message);
            assertTrue(Pattern.compile("^.*(?:connection.*(?:reset|closed|abort|broken)|broken.*pipe).*$",
                    Pattern.CASE_INSENSITIVE).matcher(message).matches(), "SslHandler's pattern: " + message);
            client.close().sync();
        } finally {
            Kernel32.CloseHandle(pipe);
        }
    }
}
