package io.winloop;

import io.winloop.internal.pipe.PipeNames;

import java.net.SocketAddress;
import java.util.Random;

/**
 * The address of a local Windows named pipe, {@code \\.\pipe\name}: what {@link WinloopNamedPipeServerChannel}
 * binds and {@link WinloopNamedPipeChannel} connects to (Netty's {@code DomainSocketAddress} for Windows).
 *
 * <p>Only the local form is accepted: a remote pipe ({@code \\server\pipe\name}) goes over SMB, which Winloop's
 * servers refuse anyway ({@code PIPE_REJECT_REMOTE_CLIENTS}). Windows compares pipe names without regard to case,
 * and so do {@link #equals} and {@link #hashCode}.
 *
 * <p>A name always stays under {@code \\.\pipe\}: Win32 normalizes a {@code \\.\} path before opening it (a
 * {@code /} becomes a separator, {@code ..} climbs a level, trailing dots and spaces go), so a name such as
 * {@code ../../C:/x} would open a file, and {@code name.} another pipe. Every name that normalization would change
 * is refused with an {@link IllegalArgumentException} saying why: slashes and backslashes and their lookalikes,
 * {@code .} and {@code ..}, a trailing dot or space, control characters, unpaired surrogates, and the DOS device
 * names ({@code NUL}, {@code CON}, {@code COM1}, ...). Winloop then opens and creates pipes through
 * {@code \\?\pipe\name}, which Win32 passes on unnormalized, and checks that what it opened is a pipe.
 *
 * <p>{@link #ephemeral()} is the pipe analog of port 0: a server bound to it gets a fresh, unguessable name at bind
 * time, which its {@code localAddress()} then returns; clients connect to that, never to the ephemeral address.
 */
public final class NamedPipeAddress extends SocketAddress {
    private static final long serialVersionUID = 1L;
    /** The prefix every local pipe path starts with. */
    public static final String PREFIX = "\\\\.\\pipe\\";
    /** Windows' limit for the whole path (CreateNamedPipe: "The entire pipe name string can be up to 256
     * characters"). */
    public static final int MAX_PATH_LENGTH = 256;
    /** The name prefix of {@link #ephemeral()}. */
    public static final String DEFAULT_EPHEMERAL_PREFIX = "winloop-";
    /** The random part of an ephemeral name: 128 bits in lowercase hex. */
    public static final int EPHEMERAL_RANDOM_CHARS = 32;
    private static final String EPHEMERAL_PLACEHOLDER = "<ephemeral>";

    /** The full path; for an ephemeral address, the prefix the random part goes after. */
    private final String path;
    /** The name as Windows compares it (see PipeNames.key). */
    private final String key;
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
        this.key = PipeNames.key(path);
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
     * @throws IllegalArgumentException when the prefix breaks a rule of pipe names (see the class comment), or
     *                                  leaves no room for the random part within {@value #MAX_PATH_LENGTH}
     *                                  characters
     */
    public static NamedPipeAddress ephemeral(String prefix) {
        if (prefix == null) {
            throw new NullPointerException("prefix");
        }
        if (PREFIX.length() + prefix.length() + EPHEMERAL_RANDOM_CHARS > MAX_PATH_LENGTH) {
            throw new IllegalArgumentException("ephemeral pipe name prefix too long: " + prefix.length()
                    + " characters (\\\\.\\pipe\\ + prefix + " + EPHEMERAL_RANDOM_CHARS
                    + " random hex digits must fit in the " + MAX_PATH_LENGTH + " Windows allows): "
                    + printable(prefix));
        }
        // The prefix is the start of a name: the rules of a whole name apply to it with a stand-in random part.
        String problem = PipeNames.problem(prefix + "0");
        if (problem != null) {
            throw new IllegalArgumentException(problem.replace("the pipe name", "the ephemeral pipe name prefix")
                    + ": " + printable(prefix));
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
        String name;
        if (path.regionMatches(true, 0, PREFIX, 0, PREFIX.length())
                || path.regionMatches(true, 0, PipeNames.UNNORMALIZED_PREFIX, 0, PREFIX.length())) {
            name = path.substring(PREFIX.length());
        } else if (path.startsWith("\\\\") || path.startsWith("//")) {
            throw new IllegalArgumentException("not a local named pipe: " + printable(path)
                    + " (expected \\\\.\\pipe\\<name>; remote pipes \\\\server\\pipe\\<name> are not supported)");
        } else {
            name = path;
        }
        if (name.isEmpty()) {
            throw new IllegalArgumentException("empty pipe name: " + printable(path) + " (expected \\\\.\\pipe\\<name>)");
        }
        if (PREFIX.length() + name.length() > MAX_PATH_LENGTH) {
            throw new IllegalArgumentException("pipe path too long: " + (PREFIX.length() + name.length())
                    + " characters (Windows allows " + MAX_PATH_LENGTH + "): " + printable(path));
        }
        String problem = PipeNames.problem(name);
        if (problem != null) {
            throw new IllegalArgumentException(problem + ": " + printable(path));
        }
        return PREFIX + name;
    }

    /** {@code path} with control characters shown as {@code \\uXXXX}, so that a message never hides them. */
    static String printable(String path) {
        StringBuilder sb = new StringBuilder(path.length());
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c < 0x20 || c == 0x7F || Character.isSurrogate(c) && !PipeNames.isPairedSurrogate(path, i)) {
                sb.append(String.format("\\u%04X", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
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
                && ((NamedPipeAddress) o).key.equals(key);
    }

    @Override
    public int hashCode() {
        return key.hashCode() + (ephemeral ? 1 : 0);
    }

    /** The path; for an ephemeral address, {@code \\.\pipe\<prefix><ephemeral>}. */
    @Override
    public String toString() {
        return ephemeral ? path + EPHEMERAL_PLACEHOLDER : path;
    }

    /** {@code remote} as what a pipe client may connect to: a NamedPipeAddress that names a pipe (not ephemeral). */
    static NamedPipeAddress connectTarget(SocketAddress remote) {
        if (!(remote instanceof NamedPipeAddress)) {
            throw new UnsupportedOperationException("unsupported address type: "
                    + (remote == null ? "null" : remote.getClass().getName())
                    + " (expected: " + NamedPipeAddress.class.getName() + ")");
        }
        NamedPipeAddress address = (NamedPipeAddress) remote;
        if (address.isEphemeral()) {
            throw new IllegalArgumentException("cannot connect to an ephemeral pipe address, " + address
                    + ": it names no pipe until a server binds it; connect to that server channel's "
                    + "localAddress()");
        }
        return address;
    }
}
