package io.winloop.internal.pipe;

import com.sun.jna.WString;
import io.netty.channel.ConnectTimeoutException;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.winloop.internal.win.Kernel32;
import io.winloop.internal.win.WinError;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * Opens the client end of a named pipe, retrying while the server has every instance busy
 * ({@code ERROR_PIPE_BUSY}): the documented busy-retry, on the event loop, without {@code WaitNamedPipe}, which
 * would block the loop, until the connect timeout. The client opens with {@code SECURITY_IDENTIFICATION}: the server
 * may learn who connected but cannot impersonate the client. One connector per connect; loop thread only.
 */
public final class PipeConnector {
    /**
     * What a client end opens with: FILE_GENERIC_READ (read data, attributes, extended attributes and the DACL;
     * SYNCHRONIZE) and FILE_WRITE_DATA, not GENERIC_WRITE: FILE_GENERIC_WRITE includes FILE_APPEND_DATA, the same bit
     * as FILE_CREATE_PIPE_INSTANCE ("Named Pipe Security and Access Rights"), so a server that rightly denies its
     * clients that right would refuse a GENERIC_WRITE open.
     */
    public static final int CLIENT_ACCESS = 0x00120089 | 0x2;
    private static final long FIRST_BUSY_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long MAX_BUSY_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    /** Hears how the connect goes, on the loop thread. */
    public interface Listener {
        /**
         * {@code pipe} is open and is a pipe: take it (check it, associate it with the port). Throwing refuses it:
         * the connector closes it and the connect fails with what was thrown.
         */
        void opened(long pipe) throws IOException;

        /** A retry opened the pipe, and {@link #opened} took it. */
        void connected();

        /** A retry failed, or every instance stayed busy until the timeout ({@link ConnectTimeoutException}). */
        void failed(Throwable cause);
    }

    private final EventExecutor loop;
    private final String path;
    private final String name;
    private final int timeoutMillis;
    /** System.nanoTime() at the timeout, or 0 for none. */
    private final long deadline;
    private final Future<?> attempt;
    private final Listener listener;
    private Future<?> retry;

    /**
     * @param path          what to open ({@code \\?\pipe\NAME}: PipeNames)
     * @param name          the pipe as messages name it
     * @param timeoutMillis how long to retry while every instance is busy; 0 or less: no limit
     * @param attempt       the connect's promise: no retry starts once it is done
     */
    public PipeConnector(EventExecutor loop, String path, String name, int timeoutMillis, Future<?> attempt,
                         Listener listener) {
        this.loop = loop;
        this.path = path;
        this.name = name;
        this.timeoutMillis = timeoutMillis;
        this.deadline = timeoutMillis > 0 ? System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis) : 0;
        this.attempt = attempt;
        this.listener = listener;
    }

    /**
     * Tries to open the pipe now: true when it is open (the listener took it), false when every instance is busy
     * (retries are scheduled; the listener hears how they end).
     *
     * @throws IOException why the pipe cannot be opened (a ConnectException naming the error), or what the
     *                     listener threw
     */
    public boolean connect() throws IOException {
        if (tryOpen()) {
            return true;
        }
        scheduleRetry(FIRST_BUSY_RETRY_NANOS);
        return false;
    }

    /** Stops retrying (the channel closed). */
    public void cancel() {
        if (retry != null) {
            retry.cancel(false);
            retry = null;
        }
    }

    /** Opens the client end: true when open, false when every instance is busy. Then checked: a pipe. */
    private boolean tryOpen() throws IOException {
        long pipe = Kernel32.CreateFileW(new WString(path), CLIENT_ACCESS, 0, 0, Kernel32.OPEN_EXISTING,
                Kernel32.FILE_FLAG_OVERLAPPED | Kernel32.SECURITY_SQOS_PRESENT | Kernel32.SECURITY_IDENTIFICATION, 0);
        if (pipe == Kernel32.INVALID_HANDLE_VALUE) {
            int error = WinError.lastError();
            if (error == WinError.ERROR_PIPE_BUSY) {
                return false;
            }
            throw PipeErrors.newConnectException("CreateFile(" + name + ")", error);
        }
        try {
            PipeInstances.checkIsPipe(pipe, "CreateFile(" + name + ")");
            listener.opened(pipe);
        } catch (IOException | RuntimeException e) {
            Kernel32.CloseHandle(pipe);
            throw e;
        }
        return true;
    }

    private void scheduleRetry(long delayNanos) {
        retry = loop.schedule(() -> {
            if (attempt.isDone()) {
                return;
            }
            try {
                if (tryOpen()) {
                    retry = null;
                    listener.connected();
                } else if (deadline != 0 && System.nanoTime() - deadline >= 0) {
                    listener.failed(new ConnectTimeoutException("connection timed out after " + timeoutMillis
                            + " ms: " + name + " (every instance busy: "
                            + WinError.describe(WinError.ERROR_PIPE_BUSY) + ")"));
                } else {
                    scheduleRetry(Math.min(delayNanos * 2, MAX_BUSY_RETRY_NANOS));
                }
            } catch (Throwable t) {
                listener.failed(t);
            }
        }, delayNanos, TimeUnit.NANOSECONDS);
    }
}
