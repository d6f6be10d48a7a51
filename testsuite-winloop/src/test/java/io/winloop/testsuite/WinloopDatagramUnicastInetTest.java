package io.winloop.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.socket.DatagramChannel;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapComboFactory;
import io.netty.testsuite.transport.socket.DatagramUnicastInetTest;

import java.util.List;

public class WinloopDatagramUnicastInetTest extends DatagramUnicastInetTest {
    @Override
    protected List<BootstrapComboFactory<Bootstrap, Bootstrap>> newFactories() {
        return WinloopSocketTestPermutation.INSTANCE.datagram(socketInternetProtocalFamily());
    }

    /** NIO's disconnect() under Wine: see WinloopSocketTestPermutation.nioDisconnectFailsUnderWine. */
    @Override
    protected boolean disconnectMightFail(DatagramChannel channel) {
        return WinloopSocketTestPermutation.nioDisconnectFailsUnderWine(channel) || super.disconnectMightFail(channel);
    }
}
