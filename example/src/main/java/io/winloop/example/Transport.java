package io.winloop.example;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.winloop.WinloopDatagramChannel;
import io.winloop.WinloopEventLoopGroup;
import io.winloop.WinloopServerSocketChannel;
import io.winloop.WinloopSocketChannel;

import java.util.Locale;

/**
 * The two transports the examples can run on. Switching a Netty program from NIO to Winloop changes exactly these
 * things: the event loop group and the channel classes.
 */
enum Transport {
    WINLOOP,
    NIO;

    static Transport parse(String name) {
        try {
            return valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--transport must be winloop or nio, not " + name);
        }
    }

    /** {@code threads} = 0 means Netty's default (twice the number of cores). */
    EventLoopGroup newGroup(int threads) {
        if (this == WINLOOP) {
            return new WinloopEventLoopGroup(threads);
        }
        return new MultiThreadIoEventLoopGroup(threads, NioIoHandler.newFactory());
    }

    Class<? extends ServerChannel> serverChannel() {
        return this == WINLOOP ? WinloopServerSocketChannel.class : NioServerSocketChannel.class;
    }

    Class<? extends SocketChannel> socketChannel() {
        return this == WINLOOP ? WinloopSocketChannel.class : NioSocketChannel.class;
    }

    Class<? extends DatagramChannel> datagramChannel() {
        return this == WINLOOP ? WinloopDatagramChannel.class : NioDatagramChannel.class;
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
