package io.winloop.internal.pipe;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import io.winloop.internal.overlapped.OverlappedIo;
import io.winloop.internal.overlapped.OverlappedOp;
import io.winloop.internal.overlapped.PortBinding;
import io.winloop.internal.win.Kernel32;
import io.winloop.internal.win.Ntdll;
import io.winloop.internal.win.WinError;

import java.io.IOException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Keeps a pipe server's instances listening on the server loop's completion port ({@link PipeAcceptMode.Mode#PORT}):
 * each instance is associated with that port and waits in an overlapped {@code ConnectNamedPipe}, one
 * {@link OverlappedOp} per slot, whose completion is dispatched on the loop thread like a read's. A connected
 * instance is handed over with its {@link PortBinding}, still associated with this port: a child registered with
 * this loop keeps it as it is, one registered with another loop has it moved by {@code PortBinding}
 * (FileReplaceCompletionInformation, Windows 8.1+; under Wine that registration fails, naming it).
 *
 * <p>{@link #stop()} cancels the listening calls; each instance is closed, and its operation freed, when its
 * completion is dequeued, never before (the kernel writes the OVERLAPPED until then, and Wine finds the file by its
 * handle). Loop thread only, like the {@link OverlappedIo} it uses.
 */
public final class PipePortAcceptor extends AbstractPipeAcceptor {
    private static final InternalLogger logger = InternalLoggerFactory.getInstance(PipePortAcceptor.class);

    private final EventExecutor loop;
    private final Slot[] slots;
    private boolean stopped;
    private ScheduledFuture<?> retry;

    /**
     * @param pipeInstances where the instances come from, the first included; owned by the acceptor once it is
     *                      made (closed by {@link #stop()})
     */
    public PipePortAcceptor(PipeInstances pipeInstances, int instances, OverlappedIo io, EventExecutor loop,
                            Listener listener) {
        super(pipeInstances, instances, Kernel32.PIPE_UNLIMITED_INSTANCES, listener);
        this.loop = loop;
        this.slots = new Slot[instances];
        for (int i = 0; i < instances; i++) {
            slots[i] = new Slot(io);
        }
    }

    /** Starts listening with every slot. */
    @Override
    public void start() {
        fill();
    }

    @Override
    void backlogShrank() {
        fill();
    }

    /** Instances waiting in ConnectNamedPipe now. */
    public int listening() {
        int n = 0;
        for (Slot slot : slots) {
            if (slot.listening != null) {
                n++;
            }
        }
        return n;
    }

    /**
     * Cancels the listening calls (their completions close the instances and free the operations) and frees the
     * security attributes. Idempotent. From any thread: it runs on the acceptor's loop, which owns the operations
     * (a server channel closing on another loop after a failed move calls it from there).
     */
    @Override
    public void stop() {
        if (!loop.inEventLoop()) {
            try {
                loop.execute(this::stop);
            } catch (RejectedExecutionException e) {
                // The loop has shut down: its OverlappedIo cancelled every call and freed every operation.
                logger.debug("{}: stop after the loop shut down", pipeInstances.path());
            }
            return;
        }
        if (stopped) {
            return;
        }
        stopped = true;
        if (retry != null) {
            retry.cancel(false);
            retry = null;
        }
        for (Slot slot : slots) {
            if (slot.listening != null) {
                // By handle too: a per-OVERLAPPED cancel can miss under Wine 10.0 (PortBinding.cancelAll).
                slot.op.cancel();
                slot.listening.cancelAll();
            } else {
                slot.op.release();
            }
        }
        pipeInstances.close();
    }

    /** Listens with every empty slot, while the backlog of undelivered instances leaves room. */
    private void fill() {
        for (Slot slot : slots) {
            while (!stopped && slot.listening == null && !slot.dead && !isBacklogFull()) {
                if (!slot.listen()) {
                    break;
                }
            }
        }
    }

    private void scheduleRetry() {
        if (retry == null && !stopped) {
            retry = loop.schedule(() -> {
                retry = null;
                fill();
            }, RETRY_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    /** One listening position: its reusable operation and the instance waiting in it. */
    private final class Slot implements OverlappedOp.Listener {
        final OverlappedOp op;
        /** The instance whose ConnectNamedPipe is in flight; null while none. */
        PortBinding listening;
        /** The loop is shutting down: this slot listens no more. */
        boolean dead;

        Slot(OverlappedIo io) {
            op = io.newOp(0, this);
        }

        /**
         * Creates an instance and starts its ConnectNamedPipe. True when the slot should try again at once (the
         * client came first, or came and went), false when it is listening or must wait.
         */
        boolean listen() {
            long handle = nextInstance();
            if (handle == 0) {
                scheduleRetry(); // reported
                return false;
            }
            PortBinding instance = new PortBinding(handle);
            long overlapped;
            try {
                overlapped = op.prepare(instance, 0);
            } catch (IOException e) {
                Kernel32.CloseHandle(handle);
                report(e);
                scheduleRetry();
                return false;
            } catch (IllegalStateException e) {
                // The loop is shutting down (OverlappedIo.cancelAll): no call may start; the channel closes next.
                Kernel32.CloseHandle(handle);
                dead = true;
                return false;
            }
            if (Kernel32.ConnectNamedPipe(handle, overlapped) != 0) {
                started(instance); // a completion is queued for a success too
                return false;
            }
            int error = WinError.lastError();
            switch (error) {
                case WinError.ERROR_IO_PENDING:
                    started(instance);
                    return false;
                case WinError.ERROR_PIPE_CONNECTED:
                    // The client opened the instance before ConnectNamedPipe: connected, and no completion comes.
                    handOver(instance);
                    return true;
                case WinError.ERROR_NO_DATA:
                    // A client opened it and closed it again before ConnectNamedPipe: nothing to serve.
                    Kernel32.CloseHandle(handle);
                    return true;
                default:
                    Kernel32.CloseHandle(handle);
                    report(PipeErrors.newException("ConnectNamedPipe(" + pipeInstances.path() + ")", error));
                    scheduleRetry();
                    return false;
            }
        }

        private void started(PortBinding instance) {
            listenedAgain();
            op.started();
            listening = instance;
        }

        @Override
        public void onOverlappedComplete(OverlappedOp completed, int status, long bytes) {
            PortBinding instance = listening;
            listening = null;
            if (stopped) {
                // Cancelled by stop() (or connected just before it): nobody takes it now.
                Kernel32.CloseHandle(instance.handle());
                op.release();
                return;
            }
            if (status == Ntdll.STATUS_SUCCESS) {
                handOver(instance);
            } else {
                // A client that came and went, an instance gone wrong, or the loop's shutdown cancelling it: close
                // it; the slot listens anew.
                logger.debug("ConnectNamedPipe({}) completed with {}", pipeInstances.path(),
                        WinError.describeStatus(status));
                Kernel32.CloseHandle(instance.handle());
            }
            fill();
        }
    }
}
