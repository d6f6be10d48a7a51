package io.winloop.internal.pipe;

import com.sun.jna.WString;
import io.netty.util.internal.logging.InternalLogger;
import io.netty.util.internal.logging.InternalLoggerFactory;
import io.winloop.internal.overlapped.OverlappedIo;
import io.winloop.internal.overlapped.PortBinding;
import io.winloop.internal.win.Kernel32;
import io.winloop.internal.win.WinError;

import java.io.IOException;
import java.util.Locale;
import java.util.UUID;

/**
 * How a named pipe server waits for its clients, and why: {@link Mode#PORT} (overlapped {@code ConnectNamedPipe}
 * completing on the server loop's port, {@link PipePortAcceptor}) needs the accepted instance's handle to move to
 * the port of the loop its child channel is registered with ({@code FileReplaceCompletionInformation}, Windows 8.1
 * and later); where it cannot move (Wine 8.0 and 10.0: STATUS_NOT_IMPLEMENTED, tools/probes/overlapped-probe.c;
 * Windows before 8.1) {@link Mode#THREAD} keeps the listening instances off any port ({@link PipeAcceptor}).
 *
 * <p>{@link #auto()} asks the system once per process, on a scratch pipe instance moved between two scratch ports,
 * and caches the answer. The system property {@value #PROPERTY} ({@code port}, {@code thread} or {@code auto}, the
 * default) forces a mode; it is read at each bind, so that tests can run port-based accept under Wine, where it
 * works only for children registered with the server's own loop.
 */
public final class PipeAcceptMode {
    public static final String PROPERTY = "io.winloop.pipe.accept";

    public enum Mode { PORT, THREAD }

    private static final InternalLogger logger = InternalLoggerFactory.getInstance(PipeAcceptMode.class);

    private final Mode mode;
    private final String reason;

    private PipeAcceptMode(Mode mode, String reason) {
        this.mode = mode;
        this.reason = reason;
    }

    public Mode mode() {
        return mode;
    }

    /** Why this mode: the property that forced it, or what the capability probe saw. */
    public String reason() {
        return reason;
    }

    /**
     * The mode for a server binding now: {@value #PROPERTY} when set, else {@link #auto()}.
     *
     * @throws IllegalArgumentException naming the property when its value is none of port, thread, auto
     */
    public static PipeAcceptMode current() {
        String value = System.getProperty(PROPERTY, "auto").trim().toLowerCase(Locale.ROOT);
        switch (value) {
            case "port":
                return new PipeAcceptMode(Mode.PORT, "forced by -D" + PROPERTY + "=port");
            case "thread":
                return new PipeAcceptMode(Mode.THREAD, "forced by -D" + PROPERTY + "=thread");
            case "auto":
            case "":
                return auto();
            default:
                throw new IllegalArgumentException("-D" + PROPERTY + "=" + System.getProperty(PROPERTY)
                        + ": expected port, thread or auto");
        }
    }

    /** The mode chosen by capability, probed once per process. */
    public static PipeAcceptMode auto() {
        return Probed.CHOICE;
    }

    @Override
    public String toString() {
        return mode.name().toLowerCase(Locale.ROOT) + " (" + reason + ")";
    }

    private static final class Probed {
        static final PipeAcceptMode CHOICE = probe();

        private static PipeAcceptMode probe() {
            PipeAcceptMode choice;
            try {
                moveScratchHandle();
                choice = new PipeAcceptMode(Mode.PORT, "auto: NtSetInformationFile(FileReplaceCompletionInformation) "
                        + "moved a scratch pipe handle between two completion ports");
            } catch (IOException e) {
                choice = new PipeAcceptMode(Mode.THREAD, "auto: " + e.getMessage());
            }
            logger.debug("Named pipe accept mode: {}", choice);
            return choice;
        }

        /** Associates a scratch pipe instance with one port and moves it to another, as PortBinding would. */
        private static void moveScratchHandle() throws IOException {
            WString name = new WString("\\\\.\\pipe\\winloop-port-probe-" + UUID.randomUUID());
            long pipe = PipeInstances.create(name, true, 0, 0); // made as a server's instances are
            if (pipe == Kernel32.INVALID_HANDLE_VALUE) {
                throw PipeErrors.newException("CreateNamedPipe (scratch instance for the accept-mode probe)",
                        WinError.lastError());
            }
            long first = 0;
            long second = 0;
            try {
                first = newPort();
                second = newPort();
                PortBinding binding = new PortBinding(pipe);
                new OverlappedIo(first).bind(binding);
                new OverlappedIo(second).bind(binding); // throws, naming FileReplaceCompletionInformation
            } finally {
                Kernel32.CloseHandle(pipe);
                if (first != 0) {
                    Kernel32.CloseHandle(first);
                }
                if (second != 0) {
                    Kernel32.CloseHandle(second);
                }
            }
        }

        private static long newPort() throws IOException {
            long port = Kernel32.CreateIoCompletionPort(Kernel32.INVALID_HANDLE_VALUE, 0, 0, 1);
            if (port == 0) {
                throw WinError.newException("CreateIoCompletionPort (scratch port for the accept-mode probe)",
                        WinError.lastError());
            }
            return port;
        }
    }
}
