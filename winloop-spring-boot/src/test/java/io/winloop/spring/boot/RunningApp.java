package io.winloop.spring.boot;

import io.winloop.spring.boot.app.ChannelRecorder;
import io.winloop.spring.boot.app.EchoApplication;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.web.reactive.function.client.WebClient;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link EchoApplication} started with {@link SpringApplication} on a loopback port 0, and a round trip to it. */
final class RunningApp implements AutoCloseable {
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

    final ConfigurableApplicationContext context;
    final ChannelRecorder recorder;

    private RunningApp(ConfigurableApplicationContext context) {
        this.context = context;
        this.recorder = context.getBean(ChannelRecorder.class);
    }

    static RunningApp start(String... extraArgs) {
        return start(new Class<?>[0], extraArgs);
    }

    /** With more configuration classes besides the application's own, as a user's application would have. */
    static RunningApp start(Class<?>[] extraSources, String... extraArgs) {
        List<String> args = new ArrayList<>(Arrays.asList(
                "--server.address=127.0.0.1", "--server.port=0", "--spring.main.banner-mode=off"));
        args.addAll(Arrays.asList(extraArgs));
        SpringApplication application = new SpringApplication(EchoApplication.class);
        application.addPrimarySources(Arrays.asList(extraSources));
        application.setMainApplicationClass(EchoApplication.class);   // not Surefire's booter, found on the stack
        return new RunningApp(application.run(args.toArray(new String[0])));
    }

    /** A GET and a 200 KiB POST (under the codecs' 256 KiB default limit) echoed back, through the application's own {@code WebClient.Builder}. */
    void roundTrip() {
        assertTrue(recorder.port > 0, "the server did not report its port");
        WebClient client = context.getBean(WebClient.Builder.class)
                .baseUrl("http://127.0.0.1:" + recorder.port)
                .build();
        String hello = client.get().uri("/hello").retrieve().bodyToMono(String.class).block(REQUEST_TIMEOUT);
        assertEquals("hello from WebFlux", hello);

        byte[] payload = new byte[200 * 1024];
        ThreadLocalRandom.current().nextBytes(payload);
        byte[] echoed = client.post().uri("/echo").bodyValue(payload).retrieve().bodyToMono(byte[].class)
                .block(REQUEST_TIMEOUT);
        assertArrayEquals(payload, echoed);
    }

    @Override
    public void close() {
        context.close();
    }
}
