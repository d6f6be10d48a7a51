package io.winloop;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.BindException;
import java.net.ConnectException;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Binding and connecting by name: a missing pipe, a name taken by another server or by open accepted ends, and
 * ephemeral names. Runs in both {@link PipeLoops}; after each test the process's handles and the transport's native
 * blocks are back where they were.
 */
@ParameterizedClass
@EnumSource(PipeLoops.class)
class WinloopNamedPipeBindTest extends AbstractNamedPipeTest {
    WinloopNamedPipeBindTest(PipeLoops loops) {
        super(loops);
    }

    @Test
    @Timeout(30)
    void connectingToAMissingPipeFailsWithFileNotFound() throws Exception {
        NamedPipeAddress address = newAddress();
        ChannelFuture connect = new Bootstrap().group(workers).channel(WinloopNamedPipeChannel.class)
                .handler(new ChannelInboundHandlerAdapter()).connect(address).await();
        Throwable cause = connect.cause();
        assertInstanceOf(ConnectException.class, cause);
        assertTrue(cause.getMessage().contains("ERROR_FILE_NOT_FOUND (2)"), cause.getMessage());
        assertTrue(cause.getMessage().contains(address.path()), cause.getMessage());
        assertTrue(connect.channel().closeFuture().await(5, TimeUnit.SECONDS), "the failed channel is closed");
    }

