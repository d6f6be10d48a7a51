package io.winloop;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.DatagramPacket;
import io.netty.resolver.NoopAddressResolverGroup;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.BindException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Socket addresses and datagram sizes a user or a peer's data can supply, at their worst: unresolved names,
 * addresses this machine does not have, the wildcard and port 0 as a destination, an address of the wrong kind, a
 * datagram larger than IPv4 allows. Each bind, connect or send fails with an exception that names the address or
 * the Windows error, and the socket and native blocks it took are released.
 */
@Timeout(60)
class WinloopSocketAddressHostileTest {
    /** TEST-NET-1 (RFC 5737): no machine has it, so binding it must fail. */
    private static final String NOT_OURS = "192.0.2.77";

    private static EventLoopGroup group;

    @BeforeAll
    static void startLoop() {
        group = new WinloopEventLoopGroup(1);
    }

    @AfterAll
    static void stopLoop() throws InterruptedException {
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).sync();
    }

    /** One row: the local address to bind (or null), the remote one, how the connect fails. */
    static final class Case {
        final String name;
        final SocketAddress local;
        final SocketAddress remote;
        final Class<? extends Throwable> failure;
        final String message;
        boolean resolve = true;

        Case(String name, SocketAddress local, SocketAddress remote, Class<? extends Throwable> failure,
             String message) {
            this.name = name;
            this.local = local;
            this.remote = remote;
            this.failure = failure;
            this.message = message;
        }

        Case noResolver() {
            resolve = false;
            return this;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static List<Case> connects() {
        InetSocketAddress unresolved = InetSocketAddress.createUnresolved("no-such-host.invalid", 80);
        InetSocketAddress loopback = new InetSocketAddress("127.0.0.1", 9);
        return Arrays.asList(
                // Bootstrap resolves first, with the default resolver: the name does not resolve.
                new Case("an unresolved remote address", null, unresolved, UnknownHostException.class,
                        "no-such-host.invalid"),
                // The channel itself, reached without resolving (NoopAddressResolverGroup, as some clients do).
                new Case("an unresolved remote address, not resolved first", null, unresolved,
                        UnresolvedAddressException.class,
                        "cannot connect to the unresolved address no-such-host.invalid:80").noResolver(),
                new Case("an unresolved local address", unresolved, loopback, UnresolvedAddressException.class,
                        "cannot bind to the unresolved address no-such-host.invalid:80"),
                // Netty annotates a connect's failure with the remote address, as a SocketException (NIO's too).
                new Case("a local address this machine does not have", new InetSocketAddress(NOT_OURS, 0),
                        loopback, SocketException.class, "bind(/" + NOT_OURS + ":0) failed: WSAEADDRNOTAVAIL (10049)"),
                new Case("a named pipe address", null, NamedPipeAddress.of("winloop-not-a-socket"),
                        UnsupportedOperationException.class,
                        "unsupported address type: io.winloop.NamedPipeAddress (expected: InetSocketAddress)"),
                // Windows refuses the wildcard as a destination (WSAEADDRNOTAVAIL); like the JDK's SocketChannel,
                // Winloop connects it to the loopback (SockAddrTest), where nothing listens on port 9: refused.
                new Case("the wildcard address as the destination", null, new InetSocketAddress("0.0.0.0", 9),
                        ConnectException.class, "WSAECONNREFUSED (10061)"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("connects")
    void aHostileAddressFailsTheConnectByName(Case c) throws Exception {
        ResourceBaseline baseline = ResourceBaseline.take();
        Bootstrap bootstrap = new Bootstrap().group(group).channel(WinloopSocketChannel.class)
                .handler(new ChannelInboundHandlerAdapter());
        if (!c.resolve) {
            bootstrap.resolver(NoopAddressResolverGroup.INSTANCE);
        }
        ChannelFuture f = bootstrap.connect(c.remote, c.local).await();
        Throwable cause = f.cause();
        assertNotNull(cause, "the connect failed");
        assertInstanceOf(c.failure, cause, () -> "cause: " + cause);
        assertTrue(String.valueOf(cause.getMessage()).contains(c.message), () -> "message: " + cause.getMessage());
        // Bootstrap closes a channel whose connect failed (CLOSE_ON_FAILURE), after the promise's waiters wake.
        assertTrue(f.channel().closeFuture().await(10, TimeUnit.SECONDS), "the failed channel is closed");
        baseline.assertRestored();
    }

    @Test
    void aServerBindToAnAddressThisMachineDoesNotHaveNamesTheError() throws Exception {
        ResourceBaseline baseline = ResourceBaseline.take();
        ChannelFuture f = new ServerBootstrap().group(group).channel(WinloopServerSocketChannel.class)
                .childHandler(new ChannelInboundHandlerAdapter()).bind(new InetSocketAddress(NOT_OURS, 0)).await();
        assertInstanceOf(BindException.class, f.cause());
        assertTrue(f.cause().getMessage().contains("WSAEADDRNOTAVAIL (10049)"), f.cause().getMessage());
        assertTrue(f.cause().getMessage().contains(NOT_OURS), f.cause().getMessage());
        f.channel().close().sync();
        baseline.assertRestored();
    }

    /**
     * Datagrams: IPv4 carries at most 65 507 bytes of UDP payload, so one byte more fails that write with
     * WSAEMSGSIZE; a destination of port 0 is not an address one can send to (Microsoft's sendto page:
     * WSAEADDRNOTAVAIL). Each fails only its own write, releases its buffer, and the channel goes on sending.
     */
    static List<Object[]> datagrams() {
        return Arrays.asList(
                new Object[] {"one byte more than IPv4 allows", 65508, 0, "WSAEMSGSIZE (10040): Message too long"},
                // Checked before sendto: Wine 8.0 would answer WSAEINVAL and Wine 10.0 reports success and drops it.
                new Object[] {"to port 0", 16, -1, "cannot send a datagram to port 0 (/127.0.0.1:0): Windows "
                        + "refuses it with WSAEADDRNOTAVAIL (10049)"});
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("datagrams")
    void aHostileDatagramFailsOnlyItsOwnWrite(String name, int size, int port, String message) throws Exception {
        ResourceBaseline baseline = ResourceBaseline.take();
        Channel receiver = new Bootstrap().group(group).channel(WinloopDatagramChannel.class)
                .handler(new ChannelInboundHandlerAdapter()).bind(new InetSocketAddress("127.0.0.1", 0)).sync()
                .channel();
        Channel sender = new Bootstrap().group(group).channel(WinloopDatagramChannel.class)
                .handler(new ChannelInboundHandlerAdapter()).bind(new InetSocketAddress("127.0.0.1", 0)).sync()
                .channel();
        try {
            InetSocketAddress to = port < 0 ? new InetSocketAddress("127.0.0.1", 0)
                    : (InetSocketAddress) receiver.localAddress();
            ByteBuf content = Unpooled.directBuffer(size).writeZero(size);
            ChannelFuture f = sender.writeAndFlush(new DatagramPacket(content, to)).await();
            assertNotNull(f.cause(), "the write failed");
            assertTrue(String.valueOf(f.cause().getMessage()).contains(message), () -> "message: "
                    + f.cause().getMessage());
            assertEquals(0, content.refCnt(), "the failed datagram was released");
            assertTrue(sender.isActive(), "one bad datagram does not close the channel");
            sender.writeAndFlush(new DatagramPacket(Unpooled.copyInt(1), (InetSocketAddress) receiver
                    .localAddress())).sync();
        } finally {
            sender.close().sync();
            receiver.close().sync();
        }
        baseline.assertRestored();
    }
}
