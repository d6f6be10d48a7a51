package io.winloop;

import io.netty.channel.IoHandle;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerContext;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.IoOps;
import io.netty.channel.IoRegistration;
import io.netty.util.concurrent.ThreadAwareExecutor;
import io.netty.util.internal.ObjectUtil;
import io.netty.util.internal.StringUtil;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import io.winloop.internal.afd.Afd;
import io.winloop.internal.afd.AfdPoller;
import io.winloop.internal.iocp.CompletionLoop;
import io.winloop.internal.afd.SocketPollState;
import io.winloop.internal.overlapped.OverlappedIo;
import io.winloop.internal.overlapped.PortBinding;
import io.winloop.internal.port.LoopPort;
import io.winloop.internal.win.NativeMemory;
import io.winloop.internal.win.Winsock;
import io.winloop.internal.win.WsaBufArray;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Netty 4.2 {@link IoHandler} on an I/O completion port with AFD polling: one port per event loop ({@link LoopPort},
 * which reaps one {@code GetQueuedCompletionStatusEx} batch per turn and sends each entry to its owner), at most one
 * IOCTL_AFD_POLL in flight per socket, and wake-ups posted to the port (at most one per sleep). The same port carries the overlapped operations the
 * channels start (TransmitFile, pipe reads and writes): a handle is given the loop's {@link OverlappedIo} when
 * it is registered ({@link WinloopIoHandle#overlappedIo}, {@link WinloopOverlappedHandle#overlappedIo}).
 *
 * <pre>{@code
 * EventLoopGroup group = new MultiThreadIoEventLoopGroup(WinloopIoHandler.newFactory());
 * }</pre>
 */
public final class WinloopIoHandler implements IoHandler {
    private static final InternalLogger logger = InternalLoggerFactory.getInstance(WinloopIoHandler.class);
    /** Completions reaped per wait unless told otherwise. */
    public static final int DEFAULT_BATCH_SIZE = 1024;
    private static final long AWAKE = -1L;
    private static final long NONE = Long.MAX_VALUE;
    private static final int CLOSE_DRAIN_MILLIS = 2000;

    private final ThreadAwareExecutor executor;
    private final int batchSize;
    private final AtomicLong nextWakeupNanos = new AtomicLong(AWAKE);
    private final Map<Registration, Boolean> registrations = new IdentityHashMap<>();
    private final WinloopIoEvent event = new WinloopIoEvent();
    private final AfdPoller.Listener listener = this::dispatch;
    private final long baseHandleScratch;
    private final WsaBufArray wsaBufs;
    private final LoopPort port;
    private final WinloopIoMode mode;
    /** The streams' completion-mode context; null in readiness mode. */
    private final CompletionLoop completion;
    private boolean destroyed;

    private WinloopIoHandler(ThreadAwareExecutor executor, int batchSize, WinloopIoMode mode) {
        this.executor = ObjectUtil.checkNotNull(executor, "executor");
        this.batchSize = batchSize;
        this.mode = mode;
        try {
            port = new LoopPort(batchSize);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot create the Winloop completion port", e);
        }
        completion = mode == WinloopIoMode.COMPLETION ? new CompletionLoop(port.overlapped()) : null;
        baseHandleScratch = NativeMemory.allocate(16);
        wsaBufs = new WsaBufArray();
    }

    /**
     * A factory of handlers reaping up to {@value #DEFAULT_BATCH_SIZE} completions per wait, in the mode of
     * {@code -Dio.winloop.ioMode} ({@link WinloopIoMode#fromSystemProperty()}: readiness unless set).
     */
    public static IoHandlerFactory newFactory() {
        return newFactory(DEFAULT_BATCH_SIZE);
    }

    /** A factory of handlers in {@code mode}, reaping up to {@value #DEFAULT_BATCH_SIZE} completions per wait. */
    public static IoHandlerFactory newFactory(WinloopIoMode mode) {
        return newFactory(DEFAULT_BATCH_SIZE, mode);
    }

    /**
     * A factory of handlers reaping up to {@code batchSize} completions per {@code GetQueuedCompletionStatusEx}.
     *
     * @throws UnsatisfiedLinkError when Winloop cannot run here (see {@link Winloop#unavailabilityCause()})
     */
    public static IoHandlerFactory newFactory(final int batchSize) {
        return newFactory(batchSize, WinloopIoMode.fromSystemProperty());
    }

    /**
     * A factory of handlers in {@code mode}, reaping up to {@code batchSize} completions per
     * {@code GetQueuedCompletionStatusEx}.
     *
     * @throws UnsatisfiedLinkError when Winloop cannot run here (see {@link Winloop#unavailabilityCause()})
     */
    public static IoHandlerFactory newFactory(final int batchSize, final WinloopIoMode mode) {
        Winloop.ensureAvailability();
        ObjectUtil.checkPositive(batchSize, "batchSize");
        ObjectUtil.checkNotNull(mode, "mode");
        return new IoHandlerFactory() {
            @Override
            public IoHandler newHandler(ThreadAwareExecutor executor) {
                return new WinloopIoHandler(executor, batchSize, mode);
            }

            @Override
            public boolean isChangingThreadSupported() {
                return true;
            }
        };
    }

    /** Completions reaped per wait. */
    public int batchSize() {
        return batchSize;
    }

    /** How this handler drives its TCP connections. */
    public WinloopIoMode mode() {
        return mode;
    }

    @Override
    public int run(IoHandlerContext context) {
        try {
            int dequeued;
            long deadline = context.deadlineNanos();
            nextWakeupNanos.set(deadline == -1L ? NONE : deadline);
            try {
                // canBlock() is asked after nextWakeupNanos is set, so a task submitted in between wakes us.
                int timeout = context.canBlock() ? timeoutMillis(context) : 0;
                if (completion != null && timeout != 0 && completion.idleReads().size() > 0) {
                    timeout = completion.idleReads().capTimeout(timeout, System.nanoTime());
                }
                dequeued = port.await(timeout);
            } finally {
                nextWakeupNanos.lazySet(AWAKE);
            }
            int handled;
            if (!context.shouldReportActiveIoTime()) {
                handled = port.process(dequeued, listener);
            } else {
                long start = System.nanoTime();
                handled = port.process(dequeued, listener);
                context.reportActiveIoTime(System.nanoTime() - start);
            }
            if (completion != null && completion.idleReads().size() > 0) {
                completion.idleReads().sweepIfDue(System.nanoTime());
            }
            return handled;
        } catch (Error e) {
            throw e;
        } catch (Throwable t) {
            handleLoopException(t);
            return 0;
        }
    }

    private static int timeoutMillis(IoHandlerContext context) {
        if (context.deadlineNanos() == -1L) {
            return -1; // INFINITE: nothing scheduled, only a wake-up or I/O ends the wait
        }
        long delayNanos = context.delayNanos(System.nanoTime());
        if (delayNanos <= 0) {
            return 0;
        }
        // Round up: waking before the deadline would only spin back into another wait.
        return (int) Math.min((delayNanos + 999_999L) / 1_000_000L, Integer.MAX_VALUE - 1);
    }

    private void dispatch(SocketPollState state, int events, int status) {
        Registration registration = (Registration) state.attachment();
        // Errors map to both readinesses (Afd.opsOf), so they reach whichever one the handle waits for.
        int ready = Afd.opsOf(events) & registration.ops;
        if (ready != 0) {
            registration.handle.handle(registration, event.set(ready, events, status));
        }
    }

    private void handleLoopException(Throwable t) {
        logger.warn("Unexpected exception in the Winloop event loop.", t);
        try {
            Thread.sleep(1000); // avoid a busy loop of failures
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void wakeup() {
        if (!executor.isExecutorThread(Thread.currentThread()) && nextWakeupNanos.getAndSet(AWAKE) != AWAKE) {
            try {
                port.wakeup();
            } catch (IOException e) {
                logger.warn("Failed to wake the Winloop event loop", e);
            }
        }
    }

    /**
     * Registers a socket ({@link WinloopIoHandle}: polled with AFD) or an overlapped-only handle
     * ({@link WinloopOverlappedHandle}: associated with this loop's port now; an IOException says why when it is
     * associated with another loop's port and cannot be moved).
     */
    @Override
    public IoRegistration register(IoHandle handle) throws Exception {
        if (!(handle instanceof WinloopIoHandle) && !(handle instanceof WinloopOverlappedHandle)) {
            throw new IllegalArgumentException("IoHandle of type " + StringUtil.simpleClassName(handle)
                    + " not supported by WinloopIoHandler (it takes WinloopIoHandle and WinloopOverlappedHandle)");
        }
        if (destroyed) {
            throw new IllegalStateException("WinloopIoHandler is destroyed");
        }
        Registration registration = new Registration(handle);
        if (handle instanceof WinloopIoHandle) {
            WinloopIoHandle socket = (WinloopIoHandle) handle;
            long base = Winsock.baseHandle(socket.socket(), baseHandleScratch);
            socket.overlappedIo(port.overlapped());
            if (completion != null) {
                socket.completionMode(completion); // may fail (the socket cannot join this port): nothing added yet
            }
            registration.state = port.afd().add(base, registration);
        } else {
            WinloopOverlappedHandle overlapped = (WinloopOverlappedHandle) handle;
            PortBinding binding = overlapped.portBinding();
            if (binding != null) {
                // None yet: a pipe client before it connects (it binds the handle it opens then).
                port.overlapped().bind(binding);
            }
            overlapped.overlappedIo(port.overlapped());
        }
        registrations.put(registration, Boolean.TRUE);
        handle.registered();
        return registration;
    }

    @Override
    public boolean isCompatible(Class<? extends IoHandle> handleType) {
        return WinloopIoHandle.class.isAssignableFrom(handleType)
                || WinloopOverlappedHandle.class.isAssignableFrom(handleType);
    }

    @Override
    public void prepareToDestroy() {
        closeAll();
    }

    /**
     * Closes every registered handle, then cancels its registration (closing deregisters it: netty#14539). Runs on
     * each shutdown turn and once more in {@link #destroy()}, because a channel can still be registered by the
     * tasks that run after the last {@link #prepareToDestroy()} (an accepted child, for one).
     */
    private void closeAll() {
        for (Registration registration : new ArrayList<>(registrations.keySet())) {
            try {
                registration.handle.close();
            } catch (Exception e) {
                logger.debug("Failed to close {}", registration.handle, e);
            }
            registration.cancel();
        }
    }

    @Override
    public void destroy() {
        if (destroyed) {
            return;
        }
        destroyed = true;
        if (!registrations.isEmpty()) {
            logger.debug("{} handle(s) registered after the last prepareToDestroy(); closing them now",
                    registrations.size());
            closeAll();
        }
        port.close(CLOSE_DRAIN_MILLIS);
        wsaBufs.release();
        NativeMemory.free(baseHandleScratch);
    }

    private final class Registration implements IoRegistration {
        final IoHandle handle;
        final AtomicBoolean cancelled = new AtomicBoolean();
        /** The AFD poll of a socket; null for an overlapped-only handle. */
        SocketPollState state;
        /** Interest, touched on the loop thread only. */
        int ops;

        Registration(IoHandle handle) {
            this.handle = handle;
        }

        @SuppressWarnings("unchecked")
        @Override
        public <T> T attachment() {
            return (T) wsaBufs;
        }

        @Override
        public long submit(IoOps ops) {
            if (!(ops instanceof WinloopIoOps)) {
                throw new IllegalArgumentException("IoOps of type " + StringUtil.simpleClassName(ops)
                        + " not supported by WinloopIoHandler");
            }
            if (state == null) {
                throw new UnsupportedOperationException(handle + " is not a socket: it has no readiness to watch");
            }
            if (cancelled.get()) {
                return -1;
            }
            final int value = ((WinloopIoOps) ops).value();
            if (executor.isExecutorThread(Thread.currentThread())) {
                update(value);
            } else {
                executor.execute(() -> update(value));
            }
            return value;
        }

        private void update(int value) {
            if (cancelled.get()) {
                return;
            }
            ops = value;
            port.afd().setInterest(state, Afd.eventsOf(value));
        }

        @Override
        public boolean isValid() {
            return !cancelled.get();
        }

        @Override
        public boolean cancel() {
            if (!cancelled.compareAndSet(false, true)) {
                return false;
            }
            if (executor.isExecutorThread(Thread.currentThread())) {
                cancel0();
            } else {
                executor.execute(this::cancel0);
            }
            return true;
        }

        void cancel0() {
            if (registrations.remove(this) == null) {
                return;
            }
            if (state != null) {
                port.afd().remove(state);
            }
            handle.unregistered();
        }

        @Override
        public String toString() {
            return "WinloopIoRegistration(" + handle + ", ops=" + ops + ")";
        }
    }
}
