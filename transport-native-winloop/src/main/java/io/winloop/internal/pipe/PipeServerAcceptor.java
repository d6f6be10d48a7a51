package io.winloop.internal.pipe;

import io.winloop.internal.overlapped.PortBinding;

import java.io.IOException;

/**
 * How a named pipe server keeps its instances listening and hands connected ones over: on a thread of its own
 * ({@link PipeAcceptor}) or on the server loop's completion port ({@link PipePortAcceptor}), as
 * {@link PipeAcceptMode} chooses. The server channel drives either through this, and hears from either through one
 * {@link Listener}, always on its loop thread.
 */
public interface PipeServerAcceptor {
    /** Receives connected instances and errors, on the server loop's thread whatever the strategy. */
    interface Listener {
        /**
         * {@code connected} is a connected server end, the listener's from now on: associated with no port yet
         * (thread mode: its channel's loop associates it) or with the server loop's (port mode).
         */
        void accepted(PortBinding connected);

        /** An instance could not be made to listen: the first of a streak of the same failure (FailureStreak). */
        void failed(IOException cause);
    }

    /** Starts listening with every instance. */
    void start();

    /** The channel took one accepted instance: the acceptor may listen with one more. */
    void delivered();

    /**
     * Stops listening and frees what the acceptor owns. The listening instances are closed when this returns
     * (thread-based: it waits, bounded, for its thread to close them, so that the name is free when the server's
     * close returns) or when their cancelled completions are dequeued (port-based: by the server's loop, right after).
     */
    void stop();
}
