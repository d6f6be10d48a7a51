package io.winloop;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.InetAddress;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every option the socket, server-socket and datagram configs handle themselves, and the Netty options they pass on,
 * fed the worst values a user can give (0, negative, huge, null, values outside the field Winsock stores them in):
 * each is refused with an exception that names the option and the bad value, before any Win32 call, the option keeps
 * its value, and the channel's socket and native blocks are released when it closes. The values that are legal
 * however odd (SO_LINGER -5 means off, as in Netty) are accepted and read back as Netty defines them.
 */
@Timeout(60)
class WinloopChannelOptionHostileTest {
    private static EventLoopGroup group;

    @BeforeAll
    static void startLoop() {
        group = new WinloopEventLoopGroup(1);
    }

    @AfterAll
    static void stopLoop() throws InterruptedException {
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).sync();
    }

    /** One row: a channel kind, the option, the hostile value, the exception's type and a part of its message. */
    static final class Case {
        final String kind;
        final Supplier<Channel> channel;
        final ChannelOption<Object> option;
        final Object value;
        final Class<? extends Throwable> failure;
        final String message;

        @SuppressWarnings("unchecked")
        <T> Case(String kind, Supplier<Channel> channel, ChannelOption<T> option, T value,
                 Class<? extends Throwable> failure, String message) {
            this.kind = kind;
            this.channel = channel;
            this.option = (ChannelOption<Object>) option;
            this.value = value;
            this.failure = failure;
            this.message = message;
        }

        @Override
        public String toString() {
            return kind + " " + option.name() + " = " + value;
        }
    }

    private static <T> Case socket(ChannelOption<T> option, T value, Class<? extends Throwable> failure,
                                   String message) {
        return new Case("socket", WinloopSocketChannel::new, option, value, failure, message);
    }

    private static <T> Case server(ChannelOption<T> option, T value, Class<? extends Throwable> failure,
                                   String message) {
        return new Case("server", WinloopServerSocketChannel::new, option, value, failure, message);
    }

    private static <T> Case datagram(ChannelOption<T> option, T value, Class<? extends Throwable> failure,
                                     String message) {
        return new Case("datagram", WinloopDatagramChannel::new, option, value, failure, message);
    }

    static List<Case> refused() throws Exception {
        Class<IllegalArgumentException> iae = IllegalArgumentException.class;
        int max = Integer.MAX_VALUE;
        int min = Integer.MIN_VALUE;
        return Arrays.asList(
                socket(ChannelOption.SO_RCVBUF, -1, iae, "SO_RCVBUF must be >= 0: -1"),
                socket(ChannelOption.SO_RCVBUF, min, iae, "SO_RCVBUF must be >= 0: " + min),
                socket(ChannelOption.SO_SNDBUF, -1, iae, "SO_SNDBUF must be >= 0: -1"),
                // Winsock's LINGER keeps seconds in a u_short: 65536 would silently become 0, an abortive close.
                socket(ChannelOption.SO_LINGER, 65536, iae, "SO_LINGER must be at most 65535 seconds: 65536"),
                socket(ChannelOption.SO_LINGER, max, iae, "SO_LINGER must be at most 65535 seconds: " + max),
                socket(ChannelOption.IP_TOS, -1, iae, "IP_TOS must be 0..255: -1"),
                socket(ChannelOption.IP_TOS, 256, iae, "IP_TOS must be 0..255: 256"),
                socket(WinloopChannelOption.TCP_KEEPIDLE, 0, iae, "TCP_KEEPIDLE must be 1.."),
                socket(WinloopChannelOption.TCP_KEEPIDLE, -1, iae, "TCP_KEEPIDLE must be 1.."),
                // SIO_KEEPALIVE_VALS takes milliseconds in a ULONG: more than MAX_VALUE / 1000 s would overflow.
                socket(WinloopChannelOption.TCP_KEEPIDLE, max, iae, "seconds: " + max),
                socket(WinloopChannelOption.TCP_KEEPINTVL, 0, iae, "TCP_KEEPINTVL must be 1.."),
                socket(WinloopChannelOption.TCP_KEEPINTVL, max / 1000 + 1, iae, "seconds: " + (max / 1000 + 1)),
                socket(WinloopChannelOption.TRANSMIT_FILE, null, NullPointerException.class, "value"),
                socket(ChannelOption.TCP_NODELAY, null, NullPointerException.class, "value"),
                socket(ChannelOption.CONNECT_TIMEOUT_MILLIS, -1, iae, "connectTimeoutMillis"),
                socket(ChannelOption.WRITE_SPIN_COUNT, 0, iae, "writeSpinCount"),
                socket(ChannelOption.MAX_MESSAGES_PER_READ, 0, iae, "maxMessagesPerRead"),
                socket(ChannelOption.WRITE_BUFFER_HIGH_WATER_MARK, -1, iae, "writeBufferHighWaterMark"),
                socket(ChannelOption.ALLOCATOR, null, NullPointerException.class, "value"),
                server(ChannelOption.SO_BACKLOG, -1, iae, "backlog"),
                server(ChannelOption.SO_BACKLOG, min, iae, "backlog"),
                server(ChannelOption.SO_RCVBUF, -1, iae, "SO_RCVBUF must be >= 0: -1"),
                server(ChannelOption.SO_REUSEADDR, null, NullPointerException.class, "value"),
                datagram(ChannelOption.SO_RCVBUF, min, iae, "SO_RCVBUF must be >= 0"),
                datagram(ChannelOption.SO_SNDBUF, -1, iae, "SO_SNDBUF must be >= 0: -1"),
                datagram(ChannelOption.IP_MULTICAST_TTL, -1, iae, "IP_MULTICAST_TTL must be 0..255: -1"),
                datagram(ChannelOption.IP_MULTICAST_TTL, 256, iae, "IP_MULTICAST_TTL must be 0..255: 256"),
                datagram(ChannelOption.IP_TOS, 1 << 16, iae, "IP_TOS must be 0..255: 65536"),
                // An address no interface of this machine has: NIO fails the same way, naming it.
                datagram(ChannelOption.IP_MULTICAST_ADDR, InetAddress.getByName("192.0.2.77"),
                        io.netty.channel.ChannelException.class, "no network interface has the address 192.0.2.77"),
                datagram(ChannelOption.IP_MULTICAST_IF, null, NullPointerException.class, "value"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    void aHostileValueIsRefusedByNameAndChangesNothing(Case c) throws Exception {
        ResourceBaseline baseline = ResourceBaseline.take();
        Channel channel = c.channel.get();
        try {
            group.register(channel).sync();
            Object before = channel.config().getOption(c.option);
            Throwable thrown = assertThrows(c.failure, () -> channel.config().setOption(c.option, c.value));
            String message = String.valueOf(thrown.getMessage());
            assertTrue(message.contains(c.message), () -> "message: " + message);
            assertEquals(before, channel.config().getOption(c.option), "the option kept its value");
            assertTrue(channel.isOpen(), "a refused option does not close the channel");
        } finally {
            channel.close().sync();
        }
        baseline.assertRestored();
    }

    /** Odd but legal values: accepted and read back as Netty's NIO and epoll configs report them. */
    @ParameterizedTest(name = "SO_LINGER {0}")
    @MethodSource("lingers")
    void lingerValuesAtTheEdgesAreReadBackAsNettyDefinesThem(int set, int readBack) throws Exception {
        SocketChannel channel = new WinloopSocketChannel();
        try {
            group.register(channel).sync();
            assertTrue(channel.config().setOption(ChannelOption.SO_LINGER, set));
            assertEquals(readBack, channel.config().getSoLinger());
        } finally {
            channel.close().sync();
        }
    }

    static List<Object[]> lingers() {
        return Arrays.asList(new Object[] {-5, -1}, new Object[] {Integer.MIN_VALUE, -1}, new Object[] {0, 0},
                new Object[] {65535, 65535});
    }

    /**
     * Huge buffer sizes are the kernel's to clamp (Microsoft documents no upper bound for SO_RCVBUF/SO_SNDBUF, Linux
     * clamps to rmem_max under Wine): the call succeeds and the size read back is positive, not a wrapped negative.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("hugeBuffers")
    void aHugeBufferSizeIsClampedNotWrapped(ChannelOption<Integer> option, Supplier<Channel> kind) throws Exception {
        Channel channel = kind.get();
        try {
            group.register(channel).sync();
            assertTrue(channel.config().setOption(option, Integer.MAX_VALUE));
            assertTrue(channel.config().getOption(option) > 0, "read back: " + channel.config().getOption(option));
        } finally {
            channel.close().sync();
        }
    }

    static List<Object[]> hugeBuffers() {
        Supplier<Channel> socket = WinloopSocketChannel::new;
        Supplier<Channel> server = WinloopServerSocketChannel::new;
        Supplier<Channel> datagram = WinloopDatagramChannel::new;
        return Arrays.asList(new Object[] {ChannelOption.SO_RCVBUF, socket}, new Object[] {ChannelOption.SO_SNDBUF,
                socket}, new Object[] {ChannelOption.SO_RCVBUF, server}, new Object[] {ChannelOption.SO_SNDBUF,
                datagram});
    }
}
