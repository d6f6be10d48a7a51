package io.winloop;

import io.netty.channel.EventLoopGroup;
import io.winloop.internal.pipe.PipeAcceptMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every {@link WinloopNamedPipeTest} with port-based accept forced, the server, its children and the clients on one
 * one-loop group: where a handle cannot leave the server loop's port (Wine) that is where port-based accept works,
 * so this runs the whole pipe suite through it there (elsewhere it is the automatic choice anyway).
 */
class WinloopNamedPipeOneLoopPortAcceptTest extends WinloopNamedPipeTest {
    private EventLoopGroup loop;
    private String modeBefore;

    @BeforeEach
    void forcePortAccept() {
        modeBefore = System.getProperty(PipeAcceptMode.PROPERTY);
        System.setProperty(PipeAcceptMode.PROPERTY, "port");
        assertEquals(PipeAcceptMode.Mode.PORT, PipeAcceptMode.current().mode(), "what every bind of the test reads");
    }

    @AfterEach
    void restoreAcceptMode() {
        if (modeBefore == null) {
            System.clearProperty(PipeAcceptMode.PROPERTY);
        } else {
            System.setProperty(PipeAcceptMode.PROPERTY, modeBefore);
        }
    }

    @Override
    EventLoopGroup newBossGroup() {
        loop = new WinloopEventLoopGroup(1);
        return loop;
    }

    @Override
    EventLoopGroup newWorkerGroup() {
        return loop;
    }
}
