package io.winloop;

import com.sun.jna.WString;
import io.netty.channel.AbstractServerChannel;
import io.netty.channel.ChannelMetadata;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;
import io.netty.channel.ServerChannel;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import io.winloop.internal.pipe.PipeCompletions;
import io.winloop.internal.pipe.PipeErrors;
import io.winloop.internal.pipe.PipeKernel32;
import io.winloop.internal.pipe.PipeOperation;
import io.winloop.internal.pipe.PipeSecurity;
import io.winloop.internal.win.Ntdll;
import io.winloop.internal.win.WinError;

import java.io.IOException;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;

/**
 * A named pipe server ({@code \\.\pipe\name}) as a Netty {@link ServerChannel}: bind it to a
 * {@link NamedPipeAddress}; each client that connects becomes a {@link WinloopNamedPipeChannel}.
 *
 * <p>{@link WinloopChannelOption#PIPE_INSTANCES} instances are kept listening (an overlapped
 * {@code ConnectNamedPipe} each, completing on the loop's port); an accepted instance is replaced at once, so a
 * burst of that many clients does not meet {@code ERROR_PIPE_BUSY}.
 *
 * <p>Secure by default, because a pipe server is a local attack surface:
 * <ul>
 * <li>the first instance is created with {@code FILE_FLAG_FIRST_PIPE_INSTANCE}, so binding a name another server
 * (of any process) holds fails with a {@link java.net.BindException} instead of joining its instances and taking
 * some of its clients. Wine does not enforce that flag (tools/probes/pipe-probe.c), so Winloop also checks with
 * {@code WaitNamedPipe} that the name is free before creating it;</li>
 * <li>{@code PIPE_REJECT_REMOTE_CLIENTS}: clients on other machines (over SMB) are refused;</li>
 * <li>the security descriptor grants access to the current user, SYSTEM and Administrators only, unless
 * {@link WinloopChannelOption#PIPE_SECURITY_DESCRIPTOR} gives another (SDDL); {@link #securityDescriptor()} reads
 * back what the pipe has.</li>
 * </ul>
 */
public final class WinloopNamedPipeServerChannel extends AbstractServerChannel {
    private static final InternalLogger logger = InternalLoggerFactory.getInstance(WinloopNamedPipeServerChannel.class);
    private static final ChannelMetadata METADATA = new ChannelMetadata(false, 16);

    private final WinloopNamedPipeServerChannelConfig config;
    private volatile boolean open = true;
    private volatile boolean active;
    private volatile NamedPipeAddress local;
    private IoRegistration registration;
    private PipeCompletions completions;
    /** SECURITY_ATTRIBUTES of every instance (native; freed on close). */
    private long securityAttributes;
    private final List<Instance> listening = new ArrayList<>();
    /** Connected instances not handed to the pipeline yet (auto-read off and no read() asked). */
    private final ArrayDeque<Instance> connected = new ArrayDeque<>();
    private boolean readPending;

    public WinloopNamedPipeServerChannel() {
        config = new WinloopNamedPipeServerChannelConfig(this);
    }

    @Override
    public WinloopNamedPipeServerChannelConfig config() {
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
    public NamedPipeAddress localAddress() {
        return (NamedPipeAddress) super.localAddress();
    }

    @Override
    protected SocketAddress localAddress0() {
        return local;
    }

    @Override
    protected boolean isCompatible(EventLoop loop) {
        return loop instanceof IoEventLoop && ((IoEventLoop) loop).isCompatible(ServerUnsafe.class);
    }

    @Override
    protected AbstractUnsafe newUnsafe() {
        return new ServerUnsafe();
    }

    @Override
    protected void doRegister(ChannelPromise promise) {
        ((IoEventLoop) eventLoop()).register((ServerUnsafe) unsafe()).addListener(f -> {
            if (f.isSuccess()) {
                registration = (IoRegistration) f.getNow();
                promise.setSuccess();
            } else {
                promise.setFailure(f.cause());
            }
        });
    }

    @Override
    protected void doDeregister() {
        if (registration != null) {
            registration.cancel();
        }
    }

    /**
     * The security descriptor's DACL of the pipe as Windows holds it, in SDDL (e.g.
     * {@code D:P(A;;GA;;;SY)(A;;GA;;;BA)(A;;GA;;;S-1-5-21-...)}): read back with {@code GetSecurityInfo}.
     *
     * @throws IllegalStateException when the channel is not bound
     */
    public String securityDescriptor() throws IOException {
        if (!eventLoop().inEventLoop()) {
            try {
                return eventLoop().submit(this::securityDescriptor).get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof IOException) {
                    throw (IOException) cause;
                }
                throw new IOException(cause);
            }
        }
        if (listening.isEmpty()) {
            throw new IllegalStateException("not bound: " + this);
        }
        return PipeSecurity.readDacl(listening.get(0).handle);
    }

