package io.winloop.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapComboFactory;
import io.netty.testsuite.transport.socket.DatagramUnicastIPv6Test;
import io.netty.util.internal.PlatformDependent;
import io.winloop.internal.win.Wine;

import java.util.List;

public class WinloopDatagramUnicastIPv6Test extends DatagramUnicastIPv6Test {
    @Override
    protected List<BootstrapComboFactory<Bootstrap, Bootstrap>> newFactories() {
        return WinloopSocketTestPermutation.INSTANCE.datagram(socketInternetProtocalFamily());
    }

    /**
     * The NIO side, not Winloop's: under Wine, JDK 17's DatagramChannel.disconnect() fails in repairSocket()
     * with "SocketException: Invalid argument: bind" (seen in testSimpleSendWithConnect with a NIO client); that is
     * JDK-8285515 (fixed in JDK 20), for which Netty's own DatagramUnicastIPv6MappedTest makes the same exception.
     */
    @Override
    protected boolean disconnectMightFail(DatagramChannel channel) {
        if (channel instanceof NioDatagramChannel && Wine.isWine() && PlatformDependent.javaVersion() < 20) {
            return true;
        }
        return super.disconnectMightFail(channel);
    }
}
