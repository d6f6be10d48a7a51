package io.winloop.reactor.netty;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.FastThreadLocalThread;
import io.netty.util.concurrent.Future;
import io.winloop.Winloop;
import io.winloop.WinloopDatagramChannel;
import io.winloop.WinloopEventLoopGroup;
import io.winloop.WinloopIoHandle;
import io.winloop.WinloopServerSocketChannel;
import io.winloop.WinloopSocketChannel;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.NonBlocking;
import reactor.netty.resources.LoopResources;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Reactor Netty's event loops and channels on Winloop: {@code HttpServer.create().runOn(resources)},
 * {@code HttpClient.create().runOn(resources)}, or Spring Boot's {@code ReactorResourceFactory.setLoopResources}.
 *
 * <p>Reactor Netty's own {@code LoopResources.create(..)} picks the channel class for a group through its native
 * detector, which knows NIO, epoll, kqueue and io_uring and throws "Unsupported event loop group" for any other
 * group. These resources serve {@link WinloopEventLoopGroup}s and answer {@link #onChannel} / {@link #onChannelClass}
 * with {@link WinloopSocketChannel}, {@link WinloopServerSocketChannel} and {@link WinloopDatagramChannel} for them.
 * A group that is not Winloop's (one the application passed itself) is left to Reactor Netty's detector.
 *
 * <p>Like Reactor Netty's default resources: the worker loops are created on first use and shared by servers and
 * clients (clients get them "colocated": a connection made from a loop thread stays on that loop), a separate
 * group accepts connections only when a select count is given, and threads are named {@code prefix-winloop-N}
 * (marked {@link NonBlocking}, so Reactor rejects {@code block()} on them). The {@code useNative} flag is ignored:
 * these resources exist to run on Winloop, and on a machine where it cannot run the first group fails with
 * {@link Winloop#unavailabilityCause()}.
 */
public final class WinloopLoopResources implements LoopResources {

    private final String prefix;
    private final int selectCount;
    private final int workerCount;
    private final boolean daemon;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong threadCounter = new AtomicLong();
    private final AtomicReference<EventLoopGroup> workers = new AtomicReference<>();
    private final AtomicReference<EventLoopGroup> selectors = new AtomicReference<>();
    private final AtomicReference<EventLoopGroup> clients = new AtomicReference<>();

    private WinloopLoopResources(String prefix, int selectCount, int workerCount, boolean daemon) {
        this.prefix = prefix;
        this.selectCount = selectCount;
        this.workerCount = workerCount;
        this.daemon = daemon;
    }

    /** Daemon threads, as many workers as Reactor Netty's default ({@code reactor.netty.ioWorkerCount}). */
    public static WinloopLoopResources create(String prefix) {
        return create(prefix, DEFAULT_IO_SELECT_COUNT, DEFAULT_IO_WORKER_COUNT, true);
    }

    public static WinloopLoopResources create(String prefix, int workerCount, boolean daemon) {
        return create(prefix, -1, workerCount, daemon);
    }

    /**
     * @param selectCount threads of a separate group that only accepts connections, or -1 to accept on the workers
     */
    public static WinloopLoopResources create(String prefix, int selectCount, int workerCount, boolean daemon) {
        if (Objects.requireNonNull(prefix, "prefix").isEmpty()) {
            throw new IllegalArgumentException("Cannot use empty prefix");
        }
        if (workerCount < 1) {
            throw new IllegalArgumentException(
                    "Must provide a strictly positive worker threads number, was: " + workerCount);
        }
        if (selectCount < 1 && selectCount != -1) {
            throw new IllegalArgumentException(
                    "Must provide a strictly positive selector threads number or -1, was: " + selectCount);
        }
        return new WinloopLoopResources(prefix, selectCount, workerCount, daemon);
    }

    @Override
    public EventLoopGroup onServer(boolean useNative) {
        return cached(workers, workerCount, "winloop");
    }

    @Override
    public EventLoopGroup onServerSelect(boolean useNative) {
        if (selectCount == -1) {
            return onServer(useNative);
        }
        return cached(selectors, selectCount, "select-winloop");
    }

    @Override
    public EventLoopGroup onClient(boolean useNative) {
        EventLoopGroup group = clients.get();
        if (group == null) {
            // Not shut down separately: it is a view of the workers.
            clients.compareAndSet(null, LoopResources.colocate(onServer(useNative)));
            group = clients.get();
        }
        return group;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <CHANNEL extends Channel> CHANNEL onChannel(Class<CHANNEL> channelType, EventLoopGroup group) {
        if (!isWinloop(group)) {
            return LoopResources.super.onChannel(channelType, group);
        }
        if (channelType.equals(SocketChannel.class)) {
            return (CHANNEL) new WinloopSocketChannel();
        }
        if (channelType.equals(ServerSocketChannel.class)) {
            return (CHANNEL) new WinloopServerSocketChannel();
        }
        if (channelType.equals(DatagramChannel.class)) {
            return (CHANNEL) new WinloopDatagramChannel();
        }
        throw unsupported(channelType);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <CHANNEL extends Channel> Class<? extends CHANNEL> onChannelClass(Class<CHANNEL> channelType,
                                                                           EventLoopGroup group) {
        if (!isWinloop(group)) {
            return LoopResources.super.onChannelClass(channelType, group);
        }
        if (channelType.equals(SocketChannel.class)) {
            return (Class<? extends CHANNEL>) WinloopSocketChannel.class;
        }
        if (channelType.equals(ServerSocketChannel.class)) {
            return (Class<? extends CHANNEL>) WinloopServerSocketChannel.class;
        }
        if (channelType.equals(DatagramChannel.class)) {
            return (Class<? extends CHANNEL>) WinloopDatagramChannel.class;
        }
        throw unsupported(channelType);
    }

    private static IllegalArgumentException unsupported(Class<?> channelType) {
        // Reactor Netty asks for DomainSocketChannel & co. only for a DomainSocketAddress.
        return new IllegalArgumentException("Unsupported channel type: " + channelType.getSimpleName()
                + " (Winloop has TCP and UDP channels; Unix domain sockets are not supported)");
    }

    /** True for a Winloop group, also when Reactor Netty wrapped it ({@link LoopResources#colocate}). */
    static boolean isWinloop(EventLoopGroup group) {
        EventLoopGroup unwrapped = group;
        if (unwrapped instanceof Supplier) {
            Object inner = ((Supplier<?>) unwrapped).get();
            if (inner instanceof EventLoopGroup) {
                unwrapped = (EventLoopGroup) inner;
            }
        }
        return unwrapped instanceof IoEventLoopGroup
                && ((IoEventLoopGroup) unwrapped).isCompatible(WinloopIoHandle.class);
    }

    private EventLoopGroup cached(AtomicReference<EventLoopGroup> ref, int threads, String kind) {
        EventLoopGroup group = ref.get();
        if (group == null) {
            if (!running.get()) {
                throw new IllegalStateException(this + " is disposed");
            }
            EventLoopGroup created = new WinloopEventLoopGroup(threads, new LoopThreadFactory(prefix + "-" + kind));
            if (!ref.compareAndSet(null, created)) {
                created.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            }
            group = ref.get();
        }
        return group;
    }

    @Override
    public boolean daemon() {
        return daemon;
    }

    @Override
    public boolean isDisposed() {
        return !running.get();
    }

    @Override
    public Mono<Void> disposeLater(Duration quietPeriod, Duration timeout) {
        return Mono.defer(() -> {
            if (!running.compareAndSet(true, false)) {
                return Mono.empty();
            }
            Mono<Void> selectorsDone = shutdown(selectors.get(), quietPeriod, timeout);
            Mono<Void> workersDone = shutdown(workers.get(), quietPeriod, timeout);
            return Mono.when(selectorsDone, workersDone)
                    .timeout(timeout, Mono.error(new IllegalStateException(
                            "LoopResources couldn't be disposed within " + timeout.toMillis() + "ms")));
        });
    }

    private static Mono<Void> shutdown(EventLoopGroup group, Duration quietPeriod, Duration timeout) {
        if (group == null) {
            return Mono.empty();
        }
        Future<?> terminated = group.shutdownGracefully(quietPeriod.toMillis(), timeout.toMillis(),
                TimeUnit.MILLISECONDS);
        return Mono.create(sink -> terminated.addListener(f -> {
            if (f.isSuccess()) {
                sink.success();
            } else {
                sink.error(f.cause());
            }
        }));
    }

    @Override
    public String toString() {
        return "WinloopLoopResources {prefix=" + prefix + ", daemon=" + daemon + ", selectCount=" + selectCount
                + ", workerCount=" + workerCount + '}';
    }

    private final class LoopThreadFactory implements ThreadFactory {
        private final String namePrefix;

        LoopThreadFactory(String namePrefix) {
            this.namePrefix = namePrefix;
        }

        @Override
        public Thread newThread(Runnable task) {
            Thread thread = new LoopThread(task);
            thread.setDaemon(daemon);
            thread.setName(namePrefix + "-" + threadCounter.incrementAndGet());
            return thread;
        }
    }

    /** A Netty loop thread Reactor knows not to block ({@code Schedulers.isInNonBlockingThread()}). */
    private static final class LoopThread extends FastThreadLocalThread implements NonBlocking {
        LoopThread(Runnable task) {
            super(task);
        }
    }
}
