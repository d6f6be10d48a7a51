package io.winloop.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapComboFactory;
import io.netty.testsuite.transport.socket.CompositeBufferGatheringWriteTest;

import java.util.List;

/**
 * Epoll also overrides {@code compositeBufferPartialWriteDoesNotCorruptDataInitServerConfig} to cap its
 * max-bytes-per-gathering-write at SO_SNDBUF; Winloop's config has no such knob, and the test's point (a partial
 * gathering write must not corrupt data) holds without it.
 */
public class WinloopCompositeBufferGatheringWriteTest extends CompositeBufferGatheringWriteTest {
    @Override
    protected List<BootstrapComboFactory<ServerBootstrap, Bootstrap>> newFactories() {
        return WinloopSocketTestPermutation.INSTANCE.socket();
    }
}
