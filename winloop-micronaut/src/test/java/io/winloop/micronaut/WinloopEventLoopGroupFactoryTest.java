package io.winloop.micronaut;

import io.micronaut.context.ApplicationContext;
import io.micronaut.http.netty.channel.DefaultEventLoopGroupConfiguration;
import io.micronaut.http.netty.channel.EventLoopGroupFactory;
import io.micronaut.http.netty.channel.NettyChannelType;
import io.micronaut.inject.qualifiers.Qualifiers;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.winloop.Winloop;
import io.winloop.WinloopDatagramChannel;
import io.winloop.WinloopEventLoopGroup;
import io.winloop.WinloopIoHandler;
import io.winloop.WinloopServerSocketChannel;
import io.winloop.WinloopSocketChannel;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The factory's whole contract, called directly, and its registration under its name. */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class WinloopEventLoopGroupFactoryTest {
    private final WinloopEventLoopGroupFactory factory = new WinloopEventLoopGroupFactory();
    private final DefaultEventLoopGroupConfiguration configuration = new DefaultEventLoopGroupConfiguration();

    @BeforeAll
    static void winloopRuns() {
        assertTrue(Winloop.isAvailable(), () -> "these tests must run in a Windows JVM where Winloop runs: "
                + Winloop.unavailabilityCause());
    }

    @Test
    void isNativeAndRegisteredUnderItsName() {
        assertTrue(factory.isNative());
        try (ApplicationContext context = ApplicationContext.run(Map.of("micronaut.server.port", -1))) {
            EventLoopGroupFactory named = context.getBean(EventLoopGroupFactory.class,
                    Qualifiers.byName(WinloopEventLoopGroupFactory.NAME));
            assertInstanceOf(WinloopEventLoopGroupFactory.class, named);
        }
    }

    @Test
    void channelClasses() {
        assertSame(WinloopServerSocketChannel.class, factory.channelClass(NettyChannelType.SERVER_SOCKET));
        assertSame(WinloopSocketChannel.class, factory.channelClass(NettyChannelType.CLIENT_SOCKET, configuration));
        assertSame(WinloopDatagramChannel.class, factory.channelClass(NettyChannelType.DATAGRAM_SOCKET, null));
    }

    @Test
    void channelInstances() {
        for (NettyChannelType type : new NettyChannelType[] {NettyChannelType.SERVER_SOCKET,
                NettyChannelType.CLIENT_SOCKET, NettyChannelType.DATAGRAM_SOCKET}) {
            Channel channel = factory.channelInstance(type, configuration);
            try {
                assertSame(factory.channelClass(type), channel.getClass(), type.toString());
                assertTrue(channel.isOpen(), type + " channel is not open");
            } finally {
                channel.unsafe().closeForcibly();
            }
        }
    }

    @Test
    void domainSocketsPointToNamedPipes() {
        for (NettyChannelType type : new NettyChannelType[] {NettyChannelType.DOMAIN_SOCKET,
                NettyChannelType.DOMAIN_SERVER_SOCKET}) {
            UnsupportedOperationException byClass = assertThrows(UnsupportedOperationException.class,
                    () -> factory.channelClass(type, configuration));
            assertTrue(byClass.getMessage().contains("named pipes"), byClass.getMessage());
            UnsupportedOperationException byInstance = assertThrows(UnsupportedOperationException.class,
                    () -> factory.channelInstance(type, configuration));
            assertEquals(byClass.getMessage(), byInstance.getMessage());
        }
    }

    @Test
    void fileDescriptorsAreRefusedSayingWhy() {
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> factory.channelInstance(NettyChannelType.SERVER_SOCKET, configuration, null, 3));
        assertTrue(e.getMessage().contains("file descriptor 3"), e.getMessage());
    }

    @Test
    @SuppressWarnings("deprecation")
    void eventLoopGroupsRunWinloop() throws Exception {
        EventLoopGroup fromConfiguration = new MultiThreadIoEventLoopGroup(1,
                (Runnable task) -> new Thread(task).start(), factory.createIoHandlerFactory(configuration));
        EventLoopGroup deprecatedForm = factory.createEventLoopGroup(1, (Integer) null);
        try {
            assertTrue(((MultiThreadIoEventLoopGroup) fromConfiguration).isIoType(WinloopIoHandler.class));
            assertInstanceOf(WinloopEventLoopGroup.class, deprecatedForm);
        } finally {
            fromConfiguration.shutdownGracefully(0, 5, TimeUnit.SECONDS).sync();
            deprecatedForm.shutdownGracefully(0, 5, TimeUnit.SECONDS).sync();
        }
    }
}
