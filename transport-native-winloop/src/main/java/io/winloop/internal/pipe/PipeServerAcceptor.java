package io.winloop.internal.pipe;

/**
 * How a named pipe server keeps its instances listening and hands connected ones over: on a thread of its own
 * ({@link PipeAcceptor}) or on the server loop's completion port ({@link PipePortAcceptor}), as
 * {@link PipeAcceptMode} chooses. The server channel drives either through this.
 */
public interface PipeServerAcceptor {
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
