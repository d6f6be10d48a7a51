package io.winloop.internal.pipe;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import io.winloop.internal.overlapped.PortBinding;
import io.winloop.internal.win.Kernel32;
import io.winloop.internal.win.NativeMemory;
import io.winloop.internal.win.WinError;

import java.io.IOException;
import java.util.concurrent.RejectedExecutionException;

/**
 * Keeps a pipe server's instances listening and hands over each one a client connected to.
 *
 * <p>Why a thread and events, not the loop's completion port: a handle is associated with one completion port for
 * its whole life (Windows 8.1+ can replace the association; Wine 8 and 10 cannot: tools/probes/pipe-probe.c,
 * overlapped-probe.c), and the loop that accepts is not the loop that serves (a ServerBootstrap registers each
 * child on its child group). So a listening instance is associated with no port: its overlapped
 * {@code ConnectNamedPipe} signals an event, which this thread waits for with {@code WaitForMultipleObjects}, and
 * the connected instance is first associated with a port when its channel registers with its own loop. Its reads
 * and writes then complete on that loop's port like any other overlapped operation.
 *
 * <p>The thread owns the listening instances, their events and OVERLAPPED blocks, and the SECURITY_ATTRIBUTES they
 * are created with; {@link #stop()} makes it cancel and close them and free everything, then end. What it hands
 * over (and each failure) reaches the {@link Listener} on the server's loop, by {@link EventExecutor#execute}.
 */
public final class PipeAcceptor extends AbstractPipeAcceptor implements Runnable {
    /** One wait handle is the acceptor's own wake-up event. */
    public static final int MAX_INSTANCES = Kernel32.MAXIMUM_WAIT_OBJECTS - 1;
    private static final InternalLogger logger = InternalLoggerFactory.getInstance(PipeAcceptor.class);
    /** How long {@link #stop()} waits for the thread to close the listening instances. */
    private static final long STOP_WAIT_MILLIS = 2000;

    private final long wakeEvent;
    private final long[] handles;
    private final long[] events;
    private final long overlapped;
    private final long waitHandles;
    private final long scratch;
    private final int[] waitSlot;
    private volatile boolean stopped;
    private final Thread thread;

    /**
     * @param pipeInstances where the instances come from, the first included; owned by the acceptor once it is
     *                      made (closed when it ends)
     * @param loop          the server's loop, where the listener is told
     */
    public PipeAcceptor(PipeInstances pipeInstances, int instances, EventExecutor loop, Listener listener)
            throws IOException {
        super(pipeInstances, instances, MAX_INSTANCES, onLoop(loop, listener));
        this.handles = new long[instances];
        this.events = new long[instances];
        this.waitSlot = new int[instances];
        this.wakeEvent = Kernel32.CreateEventW(0, 0, 0, 0);
        if (wakeEvent == 0) {
            throw PipeErrors.newException("CreateEvent", WinError.lastError());
        }
        for (int i = 0; i < instances; i++) {
            events[i] = Kernel32.CreateEventW(0, 1, 0, 0);
            if (events[i] == 0) {
                int error = WinError.lastError();
                closeEvents();
                throw PipeErrors.newException("CreateEvent", error);
            }
        }
        this.overlapped = NativeMemory.allocate((long) instances * Kernel32.OVERLAPPED_SIZE);
        this.waitHandles = NativeMemory.allocate((long) (instances + 1) * 8);
        this.scratch = NativeMemory.allocate(8);
        this.thread = new Thread(this, "winloop-pipe-acceptor " + pipeInstances.path());
        thread.setDaemon(true);
    }

    @Override
    public void start() {
        thread.start();
    }

