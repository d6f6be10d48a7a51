package io.winloop;

import java.net.InetSocketAddress;
import java.nio.channels.UnresolvedAddressException;

/**
 * The {@link UnresolvedAddressException} NIO and epoll throw for an address that was never resolved, but with a
 * message that says which address and what was being done with it: the JDK's has none, which leaves a user with
 * a bare stack trace.
 */
final class UnresolvedSocketAddressException extends UnresolvedAddressException {
    private static final long serialVersionUID = 1L;
    private final String message;

    UnresolvedSocketAddressException(String action, InetSocketAddress address) {
        message = "cannot " + action + " the unresolved address " + address.getHostString() + ':'
                + address.getPort() + " (resolve it first, e.g. new InetSocketAddress(host, port))";
    }

    @Override
    public String getMessage() {
        return message;
    }
}
