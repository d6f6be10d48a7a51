package io.winloop.example;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;

/**
 * TCP echo server: writes back every byte it reads.
 *
 * <pre>
 * EchoServer [--transport winloop|nio] [--host 127.0.0.1] [--port 7007] [--threads 0]
 * </pre>
 */
public final class EchoServer {
    static final String USAGE =
            "usage: EchoServer [--transport winloop|nio] [--host 127.0.0.1] [--port 7007] [--threads N (0 = Netty's default)]";

    private EchoServer() {
    }

    public static void main(String[] argv) throws Exception {
        Args args = new Args(argv, USAGE);
        Transport transport = Transport.parse(args.get("transport", "winloop"));
        String host = args.get("host", "127.0.0.1");
        int port = args.getInt("port", 7007);
        EventLoopGroup group = transport.newGroup(args.getInt("threads", 0));
        try {
            Channel server = start(transport, group, host, port);
            System.out.println("Echo server (" + transport + ") listening on " + server.localAddress()
                    + "; stop it with Ctrl+C");
            server.closeFuture().sync();
        } finally {
            group.shutdownGracefully();
        }
    }

    /** Binds an echo server on {@code group}; the same group accepts and serves the connections. */
    static Channel start(Transport transport, EventLoopGroup group, String host, int port) throws InterruptedException {
        return start(transport, group, host, port, null);
    }

    /** As above, with {@code extra} (a sharable handler) placed before the echo handler of every connection. */
    static Channel start(Transport transport, EventLoopGroup group, String host, int port, final ChannelHandler extra)
            throws InterruptedException {
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (extra != null) {
                            ch.pipeline().addLast(extra);
                        }
                        ch.pipeline().addLast(EchoHandler.INSTANCE);
                    }
                });
        return b.bind(host, port).sync().channel();
    }

    /**
     * The same echo over a named pipe (Winloop only): {@code instances} pipe instances kept listening, so that a
     * burst of that many clients connects without a busy-retry; {@code extra} as for TCP.
     */
    static Channel startPipe(EventLoopGroup group, io.winloop.NamedPipeAddress address, int instances,
            final ChannelHandler extra) throws InterruptedException {
        return new ServerBootstrap()
                .group(group)
                .channel(io.winloop.WinloopNamedPipeServerChannel.class)
                .option(io.winloop.WinloopChannelOption.PIPE_INSTANCES, instances)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (extra != null) {
                            ch.pipeline().addLast(extra);
                        }
                        ch.pipeline().addLast(EchoHandler.INSTANCE);
                    }
                })
                .bind(address).sync().channel();
    }

    /** A UDP echo on {@code host:port}: every datagram goes back to its sender. */
    static Channel startDatagram(Transport transport, EventLoopGroup group, String host, int port)
            throws InterruptedException {
        return new io.netty.bootstrap.Bootstrap()
                .group(group)
                .channel(transport.datagramChannel())
                .handler(new io.netty.channel.SimpleChannelInboundHandler<io.netty.channel.socket.DatagramPacket>(false) {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, io.netty.channel.socket.DatagramPacket p) {
                        ctx.write(new io.netty.channel.socket.DatagramPacket(p.content(), p.sender()));
                    }

                    @Override
                    public void channelReadComplete(ChannelHandlerContext ctx) {
                        ctx.flush();
                    }
                })
                .bind(host, port).sync().channel();
    }

    @Sharable
    static final class EchoHandler extends ChannelInboundHandlerAdapter {
        static final EchoHandler INSTANCE = new EchoHandler();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.write(msg, ctx.voidPromise());
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // A peer resetting its connection is normal for an echo server; anything else is worth a line.
            if (!(cause instanceof java.io.IOException)) {
                cause.printStackTrace();
            }
            ctx.close().addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        }
    }
}
