package io.winloop;

import com.sun.jna.WString;
import io.netty.buffer.ByteBuf;
import io.netty.channel.AbstractChannel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelMetadata;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.channel.FileRegion;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.netty.util.concurrent.Promise;
import io.netty.util.internal.StringUtil;
import io.winloop.internal.overlapped.OverlappedIo;
import io.winloop.internal.overlapped.OverlappedOp;
import io.winloop.internal.overlapped.PortBinding;
import io.winloop.internal.pipe.PipeConnector;
import io.winloop.internal.pipe.PipeErrors;
import io.winloop.internal.pipe.PipeInstances;
import io.winloop.internal.pipe.PipeNames;
import io.winloop.internal.pipe.PipeSecurity;
import io.winloop.internal.win.ByteBufAddress;
import io.winloop.internal.win.Kernel32;
import io.winloop.internal.win.NativeMemory;
import io.winloop.internal.win.Ntdll;
import io.winloop.internal.win.WinError;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ConnectionPendingException;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.WritableByteChannel;
import java.util.concurrent.TimeUnit;

/**
 * One end of a Windows named pipe in byte mode, as a Netty {@link DuplexChannel} (Netty's domain socket channel for
 * Windows): the client end made by connecting to a {@link NamedPipeAddress}, or the server end a
 * {@link WinloopNamedPipeServerChannel} accepted.
 *
 * <p>Reads and writes are overlapped {@code ReadFile} / {@code WriteFile} completing on the event loop's completion
 * port. At most one read is in flight, into a buffer of the {@link RecvByteBufAllocator}'s guess; each completed read
 * fires {@code channelRead} then {@code channelReadComplete}, and the next read is started only while auto-read is
 * on or {@code read()} was called. At most one write is in flight: a buffer with a native address is written in
 * place; several small flushed buffers (and file regions) are copied into one direct buffer of up to 64 KiB. A
 * pipe write completes whole, so the outbound buffer (and writability) shrinks as writes complete.
 *
 * <p>End of stream ({@code ERROR_BROKEN_PIPE}: the other end closed) closes the channel, or with
 * {@code ALLOW_HALF_CLOSURE} fires {@code ChannelInputShutdownEvent} and {@code ChannelInputShutdownReadComplete}
 * and leaves it open (writes then fail with {@code ERROR_NO_DATA}). A pipe has no half-close on the wire: the other
 * end cannot learn that this one stopped writing short of a close, so {@link #shutdownOutput()} fails with
 * {@link UnsupportedOperationException} rather than pretend. {@link #shutdownInput()} only stops reading.
 *
 * <p>A client whose server has every instance busy ({@code ERROR_PIPE_BUSY}) retries the open on the event loop
 * (the documented busy-retry, without {@code WaitNamedPipe}, which would block the loop) until the connect timeout.
 * The client opens with {@code SECURITY_IDENTIFICATION}: the server may learn who connected but cannot impersonate
 * the client.
 */
public final class WinloopNamedPipeChannel extends AbstractChannel implements DuplexChannel {
    private static final ChannelMetadata METADATA = new ChannelMetadata(false, 16);
    /** Writes of buffers smaller than this are gathered (copied) with the ones flushed after them. */
    private static final int GATHER_BELOW = 16 * 1024;
    private static final int MAX_GATHER = 64 * 1024;
    private static final long FIRST_BUSY_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long MAX_BUSY_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final WinloopNamedPipeChannelConfig config;
    private volatile long handle = Kernel32.INVALID_HANDLE_VALUE;
    private volatile boolean open = true;
    private volatile boolean active;
    private volatile boolean inputShutdown;
    private volatile NamedPipeAddress local;
    private volatile NamedPipeAddress remote;

    /** The handle and the port it is associated with (the port of the loop the channel is registered with). */
    private PortBinding binding;
    /** The overlapped operations of the loop the channel is registered with; its read and write operations. */
    private OverlappedIo io;
    private OverlappedOp readOperation;
    private OverlappedOp writeOperation;
    private boolean readInFlight;
    /** After close: the handle to close when the last call in flight on it completed. */
    private long closingHandle = Kernel32.INVALID_HANDLE_VALUE;
    /** The read in flight is the zero-byte watch of an idle channel ({@link #watchIfIdle()}). */
    private boolean watching;
    /** A DWORD for PeekNamedPipe (allocated on first use, freed on close). */
    private long peekScratch;
    private boolean writeInFlight;
    /** The file region the write in flight came from, or null. */
    private FileRegion writeRegion;
    private boolean readPending;
    /** End of stream or a read error was seen: no read is started again (not even from channelReadComplete). */
    private boolean readEnded;
    /**
     * The read error (end of stream included) whose close waits for the write in flight to complete, or 0: see
     * {@link #readFailed}.
     */
    private int readEndAfterWrite;
    private IoRegistration registration;

