package io.winloop.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapComboFactory;
import io.netty.testsuite.transport.socket.DatagramUnicastIPv6MappedTest;

import java.util.List;

public class WinloopDatagramUnicastIPv6MappedTest extends DatagramUnicastIPv6MappedTest {
    @Override
    protected List<BootstrapComboFactory<Bootstrap, Bootstrap>> newFactories() {
        return WinloopSocketTestPermutation.INSTANCE.datagram(socketInternetProtocalFamily());
    }

    /** NIO's disconnect() under Wine: see WinloopSocketTestPermutation.nioDisconnectFailsUnderWine. */
    @Override
    protected boolean disconnectMightFail(io.netty.channel.socket.DatagramChannel channel) {
        return WinloopSocketTestPermutation.nioDisconnectFailsUnderWine(channel) || super.disconnectMightFail(channel);
    }
}
