package io.winloop.spring.boot.app;

import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.http.client.autoconfigure.reactive.ClientHttpConnectorBuilderCustomizer;
import org.springframework.boot.http.client.reactive.ReactorClientHttpConnectorBuilder;
import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.RouterFunctions;
import org.springframework.web.reactive.function.server.ServerResponse;

/**
 * The tests' WebFlux application, as a user writes one: a router function, plus two customizers through which the
 * tests see which channels Boot's server and Boot's {@code WebClient} really use, and on which threads requests run.
 */
@SpringBootApplication
public class EchoApplication {

    @Bean
    ChannelRecorder channelRecorder() {
        return new ChannelRecorder();
    }

    @Bean
    RouterFunction<ServerResponse> routes(ChannelRecorder recorder) {
        return RouterFunctions.route()
                .GET("/hello", request -> {
                    recorder.handlerThreads.add(Thread.currentThread().getName());
                    return ServerResponse.ok().bodyValue("hello from WebFlux");
                })
                .POST("/echo", request -> {
                    recorder.handlerThreads.add(Thread.currentThread().getName());
                    return ServerResponse.ok().body(request.bodyToMono(byte[].class), byte[].class);
                })
                .build();
    }

    @Bean
    NettyServerCustomizer recordServerChannels(ChannelRecorder recorder) {
        return server -> server
                .doOnBound(bound -> {
                    recorder.serverChannels.add(bound.channel().getClass());
                    recorder.port = bound.port();
                })
                .doOnConnection(connection -> recorder.acceptedChannels.add(connection.channel().getClass()));
    }

    @Bean
    ClientHttpConnectorBuilderCustomizer<ReactorClientHttpConnectorBuilder> recordClientChannels(
            ChannelRecorder recorder) {
        return builder -> builder.withHttpClientCustomizer(client -> client
                .doOnConnected(connection -> recorder.clientChannels.add(connection.channel().getClass())));
    }
}
