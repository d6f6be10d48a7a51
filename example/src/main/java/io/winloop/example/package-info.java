/** Example servers, clients and the Winloop-vs-NIO benchmark. */
package io.winloop.example;
