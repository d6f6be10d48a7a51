package io.winloop;

import com.sun.jna.WString;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.winloop.internal.pipe.PipeSecurity;
import io.winloop.internal.win.Kernel32;
import io.winloop.internal.win.WinError;
import io.winloop.internal.win.Wine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A client checks who owns the pipe it opened before it writes anything (PIPE_OWNER_POLICY): whoever creates a
 * well-known name first receives its clients, FILE_FLAG_FIRST_PIPE_INSTANCE notwithstanding, which guards only a
 * server's bind.
 */
class WinloopNamedPipeOwnerTest extends AbstractNamedPipeTest {
    /** An ordinary user's SID that is not this process's: the squatter. */
    private static final String OTHER_USER = "S-1-5-21-1-2-3-4";
    /** ERROR_INVALID_OWNER: Windows refuses an owner the caller's token does not hold. */
    private static final int ERROR_INVALID_OWNER = 1307;

    WinloopNamedPipeOwnerTest() {
        super(PipeLoops.AUTO_ACCEPT_TWO_GROUPS);
    }

    /**
     * A raw (synchronous) server instance of {@code address} with {@code sddl} (null: no descriptor), or -1 with the
     * error. A client can open it before it waits in ConnectNamedPipe.
     */
    private static long rawServer(NamedPipeAddress address, String sddl) {
        long sa = sddl == null ? 0 : PipeSecurity.attributes(sddl);
        try {
            return Kernel32.CreateNamedPipeW(new WString(address.path()), Kernel32.PIPE_ACCESS_DUPLEX, 0,
                    Kernel32.PIPE_UNLIMITED_INSTANCES, 4096, 4096, 0, sa);
        } finally {
            PipeSecurity.freeAttributes(sa);
        }
    }

    private ChannelFuture connect(NamedPipeAddress address, NamedPipeOwnerPolicy policy) throws InterruptedException {
        return new Bootstrap().group(workers).channel(WinloopNamedPipeChannel.class)
                .option(WinloopChannelOption.PIPE_OWNER_POLICY, policy).handler(new ChannelInboundHandlerAdapter())
                .connect(address).await();
    }

    @Test
    @Timeout(30)
    void aWinloopServersPipeIsOwnedByItsUserAndItsClientsConnect() throws Exception {
        NamedPipeAddress address = newAddress();
        Channel server = echoServer(address);
        long probe = Kernel32.CreateFileW(new WString(address.path()), Kernel32.GENERIC_READ, 0, 0,
                Kernel32.OPEN_EXISTING, 0, 0);
        assertNotEquals(Kernel32.INVALID_HANDLE_VALUE, probe);
        assertEquals(PipeSecurity.currentUserSid(), PipeSecurity.readOwner(probe), "the owner the server names");
        Kernel32.CloseHandle(probe);
        assertEquals(NamedPipeOwnerPolicy.trusted(), new WinloopNamedPipeChannel().config().getOwnerPolicy(),
                "the default");
        Collector collector = new Collector(4);
        Channel client = client(address, collector);
        client.writeAndFlush(Unpooled.copiedBuffer("ping", StandardCharsets.US_ASCII));
        assertEquals("ping", new String(collector.done.get(10, TimeUnit.SECONDS), StandardCharsets.US_ASCII));
        client.close().sync();
        server.close().sync();
    }

    @Test
    @Timeout(30)
    void aPipeSquattedByAnotherUserIsRefusedBeforeAnythingIsWritten() throws Exception {
        NamedPipeAddress address = newAddress();
        long squatter = rawServer(address, "O:" + OTHER_USER + "D:(A;;GA;;;WD)");
        if (!Wine.isWine()) {
            // Windows lets no one but a privileged process name another user as owner ("SetSecurityDescriptorOwner":
            // the owner must be a SID of the caller's token); the squat then needs a second account, and the decision
            // is what ownerPoliciesDecideAsDocumented checks.
            assertEquals(Kernel32.INVALID_HANDLE_VALUE, squatter);
            assertEquals(ERROR_INVALID_OWNER, WinError.lastError(), WinError.describe(WinError.lastError()));
            return;
        }
        // Wine takes any owner in a descriptor.
        assertNotEquals(Kernel32.INVALID_HANDLE_VALUE, squatter, WinError.describe(WinError.lastError()));
        try {
            ChannelFuture refused = connect(address, NamedPipeOwnerPolicy.trusted());
            assertInstanceOf(ConnectException.class, refused.cause());
            String message = refused.cause().getMessage();
            assertTrue(message.contains("the pipe is owned by " + OTHER_USER), message);
            assertTrue(message.contains("PIPE_OWNER_POLICY"), message);
            assertTrue(refused.channel().closeFuture().await(5, TimeUnit.SECONDS));
            // The squatter's instance saw a client come and go, and got nothing.
            assertEquals(0, Kernel32.ConnectNamedPipe(squatter, 0));
            assertEquals(WinError.ERROR_NO_DATA, WinError.lastError(), WinError.describe(WinError.lastError()));
        } finally {
            Kernel32.CloseHandle(squatter);
        }
        // The check is what refused it: the same pipe, trusted by SID or with the check off, is connected to.
        for (NamedPipeOwnerPolicy policy : new NamedPipeOwnerPolicy[] {NamedPipeOwnerPolicy.of(OTHER_USER),
                NamedPipeOwnerPolicy.anyOwner()}) {
            long again = rawServer(address, "O:" + OTHER_USER + "D:(A;;GA;;;WD)");
            try {
                ChannelFuture accepted = connect(address, policy);
                assertTrue(accepted.isSuccess(), policy + ": " + accepted.cause());
                accepted.channel().close().sync();
            } finally {
                Kernel32.CloseHandle(again);
            }
        }
    }

