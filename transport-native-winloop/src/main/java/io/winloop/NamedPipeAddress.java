package io.winloop;

import java.net.SocketAddress;
import java.util.Locale;

/**
 * The address of a local Windows named pipe, {@code \\.\pipe\name}: what {@link WinloopNamedPipeServerChannel}
 * binds and {@link WinloopNamedPipeChannel} connects to (Netty's {@code DomainSocketAddress} for Windows).
 *
 * <p>Only the local form is accepted: a remote pipe ({@code \\server\pipe\name}) goes over SMB, which Winloop's
 * servers refuse anyway ({@code PIPE_REJECT_REMOTE_CLIENTS}). Windows compares pipe names without regard to case,
 * and so does {@link #equals}.
 */
public final class NamedPipeAddress extends SocketAddress {
    private static final long serialVersionUID = 1L;
    /** The prefix every local pipe path starts with. */
    public static final String PREFIX = "\\\\.\\pipe\\";
    /** Windows' limit for the whole path (CreateNamedPipe: "The entire pipe name string can be up to 256 characters"). */
    public static final int MAX_PATH_LENGTH = 256;

    private final String path;

    /**
     * @param path {@code \\.\pipe\name}, or just {@code name} (the prefix is added)
     * @throws IllegalArgumentException naming what is wrong with it
     */
    public NamedPipeAddress(String path) {
        this.path = validate(path);
    }

    /** The address of pipe {@code name} ({@code \\.\pipe\} + name). */
    public static NamedPipeAddress of(String name) {
        return new NamedPipeAddress(name);
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

    /** The full path, {@code \\.\pipe\name}. */
    public String path() {
        return path;
    }

    /** The name after {@code \\.\pipe\}. */
    public String name() {
        return path.substring(PREFIX.length());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NamedPipeAddress && ((NamedPipeAddress) o).path.equalsIgnoreCase(path);
    }

    @Override
    public int hashCode() {
        return path.toLowerCase(Locale.ROOT).hashCode();
    }

    @Override
    public String toString() {
        return path;
    }
}
