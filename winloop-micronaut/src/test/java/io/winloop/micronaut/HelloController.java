package io.winloop.micronaut;

import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;

/** The tests' one endpoint: a fixed text, so a round trip proves the request and the response both crossed. */
@Controller("/hello")
class HelloController {
    static final String GREETING = "hello from Micronaut";

    @Get(produces = MediaType.TEXT_PLAIN)
    String hello() {
        return GREETING;
    }
}
