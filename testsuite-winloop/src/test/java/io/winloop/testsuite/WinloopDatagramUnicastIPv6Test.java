package io.winloop.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.socket.DatagramChannel;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapComboFactory;
import io.netty.testsuite.transport.socket.DatagramUnicastIPv6Test;

import java.util.List;

public class WinloopDatagramUnicastIPv6Test extends DatagramUnicastIPv6Test {
    @Override
    protected List<BootstrapComboFactory<Bootstrap, Bootstrap>> newFactories() {
        return WinloopSocketTestPermutation.INSTANCE.datagram(socketInternetProtocalFamily());
    }

    /**
     * The NIO side, not Winloop's: under Wine, the JDK's DatagramChannel.disconnect() fails with
     * "SocketException: Invalid argument: bind" (seen in testSimpleSendWithConnect with a NIO client). JDK 17 hits
     * JDK-8285515 (fixed in JDK 20), for which Netty's own DatagramUnicastIPv6MappedTest makes the same exception;
     * JDK 20+ (seen on JDK 25 under Wine 10.0) re-binds the socket in DatagramChannelImpl.repairSocket() because
     * Windows dissolves the local binding on disconnect, while Wine keeps the Linux socket bound, so bind fails.
     */
    @Override
    protected boolean disconnectMightFail(DatagramChannel channel) {
        return WinloopSocketTestPermutation.nioDisconnectFailsUnderWine(channel) || super.disconnectMightFail(channel);
    }
}