    /** Instances listening now (a test's view of PIPE_INSTANCES). */
    int listeningInstances() {
        return listening.size();
    }

    @Override
    protected void doBind(SocketAddress localAddress) throws Exception {
        if (!(localAddress instanceof NamedPipeAddress)) {
            throw new UnsupportedOperationException("unsupported address type: "
                    + (localAddress == null ? "null" : localAddress.getClass().getName())
                    + " (expected: " + NamedPipeAddress.class.getName() + ")");
        }
        NamedPipeAddress address = (NamedPipeAddress) localAddress;
        ensureNameFree(address);
        String sddl = config.getSecurityDescriptor();
        securityAttributes = PipeSecurity.attributes(sddl != null ? sddl : PipeSecurity.defaultSddl());
        completions = registration.attachment();
        local = address;
        int instances = config.getInstances();
        for (int i = 0; i < instances; i++) {
            listen(createInstance(i == 0));
        }
        active = true;
    }

    /**
     * FILE_FLAG_FIRST_PIPE_INSTANCE is the guard on Windows; Wine ignores it (pipe-probe.c). WaitNamedPipe answers
     * ERROR_FILE_NOT_FOUND only when no instance of the name exists, and at most 1 ms later otherwise.
     */
    private static void ensureNameFree(NamedPipeAddress address) throws IOException {
        if (PipeKernel32.WaitNamedPipeW(new WString(address.path()), 1) != 0
                || WinError.lastError() != PipeErrors.ERROR_FILE_NOT_FOUND) {
            throw PipeErrors.newBindException("CreateNamedPipe(" + address + ", FILE_FLAG_FIRST_PIPE_INSTANCE)",
                    PipeErrors.ERROR_ACCESS_DENIED, "another server already has instances of this pipe name");
        }
    }

    private Instance createInstance(boolean first) throws IOException {
        int bufferSize = config.getBufferSize();
        long pipe = PipeKernel32.CreateNamedPipeW(new WString(local.path()),
                PipeKernel32.PIPE_ACCESS_DUPLEX | PipeKernel32.FILE_FLAG_OVERLAPPED
                        | (first ? PipeKernel32.FILE_FLAG_FIRST_PIPE_INSTANCE : 0),
                PipeKernel32.PIPE_TYPE_BYTE | PipeKernel32.PIPE_READMODE_BYTE | PipeKernel32.PIPE_WAIT
                        | PipeKernel32.PIPE_REJECT_REMOTE_CLIENTS,
                PipeKernel32.PIPE_UNLIMITED_INSTANCES, bufferSize, bufferSize, 0, securityAttributes);
        if (pipe == PipeKernel32.INVALID_HANDLE_VALUE) {
            int error = WinError.lastError();
            if (first && error == PipeErrors.ERROR_ACCESS_DENIED) {
                throw PipeErrors.newBindException("CreateNamedPipe(" + local + ", FILE_FLAG_FIRST_PIPE_INSTANCE)",
                        error, "another server already has instances of this pipe name");
            }
            throw PipeErrors.newException("CreateNamedPipe(" + local + ")", error);
        }
        try {
            completions.associate(pipe);
        } catch (IOException e) {
            PipeKernel32.CloseHandle(pipe);
            throw e;
        }
        Instance instance = new Instance(pipe);
        instance.operation = completions.newOperation(instance, (op, held, status, bytes) ->
                instance.connectCompleted(status));
        return instance;
    }

