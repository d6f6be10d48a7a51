package io.winloop.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.DatagramChannel;
import io.netty.testsuite.transport.socket.DatagramMulticastTest;
import io.winloop.WinloopDatagramChannel;
import io.winloop.internal.win.Wine;
import org.opentest4j.AssertionFailedError;

import java.lang.reflect.Method;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketAddress;
import java.net.SocketException;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Netty's {@code testMulticastWithWildcardLocalAddress} blocks a source on a group joined by a socket bound to the
 * wildcard address, on the test's multicast interface, and accepts success or UnsupportedOperationException (what
 * the JDK and Winloop throw where the stack has no source filtering, WSAENOPROTOOPT). Windows supports
 * IP_BLOCK_SOURCE and MCAST_BLOCK_SOURCE after an any-source join, so there it runs as written. Under Wine 8.0 and
 * 10.0 the host refuses that block with EINVAL: the JDK's own {@code MembershipKey.block} fails the same way in the
 * same Windows JVM ("SocketException: Invalid argument", bound to the wildcard and to the interface's address, on
 * both Wines; the NIO combinations of this test see it too), and Winloop reports it as WSAEINVAL (10022), while a
 * block on the loopback interface succeeds (the transport's WinloopDatagramMulticastTest). For an IPv6 group
 * neither Wine has MCAST_BLOCK_SOURCE: Winloop then throws UnsupportedOperationException, which Netty's test
 * accepts, while the JDK reports "SocketException: Bad protocol option" (WSAENOPROTOOPT) to the NIO combinations.
 * So under Wine, and only when the block is refused exactly so, this asserts the refusal and that Netty's test
 * fails on it and on nothing else.
 */
final class WildcardMulticastBlock {
    interface NettysTest {
        void run() throws Throwable;
    }

    private WildcardMulticastBlock() {
    }

    static void run(DatagramMulticastTest test, Bootstrap cb, NettysTest nettys) throws Throwable {
        boolean[] winloop = new boolean[1];
        Throwable refusal = Wine.isWine() ? blockOnTheWildcard(test, cb.clone(), winloop) : null;
        if (refusal == null || refusal instanceof UnsupportedOperationException) {
            nettys.run();
            return;
        }
        System.out.println("a source blocked on a wildcard-bound socket under Wine " + Wine.version() + ": "
                + refusal);
        assertInstanceOf(SocketException.class, refusal);
        String message = refusal.getMessage();
        assertTrue(winloop[0] ? message.contains("WSAEINVAL (10022)")
                : message.contains("Invalid argument") || message.contains("Bad protocol option"), message);
        AssertionFailedError failure = assertThrows(AssertionFailedError.class, nettys::run);
        assertTrue(failure.getMessage().contains("but was: <java.net.SocketException>"), failure.getMessage());
    }

    /**
     * Netty's steps up to the block, with its own interface, group and source; the block's failure, or null.
     * {@code winloop[0]} says whether the channel was Winloop's (else the JDK's NIO).
     */
    private static Throwable blockOnTheWildcard(DatagramMulticastTest test, Bootstrap cb, boolean[] winloop)
            throws Throwable {
        NetworkInterface iface = (NetworkInterface) callNettys(test, "multicastNetworkInterface");
        if (iface == null) {
            return null; // Netty's test skips itself then
        }
        InetAddress group = InetAddress.getByName((String) callNettys(test, "groupAddress"));
        DatagramChannel channel = (DatagramChannel) cb.handler(new ChannelInboundHandlerAdapter())
                .option(ChannelOption.IP_MULTICAST_IF, iface).option(ChannelOption.SO_REUSEADDR, true)
                .bind((SocketAddress) callNettys(test, "newAnySocketAddress")).sync().channel();
        winloop[0] = channel instanceof WinloopDatagramChannel;
        try {
            channel.joinGroup(group).sync();
            Throwable cause = channel.block(group, (InetAddress) callNettys(test, "sourceAddress")).await().cause();
            channel.leaveGroup(group).sync();
            return cause;
        } finally {
            channel.close().awaitUninterruptibly();
        }
    }

    private static Object callNettys(DatagramMulticastTest test, String method) throws Exception {
        Method m = DatagramMulticastTest.class.getDeclaredMethod(method);
        m.setAccessible(true);
        return m.invoke(test);
    }
}
