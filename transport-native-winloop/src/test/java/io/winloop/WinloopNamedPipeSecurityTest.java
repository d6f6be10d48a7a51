package io.winloop;

import com.sun.jna.WString;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelFuture;
import io.winloop.internal.pipe.PipeSecurity;
import io.winloop.internal.win.Kernel32;
import io.winloop.internal.win.WinError;
import io.winloop.internal.win.Wine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A server pipe's security descriptor: the default, and one given as an option, read back from Windows. Runs in both
 * {@link PipeLoops}; after each test the process's handles and the transport's native blocks are back where they were.
 */
@ParameterizedClass
@EnumSource(PipeLoops.class)
class WinloopNamedPipeSecurityTest extends AbstractNamedPipeTest {
    WinloopNamedPipeSecurityTest(PipeLoops loops) {
        super(loops);
    }

    @Test
    @Timeout(30)
    void defaultSecurityDescriptorGrantsOnlyUserSystemAndAdministrators() throws Exception {
        NamedPipeAddress address = newAddress();
        WinloopNamedPipeServerChannel server = (WinloopNamedPipeServerChannel) echoServer(address);
        String user = PipeSecurity.currentUserSid();
        assertTrue(user.startsWith("S-1-5-"), user);
        assertEquals("D:P(A;;GA;;;SY)(A;;GA;;;BA)(A;;GA;;;" + user + ")", genericRights(server.securityDescriptor()));
        server.close().sync();
    }

    @Test
    @Timeout(30)
    void securityDescriptorOptionIsApplied() throws Exception {
        NamedPipeAddress address = newAddress();
        String sddl = "D:P(A;;GA;;;SY)(A;;GA;;;" + PipeSecurity.currentUserSid() + ")(A;;GR;;;WD)";
        WinloopNamedPipeServerChannel server = (WinloopNamedPipeServerChannel) new ServerBootstrap()
                .group(boss, workers).channel(WinloopNamedPipeServerChannel.class)
                .option(WinloopChannelOption.PIPE_SECURITY_DESCRIPTOR, sddl).childHandler(new Echo())
                .bind(address).sync().channel();
        assertEquals(sddl, genericRights(server.securityDescriptor()));
        server.close().sync();
        Throwable cause = new ServerBootstrap().group(boss, workers).channel(WinloopNamedPipeServerChannel.class)
                .option(WinloopChannelOption.PIPE_SECURITY_DESCRIPTOR, "not sddl").childHandler(new Echo())
                .bind(newAddress()).await().cause();
        assertInstanceOf(IllegalArgumentException.class, cause);
        assertTrue(cause.getMessage().contains("invalid security descriptor"), cause.getMessage());
    }

    /**
     * Windows stores a new object's ACEs with generic rights mapped to the object's own (a pipe is a file: GA is
     * stored as FA, GR as FR, GW as FW); Wine stores them as given (tools/probes/pipe-probe.c). Both grant the same.
     */
    private static String genericRights(String sddl) {
        return sddl.replace(";;FA;;;", ";;GA;;;").replace(";;FR;;;", ";;GR;;;").replace(";;FW;;;", ";;GW;;;");
    }

    private Throwable bindFailure(String sddl, boolean clientsMayCreateInstances) throws InterruptedException {
        NamedPipeAddress address = newAddress();
        ChannelFuture bind = new ServerBootstrap().group(boss, workers).channel(WinloopNamedPipeServerChannel.class)
                .option(WinloopChannelOption.PIPE_SECURITY_DESCRIPTOR, sddl)
                .option(WinloopChannelOption.PIPE_CLIENTS_MAY_CREATE_INSTANCES, clientsMayCreateInstances)
                .childHandler(new Echo()).bind(address).await();
        if (bind.isSuccess()) {
            bind.channel().close().sync();
            return null;
        }
        assertTrue(bind.channel().closeFuture().await(5, TimeUnit.SECONDS));
        long wait = Kernel32.WaitNamedPipeW(new WString(address.path()), 1);
        assertTrue(wait == 0 && WinError.lastError() == WinError.ERROR_FILE_NOT_FOUND,
                "a refused descriptor creates no instance");
        return bind.cause();
    }