    // A move to another loop (or back to this one) with calls in flight: see startMove().
    /** Set on the old loop from the deregistration until the last call in flight there completed. */
    private boolean moving;
    /** Completed on the old loop when its last call in flight completed; the next registration waits for it. */
    private volatile Promise<Void> moveDrained;
    /** Bytes a read in flight got before the move: the first bytes delivered after it. */
    private ByteBuf carriedRead;
    /** The buffer of the write in flight at the move, with its outcome, applied after it. */
    private ByteBuf carriedWrite;
    private int carriedWriteStatus;
    private int carriedWriteBytes;

    private ChannelPromise connectPromise;
    private Future<?> connectRetryFuture;

    /** A client channel: connect it to a {@link NamedPipeAddress}. */
    public WinloopNamedPipeChannel() {
        super(null);
        config = new WinloopNamedPipeChannelConfig(this);
    }

    /**
     * An accepted server end. Its handle is associated with no port yet (thread-based accept) or with the server
     * loop's (port-based accept): the loop it is registered with associates it with its own, moving it if needed and
     * possible (WinloopIoHandler.register, PortBinding).
     */
    WinloopNamedPipeChannel(WinloopNamedPipeServerChannel parent, PortBinding accepted, NamedPipeAddress address) {
        super(parent);
        config = new WinloopNamedPipeChannelConfig(this);
        this.handle = accepted.handle();
        this.binding = accepted;
        this.active = true;
        this.local = address;
        this.remote = address;
    }

    @Override
    public WinloopNamedPipeChannelConfig config() {
        return config;
    }

