package io.winloop;

import io.netty.channel.AbstractChannel;
import io.netty.channel.Channel;
import io.netty.channel.ChannelMetadata;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.IoEvent;
import io.netty.channel.IoEventLoop;
import io.netty.channel.IoRegistration;

import java.net.SocketAddress;

/**
 * What both named pipe channels share: the registration with a {@link WinloopIoHandler} as a
 * {@link WinloopOverlappedHandle} (no AFD poll; every completion comes through an {@code OverlappedOp}), the local
 * address and the active flag. As Netty's epoll server channel extends the epoll base, the server channel extends
 * this and adds what {@code AbstractServerChannel} would.
 */
abstract class AbstractWinloopNamedPipeChannel extends AbstractChannel {
    private static final ChannelMetadata METADATA = new ChannelMetadata(false, 16);

    volatile boolean active;
    volatile NamedPipeAddress local;
    private IoRegistration registration;

    AbstractWinloopNamedPipeChannel(Channel parent) {
        super(parent);
    }

    @Override
    public ChannelMetadata metadata() {
        return METADATA;
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
        return loop instanceof IoEventLoop && ((IoEventLoop) loop).isCompatible(PipeUnsafe.class);
    }

    @Override
    protected abstract PipeUnsafe newUnsafe();

    @Override
    protected void doRegister(ChannelPromise promise) {
        ((IoEventLoop) eventLoop()).register((PipeUnsafe) unsafe()).addListener(f -> {
            if (f.isSuccess()) {
                registration = (IoRegistration) f.getNow();
                promise.setSuccess(); // runs channelRegistered (and for a connected pipe channelActive, the read)
                registered();
            } else {
                promise.setFailure(f.cause());
            }
        });
    }

    /** After a registration succeeded and its promise was completed. */
    void registered() {
    }

    @Override
    protected void doDeregister() throws Exception {
        IoRegistration registration = this.registration;
        if (registration != null) {
            registration.cancel();
        }
    }

    /** The handle the loop registers: a pipe's completions come through its {@code OverlappedOp}s, not here. */
    abstract class PipeUnsafe extends AbstractUnsafe implements WinloopOverlappedHandle {
        @Override
        public void handle(IoRegistration registration, IoEvent event) {
            // Never called: the loop polls no pipe with AFD.
        }

        @Override
        public void close() {
            close(voidPromise());
        }
    }
}