    /**
     * FILE_CREATE_PIPE_INSTANCE is FILE_APPEND_DATA ("Named Pipe Security and Access Rights"): GA, GW, FA, FW and LC
     * grant it, and a principal granted it can create instances of the name and receive this server's clients.
     * Wine does not enforce pipe DACLs (a second instance under a SYSTEM-only DACL is created, seen here), so this is
     * decided at bind from the descriptor, as Windows would enforce it.
     */
    @Test
    @Timeout(60)
    void aDescriptorLettingOthersCreateInstancesIsRefusedUnlessAllowed() throws Exception {
        String me = "(A;;GA;;;" + PipeSecurity.currentUserSid() + ")";
        String[][] cases = {
                {"D:(A;;GA;;;WD)" + me, "S-1-1-0 (Everyone)"},
                {"D:(A;;GW;;;AU)" + me, "S-1-5-11 (Authenticated Users)"},
                {"D:(A;;FA;;;BU)" + me, "S-1-5-32-545 (Users)"},
                {"D:(A;;FW;;;IU)" + me, "S-1-5-4 (Interactive)"},
                {"D:(A;;LC;;;WD)" + me, "S-1-1-0"},
                {"D:(A;;0x4;;;WD)" + me, "S-1-1-0"},
                {"D:" + me + "(A;;0x1f01ff;;;S-1-5-21-1-2-3-4)", "S-1-5-21-1-2-3-4"},
        };
        for (String[] c : cases) {
            Throwable cause = bindFailure(c[0], false);
            assertInstanceOf(IllegalArgumentException.class, cause, c[0]);
            assertTrue(cause.getMessage().contains("grants " + c[1]), cause.getMessage());
            assertTrue(cause.getMessage().contains("FILE_CREATE_PIPE_INSTANCE"), cause.getMessage());
            assertTrue(cause.getMessage().contains("0x12019b"), "says what to grant instead: " + cause.getMessage());
        }
        // Individual rights without FILE_APPEND_DATA, an inherit-only ACE, a deny ACE: nothing to refuse.
        assertNull(bindFailure("D:P(A;;0x12019b;;;WD)(A;;GR;;;AN)" + me, false));
        assertNull(bindFailure("D:P(A;OICIIO;GA;;;WD)(D;;GA;;;AN)" + me, false));
        // Asked for explicitly.
        assertNull(bindFailure("D:(A;;GA;;;WD)" + me, true));
    }

    @Test
    @Timeout(60)
    void aDescriptorDenyingThisUserNewInstancesIsRefusedOnce() throws Exception {
        // SYSTEM alone may create instances: the first would be created (a new pipe), every later one refused.
        for (String sddl : new String[] {"D:P(A;;GA;;;SY)(A;;GR;;;WD)", "D:P(A;;GA;;;SY)(A;;0x12019b;;;"
                + PipeSecurity.currentUserSid() + ")"}) {
            Throwable cause = bindFailure(sddl, false);
            assertInstanceOf(IllegalArgumentException.class, cause, sddl);
            assertTrue(cause.getMessage().contains("does not grant this process's user "
                    + PipeSecurity.currentUserSid() + " FILE_CREATE_PIPE_INSTANCE"), cause.getMessage());
        }
        // A NULL DACL grants everyone everything. Windows' ConvertStringSecurityDescriptorToSecurityDescriptor makes
        // NO_ACCESS_CONTROL a NULL DACL; Wine (8.0 and 10.0, seen here) makes it a DACL that grants nothing, which
        // the user check refuses instead: refused either way.
        Throwable nullDacl = bindFailure("D:NO_ACCESS_CONTROL", true);
        assertInstanceOf(IllegalArgumentException.class, nullDacl);
        assertTrue(nullDacl.getMessage().contains(Wine.isWine() ? "does not grant this process's user"
                : "has no DACL (or a NULL one)"), nullDacl.getMessage());
        IllegalArgumentException nul = assertThrows(IllegalArgumentException.class,
                () -> new WinloopNamedPipeServerChannel().config()
                        .setSecurityDescriptor("D:P(A;;GA;;;SY)\u0000(A;;GA;;;WD)"));
        assertTrue(nul.getMessage().contains("a control character (U+0000) at index 15"), nul.getMessage());
    }
}
