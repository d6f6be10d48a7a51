package io.winloop.micronaut;

import io.micronaut.http.client.netty.NettyClientCustomizer;
import io.micronaut.http.server.netty.NettyServerCustomizer;
import io.netty.channel.Channel;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Records every channel Micronaut's HTTP server (its listener and accepted connections) and HTTP client
 * (its connections) builds a pipeline for, through Micronaut's own customizer hooks.
 */
final class ChannelRecorder {
    final List<Channel> serverListeners = new CopyOnWriteArrayList<>();
    final List<Channel> serverConnections = new CopyOnWriteArrayList<>();
    final List<Channel> clientConnections = new CopyOnWriteArrayList<>();

    final NettyServerCustomizer serverCustomizer = new NettyServerCustomizer() {
        @Override
        public NettyServerCustomizer specializeForChannel(Channel channel, ChannelRole role) {
            if (role == ChannelRole.LISTENER) {
                serverListeners.add(channel);
            } else if (role == ChannelRole.CONNECTION) {
                serverConnections.add(channel);
            }
            return this;
        }
    };

    final NettyClientCustomizer clientCustomizer = new NettyClientCustomizer() {
        @Override
        public NettyClientCustomizer specializeForChannel(Channel channel, ChannelRole role) {
            if (role == ChannelRole.CONNECTION) {
                clientConnections.add(channel);
            }
            return this;
        }
    };
}