    /**
     * Ends the thread, which cancels and closes the listening instances and frees the memory, and waits up to
     * {@value #STOP_WAIT_MILLIS} ms for it to have done so. From any thread.
     */
    @Override
    public void stop() {
        stopped = true;
        Kernel32.SetEvent(wakeEvent);
        try {
            thread.join(STOP_WAIT_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    void backlogShrank() {
        if (!isBacklogFull()) {
            Kernel32.SetEvent(wakeEvent);
        }
    }

    @Override
    public void run() {
        try {
            while (!stopped) {
                boolean retry = fillInstances();
                if (stopped) {
                    break;
                }
                // A slot that failed to listen is tried again after RETRY_MILLIS, not only at the next connect.
                waitForConnects(retry ? RETRY_MILLIS : Kernel32.INFINITE);
            }
        } catch (Throwable t) {
            logger.warn("Named pipe acceptor for {} failed", pipeInstances.path(), t);
            listener.failed(t instanceof IOException ? (IOException) t : new IOException(t));
        } finally {
            cleanUp();
        }
    }

    /**
     * Listens with every empty slot, while the backlog of undelivered instances leaves room; true when a slot was
     * left empty by a failure (reported), to be tried again after a pause.
     */
    private boolean fillInstances() {
        for (int i = 0; i < instances && !stopped; i++) {
            if (handles[i] != 0 || isBacklogFull()) {
                continue;
            }
            long handle = nextInstance();
            if (handle == 0) {
                return true;
            }
            long ov = overlapped + (long) i * Kernel32.OVERLAPPED_SIZE;
            NativeMemory.zero(ov, Kernel32.OVERLAPPED_SIZE);
            Kernel32.ResetEvent(events[i]);
            NativeMemory.putLong(ov + Kernel32.OVERLAPPED_EVENT, events[i]);
            if (Kernel32.ConnectNamedPipe(handle, ov) != 0) {
                handOver(new PortBinding(handle));
                continue;
            }
            int error = WinError.lastError();
            if (error == WinError.ERROR_IO_PENDING) {
                handles[i] = handle;
                listenedAgain();
            } else if (error == WinError.ERROR_PIPE_CONNECTED) {
                handOver(new PortBinding(handle)); // the client came first (pipe-probe.c)
            } else if (error == WinError.ERROR_NO_DATA) {
                // A client opened this instance and closed it again before ConnectNamedPipe: nothing to serve and
                // nothing wrong (any local process can do it at will). Close it; the slot listens anew at once.
                Kernel32.CloseHandle(handle);
                i--;
            } else {
                Kernel32.CloseHandle(handle);
                report(PipeErrors.newException("ConnectNamedPipe(" + pipeInstances.path() + ")", error));
                return true;
            }
        }
        return false;
    }

    private void waitForConnects(int timeoutMillis) {
        int count = 0;
        for (int i = 0; i < instances; i++) {
            if (handles[i] != 0) {
                NativeMemory.putLong(waitHandles + count * 8L, events[i]);
                waitSlot[count++] = i;
            }
        }
        NativeMemory.putLong(waitHandles + count * 8L, wakeEvent);
        int result = Kernel32.WaitForMultipleObjects(count + 1, waitHandles, 0, timeoutMillis);
        if (result == Kernel32.WAIT_FAILED) {
            throw new IllegalStateException(PipeErrors.newException("WaitForMultipleObjects", WinError.lastError()));
        }
        int index = result - Kernel32.WAIT_OBJECT_0;
        if (index < 0 || index >= count) {
            return; // the wake-up event (stop, or room in the backlog), a timeout (retry), or an abandoned wait
        }
        int slot = waitSlot[index];
        long handle = handles[slot];
        long ov = overlapped + (long) slot * Kernel32.OVERLAPPED_SIZE;
        handles[slot] = 0;
        if (Kernel32.GetOverlappedResult(handle, ov, scratch, 0) != 0) {
            handOver(new PortBinding(handle));
        } else {
            // A client that came and went, or an instance gone wrong: close it; the slot listens anew.
            logger.debug("ConnectNamedPipe({}) completed with {}", pipeInstances.path(),
                    WinError.describe(WinError.lastError()));
            Kernel32.CloseHandle(handle);
        }
    }

    private void cleanUp() {
        for (int i = 0; i < instances; i++) {
            long handle = handles[i];
            if (handle != 0) {
                long ov = overlapped + (long) i * Kernel32.OVERLAPPED_SIZE;
                Kernel32.CancelIoEx(handle, ov);
                // Wait for the cancelled connect to finish: the kernel writes the OVERLAPPED until then.
                Kernel32.GetOverlappedResult(handle, ov, scratch, 1);
                Kernel32.CloseHandle(handle);
                handles[i] = 0;
            }
        }
        closeEvents();
        NativeMemory.free(overlapped);
        NativeMemory.free(waitHandles);
        NativeMemory.free(scratch);
        pipeInstances.close();
    }

    private void closeEvents() {
        for (long event : events) {
            if (event != 0) {
                Kernel32.CloseHandle(event);
            }
        }
        Kernel32.CloseHandle(wakeEvent);
    }

    /**
     * {@code listener}, told on {@code loop}: a connected instance the loop no longer takes (it shut down) is
     * closed, and a failure then is dropped with the channel it was for.
     */
    private static Listener onLoop(EventExecutor loop, Listener listener) {
        return new Listener() {
            @Override
            public void accepted(PortBinding connected) {
                try {
                    loop.execute(() -> listener.accepted(connected));
                } catch (RejectedExecutionException e) {
                    Kernel32.CloseHandle(connected.handle());
                }
            }

            @Override
            public void failed(IOException cause) {
                try {
                    loop.execute(() -> listener.failed(cause));
                } catch (RejectedExecutionException ignored) {
                    // The loop is gone; so is the channel.
                }
            }
        };
    }
}