    @Override
    public ChannelMetadata metadata() {
        return METADATA;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    @Override
    public boolean isActive() {
        return active;
    }

    @Override
    public WinloopNamedPipeServerChannel parent() {
        return (WinloopNamedPipeServerChannel) super.parent();
    }

    @Override
    public NamedPipeAddress localAddress() {
        return (NamedPipeAddress) super.localAddress();
    }

    @Override
    public NamedPipeAddress remoteAddress() {
        return (NamedPipeAddress) super.remoteAddress();
    }

    @Override
    protected SocketAddress localAddress0() {
        return local;
    }

    @Override
    protected SocketAddress remoteAddress0() {
        return remote;
    }

    @Override
    protected boolean isCompatible(EventLoop loop) {
        return loop instanceof IoEventLoop && ((IoEventLoop) loop).isCompatible(PipeUnsafe.class);
    }

    @Override
    protected AbstractUnsafe newUnsafe() {
        return new PipeUnsafe();
    }

    @Override
    protected void doRegister(ChannelPromise promise) {
        Promise<Void> drained = moveDrained;
        if (drained != null) {
            if (!drained.isDone()) {
                // The previous loop has not seen the last completion of the move yet: register once it has.
                drained.addListener(f -> eventLoop().execute(() -> doRegister(promise)));
                return;
            }
            moveDrained = null;
            if (!open) {
                promise.setFailure(new ClosedChannelException());
                return;
            }
        }
        ((IoEventLoop) eventLoop()).register((PipeUnsafe) unsafe()).addListener(f -> {
            if (f.isSuccess()) {
                registration = (IoRegistration) f.getNow();
                promise.setSuccess(); // runs channelActive and, with auto-read, the first read
                resumeWrites();
                watchIfIdle();
            } else {
                promise.setFailure(f.cause());
            }
        });
    }

    @Override
    protected void doDeregister() {
        // Operations belong to the loop that made them: give them up here, the next loop makes new ones. (The handle
        // itself moves only where Windows can move it: PortBinding.) A closed channel keeps them until its calls
        // in flight completed: their completions close the handle (finishClose).
        if (closingHandle == Kernel32.INVALID_HANDLE_VALUE) {
            if (isAnyCallInFlight()) {
                startMove();
            } else {
                releaseOperations();
            }
        }
        IoRegistration registration = this.registration;
        if (registration != null) {
            registration.cancel();
        }
    }

    /**
     * Deregistered with calls in flight: their completions, which this (old) loop still dequeues, are kept instead
     * of acted on, and applied after the next registration, which waits for them ({@link #moveDrained}): the handle
     * may change ports only with nothing in flight on it (PortBinding), and the channel's state is the old loop's
     * until then. The read is cancelled; bytes it got before the cancel took are the first delivered after the move.
     * The write is left to complete (the peer reading it), because a cancelled write's byte count cannot be trusted:
     * under Wine it says 0 after the reader took part of the data (tools/probes/pipe-probe.c), and writing it again
     * would repeat those bytes (WinloopNamedPipeTest.reRegisteringWithCallsInFlightLosesAndRepeatsNothing).
     */
    private void startMove() {
        moving = true;
        moveDrained = ImmediateEventExecutor.INSTANCE.newPromise();
        if (readInFlight) {
            readOperation.cancel();
        }
    }

    private void readCompletedWhileMoving(ByteBuf buf, int status, int bytes) {
        readInFlight = false;
        boolean watch = watching;
        watching = false;
        if (!watch && open && bytes > 0 && (status == Ntdll.STATUS_SUCCESS || status == Ntdll.STATUS_CANCELLED)) {
            buf.writerIndex(buf.writerIndex() + bytes);
            carriedRead = buf;
        } else {
            ReferenceCountUtil.safeRelease(buf);
        }
        finishMoveIfDrained();
    }

    private void writeCompletedWhileMoving(ByteBuf data, int status, int bytes) {
        // writeInFlight stays set: no write may start before this outcome is applied (resumeWrites). A write
        // is cancelled only by a close or the old loop's shutdown: applied, that fails the write and closes.
        carriedWrite = data;
        carriedWriteStatus = status;
        carriedWriteBytes = bytes;
        finishMoveIfDrained();
    }

    private void finishMoveIfDrained() {
        if (isAnyCallInFlight()) {
            return;
        }
        readOperation.release();
        readOperation = null;
        writeOperation.release();
        writeOperation = null;
        moving = false;
        moveDrained.setSuccess(null);
    }

    /**
     * After a registration: the write in flight at a move is applied as if it completed now, which continues the
     * flush; without one, what was flushed while the channel was off its loop is written now.
     */
    private void resumeWrites() {
        ByteBuf data = carriedWrite;
        if (data != null) {
            carriedWrite = null;
            writeCompleted(data, carriedWriteStatus, carriedWriteBytes);
        } else if (active) {
            ((PipeUnsafe) unsafe()).flushAfterWrite();
        }
    }

    /** Delivers the bytes a read got before the move, as one read batch, then reads on as asked. */
    private void deliverCarriedRead() {
        ByteBuf buf = carriedRead;
        carriedRead = null;
        if (!open || inputShutdown) {
            buf.release();
            return;
        }
        RecvByteBufAllocator.Handle allocHandle = unsafe().recvBufAllocHandle();
        allocHandle.reset(config);
        allocHandle.lastBytesRead(buf.readableBytes());
        allocHandle.incMessagesRead(1);
        readPending = false;
        pipeline().fireChannelRead(buf);
        allocHandle.readComplete();
        pipeline().fireChannelReadComplete();
        readOnOrWatch();
    }

    private void releaseOperations() {
        if (readOperation != null) {
            readOperation.release();
            readOperation = null;
            readInFlight = false;
            watching = false;
        }
        if (writeOperation != null) {
            writeOperation.release();
            writeOperation = null;
            writeInFlight = false;
        }
    }

    @Override
    protected void doBind(SocketAddress localAddress) {
        throw new UnsupportedOperationException("a named pipe client has no local address to bind; bind a "
                + StringUtil.simpleClassName(WinloopNamedPipeServerChannel.class) + " instead");
    }

    @Override
    protected void doDisconnect() throws Exception {
        doClose();
    }

    @Override
    protected void doClose() throws Exception {
        open = false;
        active = false;
        ChannelPromise promise = connectPromise;
        if (promise != null) {
            promise.tryFailure(new ClosedChannelException());
            connectPromise = null;
        }
        if (connectRetryFuture != null) {
            connectRetryFuture.cancel(false);
            connectRetryFuture = null;
        }
        long h = handle;
        handle = Kernel32.INVALID_HANDLE_VALUE;
        // Cancel what is in flight and close the handle once those calls completed: Wine's asynchronous I/O finds
        // its file through the HANDLE at every step, so a handle closed (and its value reused) under a call in
        // flight could let that call touch another file (notes of the overlapped mechanism). Each cancelled call
        // still completes (STATUS_CANCELLED, or STATUS_PIPE_BROKEN: tools/probes/pipe-probe.c), also during the
        // loop's shutdown drain. Data already written stays readable by the other end until it reads end of stream
        // (no DisconnectNamedPipe, which would drop it).
        if (binding != null) {
            binding.cancelAll();
        }
        closingHandle = h;
        Promise<Void> drained = moveDrained;
        if (drained != null) {
            // Closed during a move: the handle closes once the old loop saw its calls complete (at once if it has).
            drained.addListener(f -> finishClose());
        } else if (!isAnyCallInFlight()) {
            finishClose();
        }
    }

    private boolean isAnyCallInFlight() {
        return readOperation != null && readOperation.isInFlight()
                || writeOperation != null && writeOperation.isInFlight();
    }

    /** The handle of a closed channel, closed once no call is in flight on it. */
    private void finishClose() {
        releaseOperations();
        if (carriedRead != null) {
            carriedRead.release();
            carriedRead = null;
        }
        if (carriedWrite != null) {
            carriedWrite.release(); // its message is failed with the rest of the outbound buffer
            carriedWrite = null;
        }
        long h = closingHandle;
        closingHandle = Kernel32.INVALID_HANDLE_VALUE;
        if (h != Kernel32.INVALID_HANDLE_VALUE) {
            Kernel32.CloseHandle(h);
        }
        if (peekScratch != 0) {
            NativeMemory.free(peekScratch);
            peekScratch = 0;
        }
    }

    @Override
    protected void doBeginRead() {
        readPending = true;
        if (carriedRead != null) {
            deliverCarriedRead();
            return;
        }
        if (!readInFlight && !readEnded && active && !inputShutdown && isRegistered()) {
            startRead(true);
        }
    }

    /** A client's opened handle: associates it with this loop's port. */
    private void attach(long pipe) throws IOException {
        PortBinding opened = new PortBinding(pipe);
        io.bind(opened);
        binding = opened;
    }

    /** Called when registered with a loop: the operations come from that loop's OverlappedIo. */
    private void createOperations(OverlappedIo loopIo) {
        io = loopIo;
        if (!open) {
            return;
        }
        releaseOperations();
        readOperation = loopIo.newOp(0, (op, status, bytes) -> readCompleted((ByteBuf) op.detach(), status,
                (int) bytes));
        writeOperation = loopIo.newOp(0, (op, status, bytes) -> writeCompleted((ByteBuf) op.detach(), status,
                (int) bytes));
    }

    /** Starts a ReadFile: the first of a read batch ({@code newBatch}), or the next one within it. */
    private void startRead(boolean newBatch) {
        RecvByteBufAllocator.Handle allocHandle = unsafe().recvBufAllocHandle();
        if (newBatch) {
            allocHandle.reset(config);
        }
        ByteBuf buf = allocHandle.allocate(config.getAllocator());
        long address = ByteBufAddress.of(buf, buf.writerIndex(), buf.writableBytes());
        if (address == 0) {
            // A heap allocator: the kernel needs memory that does not move.
            int capacity = buf.writableBytes();
            buf.release();
            buf = alloc().directBuffer(capacity);
            address = ByteBufAddress.of(buf, buf.writerIndex(), buf.writableBytes());
        }
        int length = buf.writableBytes();
        allocHandle.attemptedBytesRead(length);
        long overlapped;
        try {
            overlapped = readOperation.prepare(binding, 0);
        } catch (IOException e) {
            buf.release();
            pipeline().fireExceptionCaught(e);
            unsafe().close(unsafe().voidPromise());
            return;
        }
        if (Kernel32.ReadFile(handle, address, length, 0, overlapped) == 0) {
            int error = WinError.lastError();
            if (error != WinError.ERROR_IO_PENDING) {
                // Failed at once: no completion will come (pipe-probe.c, "ReadFile after client closed").
                buf.release();
                readFailed(error);
                return;
            }
        }
        // TRUE or ERROR_IO_PENDING: a completion comes, and buf is the kernel's until then.
        readOperation.attach(buf);
        readOperation.started();
        readInFlight = true;
    }

    /**
     * While the channel is not reading (auto-read off, no read() asked), a zero-byte ReadFile stays pending: it
     * completes when data arrives (leaving it unread: pipe-probe.c) or fails with ERROR_BROKEN_PIPE when the other
     * end closes, so a channel that does not read still learns that its peer is gone (epoll's EPOLLRDHUP).
     */
    private void watchIfIdle() {
        if (!open || !active || inputShutdown || readEnded || readInFlight || readOperation == null) {
            return;
        }
        if (peekScratch == 0) {
            peekScratch = NativeMemory.allocate(8);
        }
        long overlapped;
        try {
            overlapped = readOperation.prepare(binding, 0);
        } catch (IOException e) {
            return;
        }
        if (Kernel32.ReadFile(handle, peekScratch, 0, 0, overlapped) == 0) {
            int error = WinError.lastError();
            if (error != WinError.ERROR_IO_PENDING) {
                if (PipeErrors.isEndOfStream(error)) {
                    readFailed(error);
                }
                return;
            }
        }
        readOperation.started();
        readInFlight = true;
        watching = true;
    }

    private void watchCompleted(int status) {
        watching = false;
        if (!open || inputShutdown) {
            return;
        }
        if (status == Ntdll.STATUS_SUCCESS) {
            // Data arrived: read it if asked to meanwhile, else leave it in the pipe until read().
            if (readPending || config.isAutoRead()) {
                startRead(true);
            }
            return;
        }
        int error = PipeErrors.errorOfStatus(status);
        if (error == WinError.ERROR_OPERATION_ABORTED) {
            watchIfIdle();
            return;
        }
        readFailed(error);
    }

    private void readCompleted(ByteBuf buf, int status, int bytes) {
        if (moving) {
            readCompletedWhileMoving(buf, status, bytes);
            return;
        }
        readInFlight = false;
        if (!open) {
            ReferenceCountUtil.safeRelease(buf);
            watching = false;
            if (closingHandle != Kernel32.INVALID_HANDLE_VALUE && !isAnyCallInFlight()) {
                finishClose();
            }
            return;
        }
        if (watching) {
            watchCompleted(status);
            return;
        }
        if (!open || inputShutdown) {
            buf.release();
            return;
        }
        if (status != Ntdll.STATUS_SUCCESS) {
            buf.release();
            readFailed(PipeErrors.errorOfStatus(status));
            return;
        }
        RecvByteBufAllocator.Handle allocHandle = unsafe().recvBufAllocHandle();
        ChannelPipeline pipeline = pipeline();
        if (bytes > 0) {
            buf.writerIndex(buf.writerIndex() + bytes);
            allocHandle.lastBytesRead(bytes);
            allocHandle.incMessagesRead(1);
            readPending = false;
            pipeline.fireChannelRead(buf);
        } else {
            buf.release();
            allocHandle.lastBytesRead(0);
        }
        // Netty's read loop: more reads in this batch while the allocator asks for them and bytes are waiting. A
        // ReadFile starts within a batch only when PeekNamedPipe sees bytes (it then completes at once), so
        // channelReadComplete is never held back by a read that waits for the peer.
        if (bytes > 0 && open && active && !inputShutdown && !readEnded && !readInFlight
                && allocHandle.continueReading() && bytesAvailable() > 0) {
            startRead(false);
            return; // in flight: the batch goes on; failed at once: readFailed ended it
        }
        allocHandle.readComplete();
        pipeline.fireChannelReadComplete();
        readOnOrWatch();
    }

    /** After a read batch: the next batch when asked for (auto-read or read()), else the idle watch. */
    private void readOnOrWatch() {
        if (open && active && !inputShutdown && !readEnded && !readInFlight
                && (readPending || config.isAutoRead())) {
            startRead(true);
        } else {
            watchIfIdle();
        }
    }

    /** Bytes waiting in the pipe (0 when unknown). */
    private int bytesAvailable() {
        if (peekScratch == 0) {
            peekScratch = NativeMemory.allocate(8);
        }
        if (Kernel32.PeekNamedPipe(handle, 0, 0, 0, peekScratch, 0) == 0) {
            return 0; // broken or closed: the next read reports it
        }
        return NativeMemory.getInt(peekScratch);
    }

    private void readFailed(int error) {
        if (error == WinError.ERROR_OPERATION_ABORTED && (!open || inputShutdown)) {
            return; // our own cancel
        }
        readEnded = true;
        RecvByteBufAllocator.Handle allocHandle = unsafe().recvBufAllocHandle();
        readPending = false;
        allocHandle.lastBytesRead(-1);
        allocHandle.readComplete();
        pipeline().fireChannelReadComplete();
        if (writeInFlight && !(PipeErrors.isEndOfStream(error) && config.isAllowHalfClosure())) {
            // A write is in flight and this would close the channel, failing the write's messages. The system may
            // have completed that write already: Windows does not order the packets of one dequeued batch, so the
            // peer's close can arrive before the success of a write it has read. The write's completion decides
            // first (writeCompleted), then the channel ends.
            readEndAfterWrite = error;
            return;
        }
        readEnded(error);
    }

    private void readEnded(int error) {
        if (PipeErrors.isEndOfStream(error)) {
            endOfStream();
        } else {
            pipeline().fireExceptionCaught(PipeErrors.newException("ReadFile(" + remote + ")", error));
            unsafe().close(unsafe().voidPromise());
        }
    }

    private void endOfStream() {
        if (config.isAllowHalfClosure()) {
            if (!inputShutdown) {
                inputShutdown = true;
                pipeline().fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
                pipeline().fireUserEventTriggered(ChannelInputShutdownReadComplete.INSTANCE);
            }
        } else {
            unsafe().close(unsafe().voidPromise());
        }
    }

    @Override
    protected Object filterOutboundMessage(Object msg) {
        if (msg instanceof ByteBuf) {
            ByteBuf buf = (ByteBuf) msg;
            if (ByteBufAddress.of(buf, buf.readerIndex(), buf.readableBytes()) != 0 || !buf.isReadable()) {
                return buf;
            }
            // Heap (or a composite): one direct copy, as the socket channels make.
            ByteBuf direct = alloc().directBuffer(buf.readableBytes());
            direct.writeBytes(buf, buf.readerIndex(), buf.readableBytes());
            ReferenceCountUtil.safeRelease(buf);
            return direct;
        }
        if (msg instanceof FileRegion) {
            return msg;
        }
        throw new UnsupportedOperationException("unsupported message type: " + StringUtil.simpleClassName(msg)
                + " (expected: ByteBuf, FileRegion)");
    }

    @Override
    protected void doWrite(ChannelOutboundBuffer in) throws Exception {
        if (writeInFlight) {
            return; // writeCompleted continues the flush
        }
        if (!isRegistered()) {
            return; // off its loop: the next registration continues the flush (doRegister)
        }
        for (;;) {
            Object msg = in.current();
            if (msg == null) {
                return;
            }
            if (msg instanceof ByteBuf) {
                ByteBuf buf = (ByteBuf) msg;
                int readable = buf.readableBytes();
                if (readable == 0) {
                    in.remove();
                    continue;
                }
                if (readable < GATHER_BELOW && in.size() > 1) {
                    startWrite(gather(in), null);
                } else {
                    startWrite(buf.retainedSlice(buf.readerIndex(), Math.min(readable, Integer.MAX_VALUE)), null);
                }
                return;
            }
            FileRegion region = (FileRegion) msg;
            if (region.transferred() >= region.count()) {
                in.remove();
                continue;
            }
            ByteBuf staging = alloc().directBuffer((int) Math.min(MAX_GATHER, region.count() - region.transferred()));
            long copied;
            try {
                copied = region.transferTo(new StagingChannel(staging), region.transferred());
            } catch (Throwable t) {
                staging.release();
                throw t;
            }
            if (copied <= 0) {
                staging.release();
                throw new IOException("FileRegion.transferTo copied nothing at " + region.transferred() + " of "
                        + region.count() + ": " + region);
            }
            startWrite(staging, region);
            return;
        }
    }

    /** Copies the flushed ByteBufs (up to 64 KiB) into one direct buffer: one WriteFile instead of many. */
    private ByteBuf gather(ChannelOutboundBuffer in) throws Exception {
        final ByteBuf staging = alloc().directBuffer((int) Math.min(MAX_GATHER, Math.max(in.totalPendingWriteBytes(),
                1)));
        in.forEachFlushedMessage(msg -> {
            if (!(msg instanceof ByteBuf)) {
                return false;
            }
            ByteBuf buf = (ByteBuf) msg;
            int n = Math.min(buf.readableBytes(), staging.writableBytes());
            staging.writeBytes(buf, buf.readerIndex(), n);
            return staging.isWritable();
        });
        return staging;
    }

    private void startWrite(ByteBuf data, FileRegion region) throws IOException {
        int length = data.readableBytes();
        long address = ByteBufAddress.of(data, data.readerIndex(), length);
        long overlapped;
        try {
            overlapped = writeOperation.prepare(binding, 0);
        } catch (IOException | RuntimeException e) {
            data.release();
            throw e;
        }
        if (Kernel32.WriteFile(handle, address, length, 0, overlapped) == 0) {
            int error = WinError.lastError();
            if (error != WinError.ERROR_IO_PENDING) {
                data.release();
                throw PipeErrors.newException("WriteFile(" + remote + ")", error);
            }
        }
        // A completion comes; the kernel reads data until then (a pipe write completes whole: pipe-probe.c).
        writeOperation.attach(data);
        writeOperation.started();
        writeInFlight = true;
        writeRegion = region;
    }

    private void writeCompleted(ByteBuf data, int status, int bytes) {
        if (moving) {
            writeCompletedWhileMoving(data, status, bytes);
            return;
        }
        FileRegion region = writeRegion;
        writeRegion = null;
        data.release();
        ChannelOutboundBuffer in = unsafe().outboundBuffer();
        if (!open || in == null) {
            writeInFlight = false;
            if (closingHandle != Kernel32.INVALID_HANDLE_VALUE && !isAnyCallInFlight()) {
                finishClose();
            }
            return;
        }
        // writeInFlight stays set while the outbound buffer is updated: a promise listener that writes and flushes
        // must not start a WriteFile from entries this completion is still removing (that would send them twice).
        if (status != Ntdll.STATUS_SUCCESS) {
            int error = PipeErrors.errorOfStatus(status);
            IOException cause = PipeErrors.newException("WriteFile(" + remote + ")", error);
            in.remove(cause);
            writeInFlight = false;
            if (error != WinError.ERROR_OPERATION_ABORTED) {
                pipeline().fireExceptionCaught(cause);
            }
            unsafe().close(unsafe().voidPromise());
            return;
        }
        if (region != null) {
            in.progress(bytes);
            if (region.transferred() >= region.count()) {
                in.remove();
            }
        } else {
            in.removeBytes(bytes);
        }
        writeInFlight = false;
        int readError = readEndAfterWrite;
        if (readError != 0) {
            readEndAfterWrite = 0;
            readEnded(readError); // the other end left: what is still queued fails with the close
            return;
        }
        ((PipeUnsafe) unsafe()).flushAfterWrite();
    }

    // A closed (or never connected) channel counts as shut down, as NIO's does.
    @Override
    public boolean isInputShutdown() {
        return inputShutdown || !active;
    }

    /** Always false while active: a pipe's output cannot be shut down alone (see {@link #shutdownOutput()}). */
    @Override
    public boolean isOutputShutdown() {
        return !active;
    }

    @Override
    public boolean isShutdown() {
        return !active;
    }

    @Override
    public ChannelFuture shutdownInput() {
        return shutdownInput(newPromise());
    }

    /** Stops reading (a read in flight is cancelled); the other end is not told, as a pipe cannot tell it. */
    @Override
    public ChannelFuture shutdownInput(ChannelPromise promise) {
        EventLoop loop = eventLoop();
        if (loop.inEventLoop()) {
            shutdownInput0(promise);
        } else {
            loop.execute(() -> shutdownInput0(promise));
        }
        return promise;
    }

    private void shutdownInput0(ChannelPromise promise) {
        if (!active) {
            promise.setFailure(open ? new NotYetConnectedException() : new ClosedChannelException());
            return;
        }
        inputShutdown = true;
        if (readInFlight) {
            readOperation.cancel(); // its completion (STATUS_CANCELLED) releases the buffer
        }
        promise.setSuccess();
    }

    @Override
    public ChannelFuture shutdownOutput() {
        return shutdownOutput(newPromise());
    }

    /**
     * Fails: a named pipe has no half-close. The other end learns that this one is done only when it is closed, and
     * closing ends both directions; faking it (reporting success while the other end still waits) would hang
     * protocols that wait for end of stream. Close the channel instead, or frame the end in the protocol.
     */
    @Override
    public ChannelFuture shutdownOutput(ChannelPromise promise) {
        promise.setFailure(new UnsupportedOperationException("a named pipe cannot shut down its output alone "
                + "(no half-close on a pipe: the other end sees end of stream only when this end closes)"));
        return promise;
    }

    @Override
    public ChannelFuture shutdown() {
        return shutdown(newPromise());
    }

    @Override
    public ChannelFuture shutdown(ChannelPromise promise) {
        return shutdownOutput(promise);
    }

    private final class PipeUnsafe extends AbstractUnsafe implements WinloopOverlappedHandle {
        @Override
        public void handle(IoRegistration registration, IoEvent event) {
            // Never called: a pipe's completions come through its OverlappedOps.
        }

        @Override
        public PortBinding portBinding() {
            return binding; // null for a client until it connects
        }

        @Override
        public void overlappedIo(OverlappedIo loopIo) {
            createOperations(loopIo);
        }

        @Override
        public void close() {
            close(voidPromise());
        }

        @Override
        protected void flush0() {
            if (!writeInFlight) {
                super.flush0();
            }
        }

        void flushAfterWrite() {
            super.flush0();
        }

        @Override
        public void connect(SocketAddress remoteAddress, SocketAddress localAddress, ChannelPromise promise) {
            if (!promise.setUncancellable() || !ensureOpen(promise)) {
                return;
            }
            try {
                if (connectPromise != null) {
                    throw new ConnectionPendingException();
                }
                if (active || handle != Kernel32.INVALID_HANDLE_VALUE) {
                    throw new AlreadyConnectedException();
                }
                if (localAddress != null) {
                    throw new UnsupportedOperationException("a named pipe client has no local address: "
                            + localAddress);
                }
                if (!(remoteAddress instanceof NamedPipeAddress)) {
                    throw new UnsupportedOperationException("unsupported address type: "
                            + (remoteAddress == null ? "null" : remoteAddress.getClass().getName())
                            + " (expected: " + NamedPipeAddress.class.getName() + ")");
                }
                NamedPipeAddress address = (NamedPipeAddress) remoteAddress;
                if (address.isEphemeral()) {
                    throw new IllegalArgumentException("cannot connect to an ephemeral pipe address, " + address
                            + ": it names no pipe until a server binds it; connect to that server channel's "
                            + "localAddress()");
                }
                int timeout = config.getConnectTimeoutMillis();
                long deadline = timeout > 0 ? System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeout) : 0;
                if (!tryOpen(address)) {
                    connectPromise = promise;
                    scheduleRetry(address, deadline, FIRST_BUSY_RETRY_NANOS, timeout);
                    return;
                }
                connected(promise, address);
            } catch (Throwable t) {
                promise.tryFailure(t);
                closeIfClosed();
            }
        }

        /**
         * Opens the client end: true when open, false when every instance is busy (ERROR_PIPE_BUSY). Through the
         * unnormalized path (PipeNames), then checked: a pipe, owned by someone the owner policy trusts.
         */
        private boolean tryOpen(NamedPipeAddress address) throws IOException {
            long pipe = Kernel32.CreateFileW(new WString(PipeNames.unnormalizedPath(address.name())),
                    PipeConnector.CLIENT_ACCESS, 0, 0, Kernel32.OPEN_EXISTING,
                    Kernel32.FILE_FLAG_OVERLAPPED | Kernel32.SECURITY_SQOS_PRESENT
                            | Kernel32.SECURITY_IDENTIFICATION, 0);
            if (pipe == Kernel32.INVALID_HANDLE_VALUE) {
                int error = WinError.lastError();
                if (error == WinError.ERROR_PIPE_BUSY) {
                    return false;
                }
                throw PipeErrors.newConnectException("CreateFile(" + address + ")", error);
            }
            try {
                PipeInstances.checkIsPipe(pipe, "CreateFile(" + address + ")");
                checkOwner(pipe, address);
                attach(pipe);
            } catch (IOException | RuntimeException e) {
                Kernel32.CloseHandle(pipe);
                throw e;
            }
            handle = pipe;
            return true;
        }

        /** Fails unless the pipe's owner is one the channel's {@link NamedPipeOwnerPolicy} trusts. */
        private void checkOwner(long pipe, NamedPipeAddress address) throws IOException {
            NamedPipeOwnerPolicy policy = config.getOwnerPolicy();
            if (policy.isAnyOwner()) {
                return;
            }
            String owner = PipeSecurity.readOwner(pipe);
            String user = PipeSecurity.currentUserSid();
            if (!policy.accepts(owner, user)) {
                throw new ConnectException("connect(" + address + ") refused: the pipe is owned by "
                        + (owner == null ? "no one (its security descriptor names no owner)" : owner)
                        + ", not by " + policy.describe(user) + " (PIPE_OWNER_POLICY): another user's process may "
                        + "have created this name first. Nothing was written to it.");
            }
        }

        private void scheduleRetry(NamedPipeAddress address, long deadline, long delayNanos, int timeout) {
            connectRetryFuture = eventLoop().schedule(() -> {
                ChannelPromise promise = connectPromise;
                if (promise == null || promise.isDone()) {
                    return;
                }
                try {
                    if (tryOpen(address)) {
                        connectPromise = null;
                        connectRetryFuture = null;
                        connected(promise, address);
                    } else if (deadline != 0 && System.nanoTime() - deadline >= 0) {
                        connectPromise = null;
                        promise.tryFailure(new ConnectTimeoutException("connection timed out after " + timeout
                                + " ms: " + address + " (every instance busy: "
                                + WinError.describe(WinError.ERROR_PIPE_BUSY) + ")"));
                        close(voidPromise());
                    } else {
                        scheduleRetry(address, deadline, Math.min(delayNanos * 2, MAX_BUSY_RETRY_NANOS), timeout);
                    }
                } catch (Throwable t) {
                    connectPromise = null;
                    promise.tryFailure(t);
                    close(voidPromise());
                }
            }, delayNanos, TimeUnit.NANOSECONDS);
        }

        private void connected(ChannelPromise promise, NamedPipeAddress address) {
            remote = address;
            local = address;
            active = true;
            boolean promiseSet = promise.trySuccess();
            pipeline().fireChannelActive();
            if (!promiseSet) {
                close(voidPromise());
            } else {
                watchIfIdle();
            }
        }
    }

    /** Receives a file region's bytes into the staging buffer of the next WriteFile. */
    private static final class StagingChannel implements WritableByteChannel {
        private final ByteBuf staging;

        StagingChannel(ByteBuf staging) {
            this.staging = staging;
        }

        @Override
        public int write(ByteBuffer src) {
            int n = Math.min(src.remaining(), staging.writableBytes());
            ByteBuffer slice = src.duplicate();
            slice.limit(slice.position() + n);
            staging.writeBytes(slice);
            src.position(src.position() + n);
            return n;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {
        }
    }
}
