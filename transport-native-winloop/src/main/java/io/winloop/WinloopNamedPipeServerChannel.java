package io.winloop;

import com.sun.jna.WString;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelPromise;
import io.netty.channel.ServerChannel;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import io.winloop.internal.overlapped.OverlappedIo;
import io.winloop.internal.overlapped.PortBinding;
import io.winloop.internal.pipe.PipeAcceptMode;
import io.winloop.internal.pipe.PipeAcceptor;
import io.winloop.internal.pipe.PipeErrors;
import io.winloop.internal.pipe.PipeInstances;
import io.winloop.internal.pipe.PipeNames;
import io.winloop.internal.pipe.PipePortAcceptor;
import io.winloop.internal.pipe.PipeSecurity;
import io.winloop.internal.pipe.PipeServerAcceptor;
import io.winloop.internal.win.Kernel32;
import io.winloop.internal.win.WinError;

import java.io.IOException;
import java.net.BindException;
import java.net.SocketAddress;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * A named pipe server ({@code \\.\pipe\name}) as a Netty {@link ServerChannel}: bind it to a
 * {@link NamedPipeAddress}; each client that connects becomes a {@link WinloopNamedPipeChannel}.
 *
 * <p>{@link WinloopChannelOption#PIPE_INSTANCES} instances are kept listening (an overlapped
 * {@code ConnectNamedPipe} each); an accepted instance is replaced at once, so a burst of that many clients does not
 * meet {@code ERROR_PIPE_BUSY}. How they wait is chosen once per process ({@code PipeAcceptMode}): an accepted
 * pipe must complete its reads and writes on the port of the loop that serves it, the child group's, and a handle
 * is associated with one completion port unless {@code FileReplaceCompletionInformation} (Windows 8.1+) moves it.
 * Where it can, the instances wait on this loop's port ({@code PipePortAcceptor}) and an accepted one moves to its
 * child's loop (on this very loop nothing moves); where it cannot (Wine, older Windows), they wait on events in one
 * small thread per server ({@code PipeAcceptor}) and are first associated with a port by their child's loop.
 *
 * <p>Secure by default, because a pipe server is a local attack surface:
 * <ul>
 * <li>the first instance is created with {@code FILE_FLAG_FIRST_PIPE_INSTANCE}, so binding a name another server
 * (of any process) holds fails with a {@link java.net.BindException} instead of joining its instances and taking
 * some of its clients. Wine does not enforce that flag (tools/probes/pipe-probe.c), so Winloop also checks with
 * {@code WaitNamedPipe} that the name is free before creating it;</li>
 * <li>{@code PIPE_REJECT_REMOTE_CLIENTS}: clients on other machines (over SMB) are refused;</li>
 * <li>the security descriptor grants access to the current user, SYSTEM and Administrators only, unless
 * {@link WinloopChannelOption#PIPE_SECURITY_DESCRIPTOR} gives another (SDDL); {@link #securityDescriptor()} says
 * what Windows reports for the pipe (read back from its first instance).</li>
 * </ul>
 *
 * <p>Bound to {@link NamedPipeAddress#ephemeral()}, the server takes a fresh name of 128 random bits
 * ({@link SecureRandom}) under the same guards, as a TCP server bound to port 0 takes a free port;
 * {@link #localAddress()} is that name.
 */
public final class WinloopNamedPipeServerChannel extends AbstractWinloopNamedPipeChannel implements ServerChannel {
    private static final InternalLogger logger =
            InternalLoggerFactory.getInstance(WinloopNamedPipeServerChannel.class);

    private static final long NAME_RELEASE_MILLIS = 250;
    /** Fresh names tried for an ephemeral address before the bind fails: one clash in 2^128 is already no chance. */
    private static final int EPHEMERAL_ATTEMPTS = 4;

    private final WinloopNamedPipeServerChannelConfig config;
    private volatile boolean open = true;
    private volatile String securityDescriptor;
    /** Keeps the listening instances: a PipeAcceptor or a PipePortAcceptor, as {@link #acceptMode} says. */
    private PipeServerAcceptor acceptor;
    /** Connected instances not handed to the pipeline yet (auto-read off and no read() asked). */
    private final ArrayDeque<PortBinding> connected = new ArrayDeque<>();
    private PipeAcceptMode acceptMode;
    /** The overlapped operations of the loop this channel is registered with. */
    private OverlappedIo io;
    private boolean readPending;
    /** Where the random part of ephemeral names comes from; null: a SecureRandom. Tests give clashing ones. */
    Random ephemeralNameSource;

    public WinloopNamedPipeServerChannel() {
        super(null);
        config = new WinloopNamedPipeServerChannelConfig(this);
    }

    @Override
    public WinloopNamedPipeServerChannelConfig config() {
        return config;
    }

    @Override
    public boolean isOpen() {
        return open;
    }

    // What AbstractServerChannel would add: a server has no remote end, and neither writes nor disconnects.
    @Override
    public SocketAddress remoteAddress() {
        return null;
    }

    @Override
    protected SocketAddress remoteAddress0() {
        return null;
    }

    @Override
    protected void doDisconnect() {
        throw new UnsupportedOperationException();
    }

    @Override
    protected void doWrite(ChannelOutboundBuffer in) {
        throw new UnsupportedOperationException();
    }

    @Override
    protected Object filterOutboundMessage(Object msg) {
        throw new UnsupportedOperationException();
    }

    @Override
    protected PipeUnsafe newUnsafe() {
        return new ServerUnsafe();
    }

    /**
     * The DACL of the pipe as Windows reported it for the first instance right after creating it
     * ({@code GetSecurityInfo}), in SDDL, e.g. {@code D:P(A;;FA;;;SY)(A;;FA;;;BA)(A;;FA;;;S-1-5-21-...)}
     * (Windows shows the generic rights given, GA, mapped to the file rights they grant, FA); null before bind.
     */
    public String securityDescriptor() {
        return securityDescriptor;
    }

    @Override
    protected void doBind(SocketAddress localAddress) throws Exception {
        if (!(localAddress instanceof NamedPipeAddress)) {
            throw new UnsupportedOperationException("unsupported address type: "
                    + (localAddress == null ? "null" : localAddress.getClass().getName())
                    + " (expected: " + NamedPipeAddress.class.getName() + ")");
        }
        NamedPipeAddress requested = (NamedPipeAddress) localAddress;
        if (!requested.isEphemeral()) {
            ensureNameFree(requested);
        }
        String sddl = config.getSecurityDescriptor();
        if (sddl == null) {
            sddl = PipeSecurity.defaultSddl();
        }
        PipeSecurity.checkServerDescriptor(sddl, config.isClientsMayCreateInstances());
        long attributes = PipeSecurity.attributes(sddl);
        long first = Kernel32.INVALID_HANDLE_VALUE;
        NamedPipeAddress address = requested;
        try {
            if (requested.isEphemeral()) {
                address = null;
                for (int attempt = 1; address == null; attempt++) {
                    NamedPipeAddress fresh = requested.resolve(
                            ephemeralNameSource != null ? ephemeralNameSource : EphemeralNames.RANDOM);
                    try {
                        ensureNameFree(fresh);
                        first = createFirstInstance(fresh, attributes);
                        address = fresh;
                    } catch (BindException taken) {
                        if (attempt == EPHEMERAL_ATTEMPTS) {
                            BindException failed = new BindException("bind(" + requested + ") failed: the name is "
                                    + "in use: " + EPHEMERAL_ATTEMPTS + " fresh random names were all refused as "
                                    + "taken, the last " + fresh);
                            failed.initCause(taken);
                            throw failed;
                        }
                    }
                }
            } else {
                first = createFirstInstance(address, attributes);
            }
            securityDescriptor = PipeSecurity.readDacl(first);
            newAcceptor(address, first, attributes);
        } catch (Throwable t) {
            if (first != Kernel32.INVALID_HANDLE_VALUE) {
                Kernel32.CloseHandle(first);
            }
            PipeSecurity.freeAttributes(attributes);
            throw t;
        }
        local = address;
        active = true;
        acceptor.start();
    }

    /**
     * A name stays taken while any instance of it is open, the accepted ends of a server closed a moment ago
     * included, and those close on their own loops (maybe this one) as soon as they see their client gone. So a bind
     * to a name in use is tried again, without blocking the loop, for up to {@value #NAME_RELEASE_MILLIS} ms before
     * it fails.
     */
    @Override
    public ChannelFuture bind(SocketAddress localAddress, ChannelPromise promise) {
        if (!isRegistered() || !(localAddress instanceof NamedPipeAddress)
                || ((NamedPipeAddress) localAddress).isEphemeral()) {
            return super.bind(localAddress, promise); // an ephemeral name is fresh: nothing to wait for
        }
        long deadline = System.nanoTime() + NAME_RELEASE_MILLIS * 1_000_000L;
        eventLoop().execute(() -> bindWhenFree((NamedPipeAddress) localAddress, promise, deadline));
        return promise;
    }

    private void bindWhenFree(NamedPipeAddress address, ChannelPromise promise, long deadline) {
        boolean inUse;
        try {
            inUse = isOpen() && !isActive() && !promise.isDone() && System.nanoTime() - deadline < 0
                    && isNameInUse(address);
        } catch (IOException e) {
            promise.tryFailure(e);
            return;
        }
        if (inUse) {
            eventLoop().schedule(() -> bindWhenFree(address, promise, deadline), 5, TimeUnit.MILLISECONDS);
            return;
        }
        super.bind(address, promise);
    }

    /** FILE_FLAG_FIRST_PIPE_INSTANCE is the guard on Windows; Wine ignores it (pipe-probe.c): ask first. */
    private static boolean isNameInUse(NamedPipeAddress address) throws IOException {
        return PipeInstances.isNameInUse(address.path());
    }

    private static void ensureNameFree(NamedPipeAddress address) throws IOException {
        if (isNameInUse(address)) {
            throw new BindException("bind(" + address + ") failed: the name is in use: WaitNamedPipe found an "
                    + "instance of it (another server, or this one's accepted ends still open)");
        }
    }

    private long createFirstInstance(NamedPipeAddress address, long attributes) throws IOException {
        int bufferSize = config.getBufferSize();
        long pipe = PipeInstances.create(new WString(PipeNames.unnormalizedPath(address.name())), true, bufferSize,
                attributes);
        if (pipe == Kernel32.INVALID_HANDLE_VALUE) {
            int error = WinError.lastError();
            if (error == WinError.ERROR_ACCESS_DENIED) {
                throw PipeErrors.newBindException("CreateNamedPipe(" + address + ", FILE_FLAG_FIRST_PIPE_INSTANCE)",
                        error, "another server already has instances of this pipe name");
            }
            throw PipeErrors.newException("CreateNamedPipe(" + address + ")", error);
        }
        try {
            PipeInstances.checkIsPipe(pipe, "CreateNamedPipe(" + address + ")");
        } catch (IOException e) {
            Kernel32.CloseHandle(pipe);
            throw e;
        }
        return pipe;
    }

    /**
     * Makes the acceptor of the mode {@link PipeAcceptMode#current()} picks; it owns {@code first} and
     * {@code attributes} once made.
     */
    private void newAcceptor(NamedPipeAddress address, long first, long attributes) throws IOException {
        PipeAcceptMode mode = PipeAcceptMode.current();
        logger.debug("{} accepts {}: {}", this, address, mode);
        PipeInstances pipeInstances = new PipeInstances(address.path(), PipeNames.unnormalizedPath(address.name()),
                first, config.getBufferSize(), attributes);
        PipeServerAcceptor.Listener listener = new PipeServerAcceptor.Listener() {
            @Override
            public void accepted(PortBinding connected) {
                WinloopNamedPipeServerChannel.this.accepted(connected);
            }

            @Override
            public void failed(IOException cause) {
                if (open) {
                    pipeline().fireExceptionCaught(cause);
                }
            }
        };
        acceptor = mode.mode() == PipeAcceptMode.Mode.PORT
                ? new PipePortAcceptor(pipeInstances, config.getInstances(), io, eventLoop(), listener)
                : new PipeAcceptor(pipeInstances, config.getInstances(), eventLoop(), listener);
        acceptMode = mode;
    }

    /**
     * How this server accepts ({@code port} or {@code thread}) and why; null before bind. For tests and diagnosis.
     */
    PipeAcceptMode acceptMode() {
        return acceptMode;
    }

    /** Port mode: the instances waiting in ConnectNamedPipe now, else -1. Loop thread only; for tests. */
    int listeningInstances() {
        return acceptor instanceof PipePortAcceptor ? ((PipePortAcceptor) acceptor).listening() : -1;
    }

    /** A connected instance, unbound (thread mode) or associated with this loop's port (port mode). */
    private void accepted(PortBinding connected) {
        if (!open) {
            Kernel32.CloseHandle(connected.handle());
            return;
        }
        this.connected.add(connected);
        if (readPending || config.isAutoRead()) {
            deliver();
        }
    }

    /** Hands the connected instances to the pipeline as channels. */
    private void deliver() {
        if (connected.isEmpty()) {
            return;
        }
        readPending = false;
        PortBinding binding;
        while ((binding = connected.poll()) != null) {
            acceptor.delivered();
            pipeline().fireChannelRead(new WinloopNamedPipeChannel(this, binding, local));
        }
        pipeline().fireChannelReadComplete();
    }

    @Override
    protected void doBeginRead() {
        readPending = true;
        deliver();
    }

    @Override
    protected void doClose() {
        open = false;
        active = false;
        if (acceptor != null) {
            acceptor.stop(); // the listening instances are closed, or their cancelled completions close them next
        }
        PortBinding binding;
        while ((binding = connected.poll()) != null) {
            Kernel32.CloseHandle(binding.handle());
        }
    }

    /** Created on the first ephemeral bind, not with the class: seeding it may take a moment. */
    private static final class EphemeralNames {
        static final SecureRandom RANDOM = new SecureRandom();
    }

    private final class ServerUnsafe extends PipeUnsafe {
        @Override
        public PortBinding portBinding() {
            // Thread mode: its instances are bound by the loops of the channels they become; port mode: each by
            // the PipePortAcceptor, to this loop's port.
            return null;
        }

        @Override
        public void overlappedIo(OverlappedIo loopIo) {
            if (acceptor instanceof PipePortAcceptor && loopIo != io) {
                // Fails the registration, which closes the channel (its acceptor then stops on the first loop).
                throw new IllegalStateException("a named pipe server accepting on its event loop's completion port "
                        + "cannot move to another event loop: its listening instances' ConnectNamedPipe calls "
                        + "complete on the first loop's port");
            }
            io = loopIo; // port mode: the listening instances' ConnectNamedPipe calls complete there
        }

        @Override
        public void connect(SocketAddress remoteAddress, SocketAddress localAddress, ChannelPromise promise) {
            promise.setFailure(new UnsupportedOperationException("a server channel does not connect"));
        }
    }
}
