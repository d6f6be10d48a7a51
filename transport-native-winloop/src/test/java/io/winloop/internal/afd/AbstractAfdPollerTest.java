package io.winloop.internal.afd;

import io.winloop.internal.afd.AfdTestSupport.Recorder;
import io.winloop.internal.port.LoopPort;
import io.winloop.internal.win.WinSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A fresh LoopPort (its AfdPoller in {@code poller}) and recording listener per test; sockets passed to
 * {@link #track} are closed after it.
 */
abstract class AbstractAfdPollerTest {
    private final List<WinSocket> sockets = new ArrayList<>();
    final Recorder recorder = new Recorder();
    LoopPort loop;
    AfdPoller poller;

    @BeforeEach
    void setUpPoller() throws IOException {
        loop = new LoopPort(64);
        poller = loop.afd();
    }

    @AfterEach
    void closePollerAndSockets() {
        loop.close(2_000);
        AfdTestSupport.closeQuietly(sockets.toArray(new WinSocket[0]));
    }

    WinSocket track(WinSocket socket) {
        sockets.add(socket);
        return socket;
    }
}
