package io.winloop;

import io.netty.channel.MultiThreadIoEventLoopGroup;

import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;

/**
 * The drop-in replacement of {@code NioEventLoopGroup} on Windows: a {@link MultiThreadIoEventLoopGroup} whose
 * loops run {@link WinloopIoHandler}s. Equivalent to
 * {@code new MultiThreadIoEventLoopGroup(nThreads, ..., WinloopIoHandler.newFactory())}, in the
 * {@link WinloopIoMode} of {@code -Dio.winloop.ioMode} (readiness unless set) or the one given.
 * <p>
 * Every constructor throws {@link UnsatisfiedLinkError} at once when Winloop cannot run here, with
 * {@link Winloop#unavailabilityCause()} as its cause.
 */
public class WinloopEventLoopGroup extends MultiThreadIoEventLoopGroup {
    /** As many threads as Netty's default (twice the processors, or {@code io.netty.eventLoopThreads}). */
    public WinloopEventLoopGroup() {
        this(0);
    }

    public WinloopEventLoopGroup(int nThreads) {
        this(nThreads, (ThreadFactory) null);
    }

    public WinloopEventLoopGroup(int nThreads, ThreadFactory threadFactory) {
        super(nThreads, threadFactory, WinloopIoHandler.newFactory());
    }

    public WinloopEventLoopGroup(int nThreads, Executor executor) {
        super(nThreads, executor, WinloopIoHandler.newFactory());
    }

    /**
     * {@code nThreads} loops in {@code mode} (the other constructors take {@code -Dio.winloop.ioMode}, readiness
     * unless set).
     */
    public WinloopEventLoopGroup(int nThreads, WinloopIoMode mode) {
        super(nThreads, (ThreadFactory) null, WinloopIoHandler.newFactory(mode));
    }
}