    @Test
    @Timeout(30)
    void aSecondServerOnTheSameNameFails() throws Exception {
        NamedPipeAddress address = newAddress();
        Channel first = echoServer(address);
        ChannelFuture second = new ServerBootstrap().group(boss, workers)
                .channel(WinloopNamedPipeServerChannel.class).childHandler(new Echo()).bind(address).await();
        Throwable cause = second.cause();
        assertInstanceOf(BindException.class, cause);
        assertTrue(cause.getMessage().contains("the name is in use"), cause.getMessage());
        assertTrue(second.channel().closeFuture().await(5, TimeUnit.SECONDS), "the failed server is closed");
        // The first server still serves.
        Collector collector = new Collector(3);
        Channel client = client(address, collector);
        client.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {1, 2, 3}));
        assertArrayEquals(new byte[] {1, 2, 3}, collector.done.get(10, TimeUnit.SECONDS));
        client.close().sync();
        first.close().sync();
    }

    /**
     * Unlike a domain socket's path, a pipe name belongs to every open instance of it, accepted ends included: a
     * new server cannot take it while a closed server's connection is still open, and can once that closes.
     */
    @Test
    @Timeout(30)
    void aNameStaysTakenWhileAnAcceptedEndIsOpen() throws Exception {
        NamedPipeAddress address = newAddress();
        BlockingQueue<Channel> accepted = new LinkedBlockingQueue<>();
        ServerBootstrap bootstrap = new ServerBootstrap().group(boss, workers)
                .channel(WinloopNamedPipeServerChannel.class)
                .childHandler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelActive(ChannelHandlerContext ctx) {
                        accepted.add(ctx.channel());
                    }
                });
        Channel first = bootstrap.bind(address).sync().channel();
        Channel client = client(address, new ChannelInboundHandlerAdapter());
        Channel child = accepted.poll(10, TimeUnit.SECONDS);
        first.close().sync();
        Throwable cause = bootstrap.bind(address).await().cause();
        assertInstanceOf(BindException.class, cause);
        assertTrue(cause.getMessage().contains("the name is in use"), cause.getMessage());
        client.close().sync();
        assertTrue(child.closeFuture().await(10, TimeUnit.SECONDS), "the accepted end sees its client go");
        Channel second = bootstrap.bind(address).sync().channel();
        second.close().sync();
    }

    /**
     * The pipe analog of port 0, and what Netty's testsuite relies on when it binds twice in one test: each bind of
     * an ephemeral address takes a fresh name, even while the previous server's accepted end still holds the old one
     * (which a fixed name cannot be bound over: {@link #aNameStaysTakenWhileAnAcceptedEndIsOpen}).
     */
    @Test
    @Timeout(30)
    void anEphemeralAddressBindsAFreshUnguessableNameEachTime() throws Exception {
        BlockingQueue<Channel> accepted = new LinkedBlockingQueue<>();
        ServerBootstrap bootstrap = new ServerBootstrap().group(boss, workers)
                .channel(WinloopNamedPipeServerChannel.class)
                .childHandler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public boolean isSharable() {
                        return true; // the children of all three servers
                    }

                    @Override
                    public void channelActive(ChannelHandlerContext ctx) {
                        accepted.add(ctx.channel());
                    }
                });
        NamedPipeAddress ephemeral = NamedPipeAddress.ephemeral();
        WinloopNamedPipeServerChannel first = (WinloopNamedPipeServerChannel) bootstrap.bind(ephemeral).sync()
                .channel();
        NamedPipeAddress firstName = first.localAddress();
        assertFalse(firstName.isEphemeral(), "localAddress() is the real name: " + firstName);
        assertTrue(firstName.name().matches("winloop-[0-9a-f]{32}"), "128 random bits in hex: " + firstName);
        assertEquals(NamedPipeAddress.PREFIX.length() + "winloop-".length() + 32, firstName.path().length());
        Channel client = client(firstName, new ChannelInboundHandlerAdapter());
        assertEquals(firstName, client.remoteAddress());
        Channel child = accepted.poll(10, TimeUnit.SECONDS);
        assertEquals(firstName, child.localAddress());
        first.close().sync();

        // The accepted end still holds the first name; the same bootstrap binds again, as Netty's tests do.
        WinloopNamedPipeServerChannel second = (WinloopNamedPipeServerChannel) bootstrap.bind(ephemeral).sync()
                .channel();
        NamedPipeAddress secondName = second.localAddress();
        assertFalse(secondName.isEphemeral());
        assertFalse(secondName.equals(firstName), "a fresh name: " + secondName + " after " + firstName);
        Channel secondClient = client(secondName, new ChannelInboundHandlerAdapter());
        Channel secondChild = accepted.poll(10, TimeUnit.SECONDS);
        assertTrue(secondChild != null && secondChild.isActive(), "a client reaches the second name");
        assertEquals(secondName, secondChild.localAddress());

        WinloopNamedPipeServerChannel prefixed = (WinloopNamedPipeServerChannel) bootstrap
                .bind(NamedPipeAddress.ephemeral("my-service.")).sync().channel();
        assertTrue(prefixed.localAddress().name().matches("my-service\\.[0-9a-f]{32}"), prefixed.localAddress()
                .toString());
        prefixed.close().sync();

        client.close().sync();
        secondClient.close().sync();
        second.close().sync();
        assertTrue(child.closeFuture().await(10, TimeUnit.SECONDS), "the first accepted end sees its client go");
    }

    /** Makes the "random" part of ephemeral names from {@code values}, over and over, so that names clash. */
    private static final class RepeatingNames extends Random {
        private static final long serialVersionUID = 1L;
        private final int[] values;
        private int next;

        RepeatingNames(int... values) {
            this.values = values;
        }

        @Override
        public int nextInt() {
            return values[next++ % values.length];
        }
    }

    private Channel bindEphemeral(NamedPipeAddress ephemeral, Random names) throws InterruptedException {
        ChannelFuture bind = new ServerBootstrap().group(boss, workers)
                .channelFactory((io.netty.channel.ChannelFactory<WinloopNamedPipeServerChannel>) () -> {
                    WinloopNamedPipeServerChannel channel = new WinloopNamedPipeServerChannel();
                    channel.ephemeralNameSource = names;
                    return channel;
                })
                .childHandler(new ChannelInboundHandlerAdapter()).bind(ephemeral).await();
        return bind.isSuccess() ? bind.channel() : null;
    }

    /** A fresh name that is taken (only a rigged source makes one) is replaced; after 4 taken names the bind fails. */
    @Test
    @Timeout(30)
    void anEphemeralNameFoundTakenIsReplacedThenTheBindFailsClearly() throws Exception {
        NamedPipeAddress ephemeral = NamedPipeAddress.ephemeral("winloop-clash-" + UUID.randomUUID() + "-");
        Channel holder = bindEphemeral(ephemeral, new RepeatingNames(7));
        assertTrue(((NamedPipeAddress) holder.localAddress()).name().endsWith("00000007000000070000000700000007"),
                holder.localAddress().toString());

        Channel replaced = bindEphemeral(ephemeral, new RepeatingNames(7, 7, 7, 7, 0xabcdef, 0xabcdef, 0xabcdef,
                0xabcdef));
        assertTrue(((NamedPipeAddress) replaced.localAddress()).name().endsWith("00abcdef00abcdef00abcdef00abcdef"),
                "the second name, after the first was found taken: " + replaced.localAddress());
        replaced.close().sync();

        ChannelFuture refused = new ServerBootstrap().group(boss, workers)
                .channelFactory((io.netty.channel.ChannelFactory<WinloopNamedPipeServerChannel>) () -> {
                    WinloopNamedPipeServerChannel channel = new WinloopNamedPipeServerChannel();
                    channel.ephemeralNameSource = new RepeatingNames(7);
                    return channel;
                })
                .childHandler(new ChannelInboundHandlerAdapter()).bind(ephemeral).await();
        Throwable cause = refused.cause();
        assertInstanceOf(BindException.class, cause);
        assertTrue(cause.getMessage().contains("the name is in use"), cause.getMessage());
        assertTrue(cause.getMessage().contains("4 fresh random names were all refused as taken"), cause.getMessage());
        assertTrue(refused.channel().closeFuture().await(5, TimeUnit.SECONDS), "the refused server channel closes");
        holder.close().sync();
    }

    @Test
    @Timeout(30)
    void connectingToAnUnboundEphemeralAddressFailsClearly() throws Exception {
        ChannelFuture connect = new Bootstrap().group(workers).channel(WinloopNamedPipeChannel.class)
                .handler(new ChannelInboundHandlerAdapter()).connect(NamedPipeAddress.ephemeral()).await();
        Throwable cause = connect.cause();
        assertInstanceOf(IllegalArgumentException.class, cause);
        assertTrue(cause.getMessage().contains("ephemeral pipe address, \\\\.\\pipe\\winloop-<ephemeral>"),
                cause.getMessage());
        assertTrue(cause.getMessage().contains("localAddress()"), cause.getMessage());
        assertTrue(connect.channel().closeFuture().await(5, TimeUnit.SECONDS), "the failed channel is closed");
    }
}
