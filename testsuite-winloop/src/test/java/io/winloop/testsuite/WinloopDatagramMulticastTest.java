package io.winloop.testsuite;

import io.netty.bootstrap.Bootstrap;
import io.netty.testsuite.transport.TestsuitePermutation.BootstrapComboFactory;
import io.netty.testsuite.transport.socket.DatagramMulticastTest;

import java.util.List;

public class WinloopDatagramMulticastTest extends DatagramMulticastTest {
    @Override
    protected List<BootstrapComboFactory<Bootstrap, Bootstrap>> newFactories() {
        return WinloopSocketTestPermutation.INSTANCE.datagram(socketInternetProtocalFamily());
    }

    /** Under Wine the block Netty's test makes is refused with EINVAL: see {@link WildcardMulticastBlock}. */
    @Override
    public void testMulticastWithWildcardLocalAddress(Bootstrap sb, Bootstrap cb) throws Throwable {
        WildcardMulticastBlock.run(this, cb, () -> super.testMulticastWithWildcardLocalAddress(sb, cb));
    }
}