    /** Starts the instance's ConnectNamedPipe; a client that came first is accepted at once. */
    private void listen(Instance instance) throws IOException {
        listening.add(instance);
        instance.operation.begin(null);
        if (PipeKernel32.ConnectNamedPipe(instance.handle, instance.operation.overlapped()) == 0) {
            int error = WinError.lastError();
            if (error == PipeErrors.ERROR_IO_PENDING) {
                return;
            }
            instance.operation.notStarted();
            if (error == PipeErrors.ERROR_PIPE_CONNECTED) {
                // The client opened the instance before ConnectNamedPipe: no packet comes (pipe-probe.c).
                eventLoop().execute(() -> instance.connectCompleted(Ntdll.STATUS_SUCCESS));
                return;
            }
            listening.remove(instance);
            instance.close();
            throw PipeErrors.newException("ConnectNamedPipe(" + local + ")", error);
        }
    }

    private void accepted(Instance instance) {
        listening.remove(instance);
        connected.add(instance);
        if (readPending || config.isAutoRead()) {
            deliver();
        }
    }

    /** Hands the connected instances to the pipeline as channels, and replaces each with a listening one. */
    private void deliver() {
        if (connected.isEmpty()) {
            return;
        }
        readPending = false;
        Instance instance;
        while ((instance = connected.poll()) != null) {
            // The instance's OVERLAPPED block goes (the child makes its own); its handle becomes the child's.
            instance.operation.close();
            WinloopNamedPipeChannel child = new WinloopNamedPipeChannel(this, instance.handle, completions, local);
            pipeline().fireChannelRead(child);
            if (open) {
                try {
                    listen(createInstance(false));
                } catch (IOException e) {
                    pipeline().fireExceptionCaught(e);
                }
            }
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
        for (Instance instance : listening) {
            instance.close();
        }
        listening.clear();
        Instance instance;
        while ((instance = connected.poll()) != null) {
            instance.close();
        }
        PipeSecurity.freeAttributes(securityAttributes);
        securityAttributes = 0;
    }

    /** One pipe instance waiting for (or just reached by) a client. */
    private final class Instance implements PipeOperation.Owner {
        final long handle;
        PipeOperation operation;

        Instance(long handle) {
            this.handle = handle;
        }

        @Override
        public Executor executor() {
            return isRegistered() ? eventLoop() : null;
        }

        @Override
        public void closeForPortShutdown() {
            // The server channel is registered on that very loop and is closed with it.
        }

        void connectCompleted(int status) {
            if (!open) {
                return;
            }
            if (status == Ntdll.STATUS_SUCCESS) {
                accepted(this);
                return;
            }
            // A client that came and went before the connect completed, or an instance gone wrong: replace it.
            logger.debug("ConnectNamedPipe({}) completed with {}; replacing the instance", local,
                    WinError.describeStatus(status));
            listening.remove(this);
            close();
            try {
                listen(createInstance(false));
            } catch (IOException e) {
                pipeline().fireExceptionCaught(e);
            }
        }

        void close() {
            if (operation.isPending()) {
                PipeKernel32.CancelIoEx(handle, operation.overlapped());
            }
            PipeKernel32.CloseHandle(handle);
            operation.close();
        }
    }

    private final class ServerUnsafe extends AbstractUnsafe implements WinloopPipeIoHandle {
        @Override
        public void handle(IoRegistration registration, IoEvent event) {
            // Never called: connects complete through PipeOperations.
        }

        @Override
        public void close() {
            close(voidPromise());
        }

        @Override
        public void connect(SocketAddress remoteAddress, SocketAddress localAddress, ChannelPromise promise) {
            promise.setFailure(new UnsupportedOperationException("a server channel does not connect"));
        }
    }
}
