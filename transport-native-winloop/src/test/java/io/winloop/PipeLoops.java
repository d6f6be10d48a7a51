package io.winloop;

import io.netty.channel.EventLoopGroup;
import io.winloop.internal.pipe.PipeAcceptMode;

/**
 * The two set-ups every pipe test class runs in. {@link #AUTO_ACCEPT_TWO_GROUPS}: the accept mode the system
 * picks (the accept thread under Wine, port-based where a handle can change ports), a one-loop boss group and a
 * two-loop worker group for the children and the clients. {@link #PORT_ACCEPT_ONE_LOOP}: port-based accept forced,
 * everything on one loop, which is where it works under Wine (a handle there cannot leave the server loop's port).
 */
enum PipeLoops {
    AUTO_ACCEPT_TWO_GROUPS(null),
    PORT_ACCEPT_ONE_LOOP("port");

    /** The value of {@link PipeAcceptMode#PROPERTY} forced for the test, or null for the system's choice. */
    final String acceptMode;

    PipeLoops(String acceptMode) {
        this.acceptMode = acceptMode;
    }

    EventLoopGroup newBossGroup() {
        return new WinloopEventLoopGroup(1);
    }

    EventLoopGroup newWorkerGroup(EventLoopGroup boss) {
        return this == PORT_ACCEPT_ONE_LOOP ? boss : new WinloopEventLoopGroup(2);
    }
}
