package io.winloop;

import java.net.SocketAddress;
import java.util.Locale;
import java.util.Random;

/**
 * The address of a local Windows named pipe, {@code \\.\pipe\name}: what {@link WinloopNamedPipeServerChannel}
 * binds and {@link WinloopNamedPipeChannel} connects to (Netty's {@code DomainSocketAddress} for Windows).
 *
 * <p>Only the local form is accepted: a remote pipe ({@code \\server\pipe\name}) goes over SMB, which Winloop's
 * servers refuse anyway ({@code PIPE_REJECT_REMOTE_CLIENTS}). Windows compares pipe names without regard to case,
 * and so does {@link #equals}.
 *
 * <p>{@link #ephemeral()} is the pipe analog of port 0: a server bound to it gets a fresh, unguessable name at bind
 * time, which its {@code localAddress()} then returns; clients connect to that, never to the ephemeral address.
 */
public final class NamedPipeAddress extends SocketAddress {
    private static final long serialVersionUID = 1L;
    /** The prefix every local pipe path starts with. */
    public static final String PREFIX = "\\\\.\\pipe\\";
    /** Windows' limit for the whole path (CreateNamedPipe: "The entire pipe name string can be up to 256 characters"). */
    public static final int MAX_PATH_LENGTH = 256;
    /** The name prefix of {@link #ephemeral()}. */
    public static final String DEFAULT_EPHEMERAL_PREFIX = "winloop-";
    /** The random part of an ephemeral name: 128 bits in lowercase hex. */
    public static final int EPHEMERAL_RANDOM_CHARS = 32;
    private static final String EPHEMERAL_PLACEHOLDER = "<ephemeral>";

    /** The full path; for an ephemeral address, the prefix the random part goes after. */
    private final String path;
    private final boolean ephemeral;

    /**
     * @param path {@code \\.\pipe\name}, or just {@code name} (the prefix is added)
     * @throws IllegalArgumentException naming what is wrong with it
     */
    public NamedPipeAddress(String path) {
        this(validate(path), false);
    }

    private NamedPipeAddress(String path, boolean ephemeral) {
        this.path = path;
        this.ephemeral = ephemeral;
    }

    /** The address of pipe {@code name} ({@code \\.\pipe\} + name). */
    public static NamedPipeAddress of(String name) {
        return new NamedPipeAddress(name);
    }

    /**
     * A fresh pipe name chosen when a server binds ({@code \\.\pipe\winloop-} + 32 random hex digits), as port 0
     * is for TCP: bind a {@link WinloopNamedPipeServerChannel} to it and connect clients to the server channel's
     * {@code localAddress()}.
     */
    public static NamedPipeAddress ephemeral() {
        return ephemeral(DEFAULT_EPHEMERAL_PREFIX);
    }

    /**
     * Like {@link #ephemeral()}, with the random part after {@code prefix} (which may be empty), so that the names a
     * service makes are recognizable in a pipe listing.
     *
     * @throws IllegalArgumentException when the prefix holds a backslash or NUL, or leaves no room for the random
     *                                  part within {@value #MAX_PATH_LENGTH} characters
     */
    public static NamedPipeAddress ephemeral(String prefix) {
        if (prefix == null) {
            throw new NullPointerException("prefix");
        }
        if (PREFIX.length() + prefix.length() + EPHEMERAL_RANDOM_CHARS > MAX_PATH_LENGTH) {
            throw new IllegalArgumentException("ephemeral pipe name prefix too long: " + prefix.length()
                    + " characters (\\\\.\\pipe\\ + prefix + " + EPHEMERAL_RANDOM_CHARS
                    + " random hex digits must fit in the " + MAX_PATH_LENGTH + " Windows allows): " + prefix);
        }
        if (prefix.indexOf('\\') >= 0 || prefix.indexOf(0) >= 0) {
            throw new IllegalArgumentException("a backslash or NUL character in the ephemeral pipe name prefix "
                    + "(Windows forbids both in a pipe name; the prefix goes after \\\\.\\pipe\\): " + prefix);
        }
        return new NamedPipeAddress(PREFIX + prefix, true);
    }

    /**
     * True for an address made by {@link #ephemeral()}: it names no pipe until a server binds it, and the server's
     * {@code localAddress()} is then the real name.
     */
    public boolean isEphemeral() {
        return ephemeral;
    }

    /** A real address: this ephemeral one's prefix followed by 128 bits of {@code random} in hex. */
    NamedPipeAddress resolve(Random random) {
        if (!ephemeral) {
            throw new IllegalStateException("not an ephemeral pipe address: " + path);
        }
        StringBuilder name = new StringBuilder(path.length() + EPHEMERAL_RANDOM_CHARS).append(path);
        for (int i = 0; i < EPHEMERAL_RANDOM_CHARS / 8; i++) {
            String word = Integer.toHexString(random.nextInt());
            for (int pad = word.length(); pad < 8; pad++) {
                name.append('0');
            }
            name.append(word);
        }
        return new NamedPipeAddress(name.toString(), false);
    }

    private static String validate(String path) {
        if (path == null) {
            throw new NullPointerException("path");
        }
        String full = path.regionMatches(true, 0, PREFIX, 0, PREFIX.length()) ? path
                : path.startsWith("\\\\") ? null : PREFIX + path;
        if (full == null) {
            throw new IllegalArgumentException("not a local named pipe: " + path
                    + " (expected \\\\.\\pipe\\<name>; remote pipes \\\\server\\pipe\\<name> are not supported)");
        }
        String name = full.substring(PREFIX.length());
        if (name.isEmpty()) {
            throw new IllegalArgumentException("empty pipe name: " + path + " (expected \\\\.\\pipe\\<name>)");
        }
        if (full.length() > MAX_PATH_LENGTH) {
            throw new IllegalArgumentException("pipe path too long: " + full.length() + " characters (Windows allows "
                    + MAX_PATH_LENGTH + "): " + path);
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '\\') {
                throw new IllegalArgumentException("a backslash in the pipe name (Windows forbids it after "
                        + "\\\\.\\pipe\\): " + path);
            }
            if (c == 0) {
                throw new IllegalArgumentException("a NUL character in the pipe name: " + path);
            }
        }
        return PREFIX + name;
    }

    /**
     * The full path, {@code \\.\pipe\name}.
     *
     * @throws IllegalStateException for an {@linkplain #isEphemeral() ephemeral} address, which has no name yet
     */
    public String path() {
        if (ephemeral) {
            throw new IllegalStateException("an ephemeral pipe address has no name until a server binds it: "
                    + this + " (use the server channel's localAddress())");
        }
        return path;
    }

    /**
     * The name after {@code \\.\pipe\}.
     *
     * @throws IllegalStateException for an {@linkplain #isEphemeral() ephemeral} address
     */
    public String name() {
        return path().substring(PREFIX.length());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NamedPipeAddress && ((NamedPipeAddress) o).ephemeral == ephemeral
                && ((NamedPipeAddress) o).path.equalsIgnoreCase(path);
    }

    @Override
    public int hashCode() {
        return path.toLowerCase(Locale.ROOT).hashCode() + (ephemeral ? 1 : 0);
    }

    /** The path; for an ephemeral address, {@code \\.\pipe\<prefix><ephemeral>}. */
    @Override
    public String toString() {
        return ephemeral ? path + EPHEMERAL_PLACEHOLDER : path;
    }
}