    @Test
    @Timeout(30)
    void currentUserOnlyRefusesAPipeOfLocalSystemThatTheDefaultTrusts() throws Exception {
        NamedPipeAddress address = newAddress();
        long system = rawServer(address, "O:SYD:(A;;GA;;;WD)");
        if (!Wine.isWine()) {
            assertEquals(Kernel32.INVALID_HANDLE_VALUE, system, "only a privileged process names SYSTEM as owner");
            return;
        }
        try {
            ChannelFuture refused = connect(address, NamedPipeOwnerPolicy.currentUserOnly());
            assertInstanceOf(ConnectException.class, refused.cause());
            assertTrue(refused.cause().getMessage().contains("owned by " + PipeSecurity.SYSTEM),
                    refused.cause().getMessage());
        } finally {
            Kernel32.CloseHandle(system);
        }
        long again = rawServer(address, "O:SYD:(A;;GA;;;WD)");
        try {
            ChannelFuture accepted = connect(address, NamedPipeOwnerPolicy.trusted());
            assertTrue(accepted.isSuccess(), String.valueOf(accepted.cause()));
            accepted.channel().close().sync();
        } finally {
            Kernel32.CloseHandle(again);
        }
    }

    /**
     * A pipe made without a security descriptor: on Windows its creator owns it ("Named Pipe Security and Access
     * Rights": the default descriptor's owner is the creator); Wine gives it no owner at all (GetSecurityInfo
     * returns a NULL owner SID, seen here under Wine 8.0 and 10.0), which the default policy refuses: an owner
     * that cannot be told is not trusted.
     */
    @Test
    @Timeout(30)
    void aPipeWithoutADescriptorIsOwnedByItsCreatorOnWindowsAndByNoOneUnderWine() throws Exception {
        NamedPipeAddress address = newAddress();
        long pipe = rawServer(address, null);
        long second = rawServer(address, null); // the instance the Winloop client opens
        assertNotEquals(Kernel32.INVALID_HANDLE_VALUE, pipe);
        assertNotEquals(Kernel32.INVALID_HANDLE_VALUE, second);
        try {
            long probe = Kernel32.CreateFileW(new WString(address.path()), Kernel32.GENERIC_READ, 0, 0,
                    Kernel32.OPEN_EXISTING, 0, 0);
            String owner = PipeSecurity.readOwner(probe);
            Kernel32.CloseHandle(probe);
            ChannelFuture connect = connect(address, NamedPipeOwnerPolicy.trusted());
            if (Wine.isWine()) {
                assertNull(owner, "Wine: no owner");
                assertInstanceOf(ConnectException.class, connect.cause());
                assertTrue(connect.cause().getMessage().contains("owned by no one"), connect.cause().getMessage());
            } else {
                assertTrue(owner.equals(PipeSecurity.currentUserSid()) || owner.equals(PipeSecurity.ADMINISTRATORS),
                        "the creator (an elevated one's default owner is Administrators): " + owner);
                assertTrue(connect.isSuccess(), String.valueOf(connect.cause()));
                connect.channel().close().sync();
            }
        } finally {
            Kernel32.CloseHandle(pipe);
            Kernel32.CloseHandle(second);
        }
    }

    /** The decision itself, fed with the SIDs Windows uses: what only a second account on Windows could show. */
    @Test
    void ownerPoliciesDecideAsDocumented() {
        String me = "S-1-5-21-1004336348-1177238915-682003330-1001";
        String other = "S-1-5-21-1004336348-1177238915-682003330-1002";
        NamedPipeOwnerPolicy trusted = NamedPipeOwnerPolicy.trusted();
        assertTrue(trusted.accepts(me, me));
        assertTrue(trusted.accepts(me.toLowerCase(), me), "SIDs compare without regard to case");
        assertTrue(trusted.accepts("S-1-5-18", me), "LocalSystem: services");
        assertTrue(trusted.accepts("S-1-5-32-544", me), "Administrators: elevated processes");
        assertFalse(trusted.accepts(other, me), "another ordinary user: a squatter");
        assertFalse(trusted.accepts("S-1-5-19", me), "LocalService is not trusted by default");
        assertFalse(trusted.accepts("S-1-1-0", me), "Everyone");
        assertFalse(trusted.accepts(null, me), "no owner");
        assertFalse(NamedPipeOwnerPolicy.currentUserOnly().accepts("S-1-5-18", me));
        assertTrue(NamedPipeOwnerPolicy.currentUserOnly().accepts(me, me));
        assertTrue(NamedPipeOwnerPolicy.of("S-1-5-19").accepts("S-1-5-19", me));
        assertFalse(NamedPipeOwnerPolicy.of("S-1-5-19").accepts(me, me), "of(..) does not add the current user");
        assertTrue(NamedPipeOwnerPolicy.currentUserAnd("S-1-5-19").accepts(me, me));
        assertTrue(NamedPipeOwnerPolicy.anyOwner().accepts(null, me));
        for (String bad : new String[] {"", "Everyone", "S-1-", "S-1-5-18 ", "S-1-5-18\u0000", "s-1-x", "SY"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> NamedPipeOwnerPolicy.of(bad));
            assertTrue(e.getMessage().contains("not a string SID"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, NamedPipeOwnerPolicy::of);
        assertThrows(NullPointerException.class, () -> new WinloopNamedPipeChannel().config().setOwnerPolicy(null));
    }
}
