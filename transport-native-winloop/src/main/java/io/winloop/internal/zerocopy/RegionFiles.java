package io.winloop.internal.zerocopy;

import io.netty.channel.DefaultFileRegion;
import io.netty.channel.FileRegion;
import io.netty.util.internal.PlatformDependent;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import io.winloop.internal.win.Kernel32;
import io.winloop.internal.win.WinFile;
import io.winloop.internal.win.WinFileType;

import java.io.File;
import java.io.FileDescriptor;
import java.io.IOError;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Windows file HANDLE behind a {@link DefaultFileRegion}, which neither Netty nor the JDK hands out, and its
 * {@code transferred} counter, which only its own {@code transferTo} advances.
 *
 * <p>How the HANDLE is found, in this order:
 * <ol>
 * <li>A region built from a path ({@code new DefaultFileRegion(File, ..)}, {@code WinloopFileRegion}): the file is
 * opened again by its path with {@code CreateFileW} ({@link #win32Name}: long paths get the {@code \\?\} prefix,
 * as the JDK gives them). Netty keeps the path in the region's private field {@code f}; Netty's classes are on the
 * class path, so reading it needs no JVM flag.</li>
 * <li>A region built from a {@link FileChannel} ({@code RandomAccessFile.getChannel()}, Netty's own tests): the JDK's
 * {@code sun.nio.ch.FileChannelImpl.fd} holds a {@link FileDescriptor} whose private {@code handle} is the HANDLE.
 * On Java 8 reflection reaches it; on 9+ the module system hides it unless the JVM runs with
 * {@code --add-opens java.base/sun.nio.ch=ALL-UNNAMED --add-opens java.base/java.io=ALL-UNNAMED}, or Netty uses
 * {@code sun.misc.Unsafe} (Java 9 to 24 by default), whose field offsets need no opening. The HANDLE found is
 * duplicated ({@code DuplicateHandle}), so that the region's release closing its channel never closes the file
 * under a transmission in flight.</li>
 * </ol>
 * Either way the HANDLE must be a disk file ({@code GetFileType}): CreateFileW opens devices ({@code NUL},
 * {@code CON}) and pipes by name as well, and those are not for TransmitFile. When no route works, the caller uses
 * the copying path, and the reason is logged once at debug level.
 */
public final class RegionFiles {
    private static final InternalLogger logger = InternalLoggerFactory.getInstance(RegionFiles.class);
    private static final Set<String> LOGGED = ConcurrentHashMap.newKeySet();
    private static final Set<String> LOGGED_TRANSMIT = ConcurrentHashMap.newKeySet();
    /**
     * The longest path CreateFileW is given without the {@code \\?\} prefix: the JDK's count
     * ({@code sun.nio.fs.WindowsPath.MAX_PATH}), MAX_PATH (260) less the 12 characters a directory's name must leave
     * for an 8.3 file name in it; it applies that one limit to files and directories alike.
     */
    public static final int MAX_PATH_WITHOUT_PREFIX = 247;
    private static final String ADD_OPENS =
            "--add-opens java.base/sun.nio.ch=ALL-UNNAMED --add-opens java.base/java.io=ALL-UNNAMED";

    private static final Field REGION_PATH;
    private static final Field REGION_CHANNEL;
    private static final Field REGION_TRANSFERRED;
    /** Why Netty's DefaultFileRegion fields cannot be used (null when they can). */
    private static final String REGION_UNAVAILABLE;

    /** The JDK's route to the HANDLE: reflection (Java 8, or opened) or Unsafe offsets; null fields when neither. */
    private static final Class<?> FILE_CHANNEL_IMPL;
    private static final Field CHANNEL_FD;
    private static final Field FD_HANDLE;
    private static final long CHANNEL_FD_OFFSET;
    private static final long FD_HANDLE_OFFSET;
    private static final String CHANNEL_UNAVAILABLE;

    static {
        Field path = null;
        Field channel = null;
        Field transferred = null;
        String regionReason = null;
        try {
            path = DefaultFileRegion.class.getDeclaredField("f");
            channel = DefaultFileRegion.class.getDeclaredField("file");
            transferred = DefaultFileRegion.class.getDeclaredField("transferred");
            path.setAccessible(true);
            channel.setAccessible(true);
            transferred.setAccessible(true);
            if (path.getType() != File.class || channel.getType() != FileChannel.class
                    || transferred.getType() != long.class) {
                regionReason = "this Netty's DefaultFileRegion fields are not (File f, FileChannel file, "
                        + "long transferred)";
            }
        } catch (Throwable t) {
            regionReason = "Netty's DefaultFileRegion fields are not accessible (" + t + ")";
        }
        REGION_PATH = path;
        REGION_CHANNEL = channel;
        REGION_TRANSFERRED = transferred;
        REGION_UNAVAILABLE = regionReason;

        Class<?> impl = null;
        Field fd = null;
        Field handle = null;
        long fdOffset = -1;
        long handleOffset = -1;
        String channelReason = null;
        try {
            impl = Class.forName("sun.nio.ch.FileChannelImpl");
            fd = impl.getDeclaredField("fd");
            handle = FileDescriptor.class.getDeclaredField("handle");
            if (PlatformDependent.javaVersion() >= 9 && PlatformDependent.hasUnsafe()) {
                // Offsets need no opening of java.base; the long is read as two ints (x64: little-endian).
                fdOffset = PlatformDependent.objectFieldOffset(fd);
                handleOffset = PlatformDependent.objectFieldOffset(handle);
                fd = null;
                handle = null;
            } else {
                fd.setAccessible(true);
                handle.setAccessible(true);
            }
        } catch (Throwable t) {
            impl = null;
            fd = null;
            handle = null;
            fdOffset = -1;
            handleOffset = -1;
            channelReason = "the HANDLE of a FileChannel-built DefaultFileRegion is hidden by the JDK (" + t
                    + "); run with " + ADD_OPENS + " to send such regions with TransmitFile";
        }
        FILE_CHANNEL_IMPL = impl;
        CHANNEL_FD = fd;
        FD_HANDLE = handle;
        CHANNEL_FD_OFFSET = fdOffset;
        FD_HANDLE_OFFSET = handleOffset;
        CHANNEL_UNAVAILABLE = channelReason;
    }

    private RegionFiles() {
    }

    /** Logs {@code reason} once per distinct text, at debug level: why a region goes through the copying path. */
    public static void logFallback(String reason) {
        if (LOGGED.add(reason)) {
            logger.debug("FileRegion sent by copying instead of TransmitFile: {}", reason);
        }
    }

    /** Logs {@code reason} once per distinct text, at debug level: why regions go through TransmitFile. */
    public static void logTransmitFile(String reason) {
        if (LOGGED_TRANSMIT.add(reason)) {
            logger.debug("FileRegions sent with TransmitFile: {}", reason);
        }
    }

    /** Every reason {@link #logFallback} was given so far in this process (tests, diagnostics). */
    public static Set<String> fallbackReasons() {
        return java.util.Collections.unmodifiableSet(LOGGED);
    }

    /**
     * Why {@code region} cannot be sent with TransmitFile before even looking at its file, or null when it can be
     * tried: only DefaultFileRegion (and its subclasses) has a file Winloop can find.
     */
    public static String unsupportedReason(FileRegion region) {
        if (!(region instanceof DefaultFileRegion)) {
            return "a FileRegion that is not a DefaultFileRegion (" + region.getClass().getName()
                    + ") defines its own transferTo";
        }
        return REGION_UNAVAILABLE;
    }

    /**
     * A new HANDLE on the region's file, owned by the caller (close it with {@link WinFile#close}), or 0 when none
     * can be found or it is not a disk file (the reason is logged once).
     *
     * @throws IOException when the file cannot be opened (it does not exist, is a directory, ...), or its channel is
     *                     closed, as the copying path would fail
     */
    public static long openHandle(DefaultFileRegion region) throws IOException {
        long handle;
        File path = (File) get(REGION_PATH, region);
        if (path != null) {
            String name = win32Name(path.getPath());
            if (name == null) {
                logFallback("the region's path is not a valid Windows path for java.nio");
                return 0;
            }
            handle = openByPath(path.getPath(), name);
        } else {
            handle = channelHandle(region);
            if (handle == 0) {
                return 0;
            }
        }
        int type = WinFileType.of(handle);
        if (type != WinFileType.FILE_TYPE_DISK) {
            WinFile.close(handle);
            // No path in the text: it is logged once per distinct text, and paths are unbounded.
            logFallback("the region's file is not a disk file (GetFileType: " + WinFileType.describe(type) + ")");
            return 0;
        }
        return handle;
    }

    private static long openByPath(String path, String name) throws IOException {
        try {
            return WinFile.openForReading(name, Kernel32.FILE_FLAG_SEQUENTIAL_SCAN);
        } catch (AccessDeniedException e) {
            // CreateFileW refuses a directory (opened without FILE_FLAG_BACKUP_SEMANTICS) with ERROR_ACCESS_DENIED.
            if (new File(path).isDirectory()) {
                throw new FileSystemException(path, null, "is a directory, not a file (" + e.getReason() + ")");
            }
            throw e;
        }
    }

    /**
     * The name to give CreateFileW for {@code path}, the way the JDK makes it
     * ({@code sun.nio.fs.WindowsPath.getPathForWin32Calls}): an absolute path of at most
     * {@link #MAX_PATH_WITHOUT_PREFIX} characters as it is; a relative one resolved against the working directory
     * first; a longer one normalized ({@code .} and {@code ..} removed, which {@code \\?\} would not do) and
     * prefixed with {@code \\?\}, or {@code \\?\UNC\} for a UNC path. A name already in the
     * {@code \\?\} or {@code \\.\} (device) namespace is left alone.
     *
     * @return the name, or null when java.nio cannot parse {@code path} (the copying path then opens it its way)
     */
    public static String win32Name(String path) {
        if (path.startsWith("\\\\?\\") || path.startsWith("\\\\.\\")) {
            return path;
        }
        try {
            Path parsed = Paths.get(path);
            if (parsed.isAbsolute() && parsed.toString().length() <= MAX_PATH_WITHOUT_PREFIX) {
                return parsed.toString();
            }
            Path absolute = parsed.toAbsolutePath();
            String resolved = absolute.toString();
            if (resolved.length() <= MAX_PATH_WITHOUT_PREFIX) {
                return resolved;
            }
            String normalized = absolute.normalize().toString();
            if (normalized.length() <= MAX_PATH_WITHOUT_PREFIX) {
                return normalized;
            }
            return normalized.startsWith("\\\\") ? "\\\\?\\UNC" + normalized.substring(1)
                    : "\\\\?\\" + normalized;
        } catch (InvalidPathException | IOError | SecurityException e) {
            return null;
        }
    }

    /** A duplicate of the JDK's HANDLE of a FileChannel-built region, or 0 when it is hidden (logged). */
    private static long channelHandle(DefaultFileRegion region) throws IOException {
        FileChannel channel = (FileChannel) get(REGION_CHANNEL, region);
        if (channel == null) {
            throw new IllegalStateException("DefaultFileRegion without a file or a channel: " + region);
        }
        if (CHANNEL_UNAVAILABLE != null) {
            logFallback(CHANNEL_UNAVAILABLE);
            return 0;
        }
        if (channel.getClass() != FILE_CHANNEL_IMPL) {
            logFallback("the region's FileChannel is a " + channel.getClass().getName()
                    + ", not the JDK's file channel");
            return 0;
        }
        if (!channel.isOpen()) {
            throw new ClosedChannelException();
        }
        long handle = jdkHandle(channel);
        if (handle == 0 || handle == Kernel32.INVALID_HANDLE_VALUE) {
            throw new ClosedChannelException();
        }
        return WinFile.duplicate(handle);
    }

    private static long jdkHandle(FileChannel channel) {
        if (CHANNEL_FD != null) {
            FileDescriptor fd = (FileDescriptor) get(CHANNEL_FD, channel);
            return fd == null ? 0 : (Long) get(FD_HANDLE, fd);
        }
        Object fd = PlatformDependent.getObject(channel, CHANNEL_FD_OFFSET);
        if (fd == null) {
            return 0;
        }
        long low = PlatformDependent.getInt(fd, FD_HANDLE_OFFSET) & 0xFFFFFFFFL;
        long high = PlatformDependent.getInt(fd, FD_HANDLE_OFFSET + 4);
        return high << 32 | low;
    }

    /** Adds {@code bytes} to the region's {@code transferred()}, as its own transferTo would have. */
    public static void addTransferred(DefaultFileRegion region, long bytes) {
        try {
            REGION_TRANSFERRED.setLong(region, REGION_TRANSFERRED.getLong(region) + bytes);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e); // unsupportedReason() said the field was accessible
        }
    }

    private static Object get(Field field, Object owner) {
        try {
            return field.get(owner);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }
}
