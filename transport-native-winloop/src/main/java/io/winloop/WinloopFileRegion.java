package io.winloop;

import io.netty.channel.DefaultFileRegion;

import java.nio.file.Path;

/**
 * A {@link DefaultFileRegion} of a file named by its path. Winloop opens the file itself (CreateFileW) and sends it
 * with TransmitFile, on every JVM and without any flag; any other transport sends it as the DefaultFileRegion it is.
 * (A DefaultFileRegion built from a {@code File} is sent the same way; one built from a {@code FileChannel} needs
 * the JDK's hidden HANDLE: see the README's zero-copy section.)
 *
 * <pre>{@code
 * ctx.writeAndFlush(new WinloopFileRegion(Paths.get("video.mp4")));
 * }</pre>
 */
public final class WinloopFileRegion extends DefaultFileRegion {
    private final Path path;

    /** {@code count} bytes of {@code path} from {@code position}; the file is opened when sending begins. */
    public WinloopFileRegion(Path path, long position, long count) {
        super(path.toFile(), position, count);
        this.path = path;
    }

    /** The whole file as it is now (its size is read here). */
    public WinloopFileRegion(Path path) throws java.io.IOException {
        this(path, 0, java.nio.file.Files.size(path));
    }

    public Path path() {
        return path;
    }

    @Override
    public String toString() {
        return "WinloopFileRegion(" + path + ", position=" + position() + ", count=" + count() + ", transferred="
                + transferred() + ")";
    }
}
