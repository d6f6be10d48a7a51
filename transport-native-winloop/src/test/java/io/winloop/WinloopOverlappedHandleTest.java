package io.winloop;

import io.netty.channel.EventLoop;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.winloop.internal.overlapped.OverlappedIo;
import io.winloop.internal.overlapped.OverlappedOp;
import io.winloop.internal.overlapped.PortBinding;
import io.winloop.internal.win.Kernel32;
import io.winloop.internal.win.NativeMemory;
import io.winloop.internal.win.WinError;
import io.winloop.internal.win.WinFile;
import io.winloop.internal.win.Wine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A handle that is not a socket registers with {@link WinloopIoHandler} as a {@link WinloopOverlappedHandle}: its
 * overlapped calls complete on the loop thread, a registration on a second loop moves it where Windows can (and
 * fails with the reason under Wine), and the loop's shutdown drains a call in flight.
 */
class WinloopOverlappedHandleTest {
    @TempDir
    Path dir;

    /** A file opened for overlapped reads, as a pipe channel would hold its pipe. */
    private static final class FileHandle implements WinloopOverlappedHandle {
        final PortBinding binding;
        final CompletableFuture<Void> unregistered = new CompletableFuture<>();
        volatile OverlappedIo io;

        FileHandle(long handle) {
            binding = new PortBinding(handle);
        }

        @Override
        public PortBinding portBinding() {
            return binding;
        }

        @Override
        public void overlappedIo(OverlappedIo io) {
            this.io = io;
        }

        @Override
        public void handle(IoRegistration registration, IoEvent ioEvent) {
            throw new AssertionError("an overlapped-only handle gets no readiness events");
        }

        @Override
        public void registered() {
        }

        @Override
        public void unregistered() {
            unregistered.complete(null);
        }

        @Override
        public void close() {
        }
    }

    private static IoRegistration register(EventLoop loop, FileHandle handle) throws Exception {
        return ((IoEventLoop) loop).register(handle).get(5, TimeUnit.SECONDS);
    }

    /** Starts a ReadFile of 16 bytes at 0 on the loop; completes with the bytes read and the completing thread. */
    private static CompletableFuture<Object[]> readOnLoop(EventLoop loop, FileHandle handle) {
        CompletableFuture<Object[]> result = new CompletableFuture<>();
        loop.execute(() -> {
            try {
                OverlappedOp op = handle.io.newOp(16, (o, status, bytes) -> {
                    o.release();
                    result.complete(new Object[] {status, bytes, Thread.currentThread()});
                });
                long overlapped = op.prepare(handle.binding, 0);
                if (Kernel32.ReadFile(handle.binding.handle(), op.extra(), 16, 0, overlapped) == 0
                        && WinError.lastError() != WinError.ERROR_IO_PENDING) {
                    int error = WinError.lastError();
                    op.release();
                    throw new IOException("ReadFile: " + WinError.describe(error));
                }
                op.started();
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        return result;
    }

    @Test
    @Timeout(60)
    void completesOnTheLoopAndMovesToAnotherLoopWhereWindowsCan() throws Exception {
        long baseline = NativeMemory.liveBlocks();
        Path file = Files.write(dir.resolve("data"), new byte[64]);
        long handle = WinFile.openForReading(file.toString(), Kernel32.FILE_FLAG_OVERLAPPED);
        MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(2, WinloopIoHandler.newFactory());
        try {
            FileHandle fileHandle = new FileHandle(handle);
            EventLoop first = group.next();
            EventLoop second = group.next();
            IoRegistration registration = register(first, fileHandle);
            assertTrue(fileHandle.binding.isBound(), "associated with the port at registration");
            assertThrows(UnsupportedOperationException.class, () -> registration.submit(WinloopIoOps.READ_OPS),
                    "no readiness for a handle that is not a socket");

            Object[] done = readOnLoop(first, fileHandle).get(5, TimeUnit.SECONDS);
            assertEquals(0, done[0], WinError.describeStatus((Integer) done[0]));
            assertEquals(16L, done[1]);
            assertTrue(first.inEventLoop((Thread) done[2]), "completed on the loop thread");

            first.submit(registration::cancel).get(5, TimeUnit.SECONDS);
            fileHandle.unregistered.get(5, TimeUnit.SECONDS);
            if (Wine.isMajorVersion(8) || Wine.isMajorVersion(10)) {
                // Wine implements no FileReplaceCompletionInformation (tools/probes/overlapped-probe.c).
                ExecutionException e = assertThrows(ExecutionException.class, () -> register(second, fileHandle));
                assertTrue(e.getCause() instanceof IOException
                        && e.getCause().getMessage().contains("FileReplaceCompletionInformation"), e.toString());
            } else {
                register(second, fileHandle);
                Object[] again = readOnLoop(second, fileHandle).get(5, TimeUnit.SECONDS);
                assertEquals(16L, again[1]);
                assertTrue(second.inEventLoop((Thread) again[2]), "completed on the new loop's thread");
            }
        } finally {
            group.shutdownGracefully(0, 5, TimeUnit.SECONDS).sync();
            WinFile.close(handle);
        }
        assertEquals(baseline, NativeMemory.liveBlocks(), "native blocks after shutdown");
    }

    @Test
    @Timeout(60)
    void shutdownDrainsACallInFlight() throws Exception {
        long baseline = NativeMemory.liveBlocks();
        // A ReadFile on a pipe nobody writes to stays in flight until cancelled: the JDK's Process pipes are
        // synchronous, so use a socket pair's accepted end, which is overlapped (WSA_FLAG_OVERLAPPED).
        io.winloop.internal.win.WinSocket listener = io.winloop.internal.win.WinSocket.newStreamSocket(false);
        io.winloop.internal.win.WinSocket client = io.winloop.internal.win.WinSocket.newStreamSocket(false);
        io.winloop.internal.win.WinSocket accepted = null;
        MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, WinloopIoHandler.newFactory());
        try {
            listener.bind(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0));
            listener.listen(1);
            client.connect(listener.localAddress());
            long deadline = System.nanoTime() + 5_000_000_000L;
            while ((accepted = listener.accept()) == null) {
                assertTrue(System.nanoTime() < deadline);
                Thread.yield();
            }
            FileHandle socketHandle = new FileHandle(accepted.handle());
            EventLoop loop = group.next();
            IoRegistration registration = register(loop, socketHandle);
            CompletableFuture<Object[]> read = readOnLoop(loop, socketHandle);
            CompletableFuture<Integer> inFlight = new CompletableFuture<>();
            loop.execute(() -> inFlight.complete(socketHandle.io.inFlight()));
            assertEquals(1, inFlight.get(5, TimeUnit.SECONDS));
            group.shutdownGracefully(0, 5, TimeUnit.SECONDS).sync();
            // The owner hears of the cancellation, so that it can free what it holds for the call.
            assertEquals(0xC0000120, read.get(5, TimeUnit.SECONDS)[0], "STATUS_CANCELLED");
        } finally {
            group.shutdownGracefully(0, 5, TimeUnit.SECONDS).sync();
            if (accepted != null) {
                accepted.close();
            }
            client.close();
            listener.close();
        }
        assertEquals(baseline, NativeMemory.liveBlocks(), "the operation's block is freed by the drain");
    }
}
