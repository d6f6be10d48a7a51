package io.winloop.internal.win;

import com.sun.jna.Native;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.SocketException;
import java.nio.channels.ClosedChannelException;

/**
 * Names Winsock errors and NTSTATUS codes, and turns a failed call into the IOException a Java user expects, with a
 * message such as {@code connect(127.0.0.1:1) failed: WSAECONNREFUSED (10061)}.
 */
public final class WinError {
    public static final int WSAEINTR = 10004;
    public static final int WSAEBADF = 10009;
    public static final int WSAEACCES = 10013;
    public static final int WSAEFAULT = 10014;
    public static final int WSAEINVAL = 10022;
    public static final int WSAEMFILE = 10024;
    public static final int WSAEWOULDBLOCK = 10035;
    public static final int WSAEINPROGRESS = 10036;
    public static final int WSAEALREADY = 10037;
    public static final int WSAENOTSOCK = 10038;
    public static final int WSAEDESTADDRREQ = 10039;
    public static final int WSAEMSGSIZE = 10040;
    public static final int WSAEPROTOTYPE = 10041;
    public static final int WSAENOPROTOOPT = 10042;
    public static final int WSAEPROTONOSUPPORT = 10043;
    public static final int WSAESOCKTNOSUPPORT = 10044;
    public static final int WSAEOPNOTSUPP = 10045;
    public static final int WSAEPFNOSUPPORT = 10046;
    public static final int WSAEAFNOSUPPORT = 10047;
    public static final int WSAEADDRINUSE = 10048;
    public static final int WSAEADDRNOTAVAIL = 10049;
    public static final int WSAENETDOWN = 10050;
    public static final int WSAENETUNREACH = 10051;
    public static final int WSAENETRESET = 10052;
    public static final int WSAECONNABORTED = 10053;
    public static final int WSAECONNRESET = 10054;
    public static final int WSAENOBUFS = 10055;
    public static final int WSAEISCONN = 10056;
    public static final int WSAENOTCONN = 10057;
    public static final int WSAESHUTDOWN = 10058;
    public static final int WSAETIMEDOUT = 10060;
    public static final int WSAECONNREFUSED = 10061;
    public static final int WSAEHOSTDOWN = 10064;
    public static final int WSAEHOSTUNREACH = 10065;
    public static final int WSASYSNOTREADY = 10091;
    public static final int WSAVERNOTSUPPORTED = 10092;
    public static final int WSANOTINITIALISED = 10093;
    public static final int ERROR_FILE_NOT_FOUND = 2;
    public static final int ERROR_PATH_NOT_FOUND = 3;
    public static final int ERROR_ACCESS_DENIED = 5;
    public static final int ERROR_INVALID_HANDLE = 6;
    public static final int ERROR_NOT_ENOUGH_MEMORY = 8;
    /** The Win32 error of STATUS_DEVICE_NOT_READY. */
    public static final int ERROR_NOT_READY = 21;
    public static final int ERROR_SHARING_VIOLATION = 32;
    public static final int ERROR_HANDLE_EOF = 38;
    public static final int ERROR_NOT_SUPPORTED = 50;
    public static final int ERROR_INVALID_PARAMETER = 87;
    public static final int ERROR_BROKEN_PIPE = 109;
    public static final int ERROR_SEM_TIMEOUT = 121;
    public static final int ERROR_BAD_PATHNAME = 161;
    public static final int ERROR_PIPE_BUSY = 231;
    public static final int ERROR_NO_DATA = 232;
    public static final int ERROR_PIPE_NOT_CONNECTED = 233;
    public static final int ERROR_PIPE_CONNECTED = 535;
    public static final int ERROR_ABANDONED_WAIT_0 = 735;
    public static final int ERROR_OPERATION_ABORTED = 995;
    /** GetLastError of an overlapped call that started and will complete later. */
    public static final int ERROR_IO_PENDING = 997;
    /** CancelIoEx: nothing in flight matched (the operation had completed already). */
    public static final int ERROR_NOT_FOUND = 1168;

    private WinError() {
    }

    /** The calling thread's last Win32/Winsock error, as JNA captured it right after the last native call. */
    public static int lastError() {
        return Native.getLastError();
    }

    /** "WSAECONNREFUSED (10061)" for a known Winsock or Win32 error, "error 12345" otherwise. */
    public static String describe(int error) {
        String name = name(error);
        return name != null ? name + " (" + error + ")" : "error " + error;
    }

    /** "STATUS_CANCELLED (0xC0000120)" for a known NTSTATUS, "NTSTATUS 0x..." otherwise. */
    public static String describeStatus(int status) {
        String hex = String.format("0x%08X", status);
        String name;
        switch (status) {
            case Ntdll.STATUS_SUCCESS: name = "STATUS_SUCCESS"; break;
            case Ntdll.STATUS_TIMEOUT: name = "STATUS_TIMEOUT"; break;
            case Ntdll.STATUS_PENDING: name = "STATUS_PENDING"; break;
            case Ntdll.STATUS_INVALID_HANDLE: name = "STATUS_INVALID_HANDLE"; break;
            case Ntdll.STATUS_CANCELLED: name = "STATUS_CANCELLED"; break;
            case Ntdll.STATUS_NOT_FOUND: name = "STATUS_NOT_FOUND"; break;
            case Ntdll.STATUS_CONNECTION_REFUSED: name = "STATUS_CONNECTION_REFUSED"; break;
            case 0xC0000034: name = "STATUS_OBJECT_NAME_NOT_FOUND"; break;
            case 0xC000003A: name = "STATUS_OBJECT_PATH_NOT_FOUND"; break;
            case 0xC0000022: name = "STATUS_ACCESS_DENIED"; break;
            case 0xC000000D: name = "STATUS_INVALID_PARAMETER"; break;
            case Ntdll.STATUS_NOT_IMPLEMENTED: name = "STATUS_NOT_IMPLEMENTED"; break;
            case Ntdll.STATUS_INVALID_INFO_CLASS: name = "STATUS_INVALID_INFO_CLASS"; break;
            case 0xC0000011: name = "STATUS_END_OF_FILE"; break;
            case Ntdll.STATUS_PIPE_BROKEN: name = "STATUS_PIPE_BROKEN"; break;
            case Ntdll.STATUS_PIPE_DISCONNECTED: name = "STATUS_PIPE_DISCONNECTED"; break;
            case Ntdll.STATUS_PIPE_CLOSING: name = "STATUS_PIPE_CLOSING"; break;
            case Ntdll.STATUS_NOT_SUPPORTED: name = "STATUS_NOT_SUPPORTED"; break;
            case 0xC000020D: name = "STATUS_CONNECTION_RESET"; break;
            case 0xC000020C: name = "STATUS_CONNECTION_DISCONNECTED"; break;
            case 0xC0000241: name = "STATUS_CONNECTION_ABORTED"; break;
            case 0xC000023C: name = "STATUS_NETWORK_UNREACHABLE"; break;
            case 0xC000023D: name = "STATUS_HOST_UNREACHABLE"; break;
            case 0xC00000B5: name = "STATUS_IO_TIMEOUT"; break;
            default: name = "NTSTATUS";
        }
        return name + " (" + hex + ")";
    }

    /** The Winsock error an NTSTATUS stands for (for reporting a failed connect seen through AFD). */
    public static int wsaErrorOfStatus(int status) {
        switch (status) {
            case Ntdll.STATUS_CONNECTION_REFUSED: return WSAECONNREFUSED;
            case 0xC000020D: return WSAECONNRESET;
            case 0xC0000241: return WSAECONNABORTED;
            case 0xC000023C: return WSAENETUNREACH;
            case 0xC000023D: return WSAEHOSTUNREACH;
            case 0xC00000B5: return WSAETIMEDOUT;            // STATUS_IO_TIMEOUT
            case 0xC000023E: return WSAENETUNREACH;          // STATUS_PROTOCOL_UNREACHABLE
            case 0xC000023F: return WSAECONNRESET;           // STATUS_PORT_UNREACHABLE
            case 0xC000020C: return WSAENOTCONN;             // STATUS_CONNECTION_DISCONNECTED
            case 0xC0000207: return WSAEADDRNOTAVAIL;        // STATUS_INVALID_ADDRESS_COMPONENT
            default: return wsaErrorOfWin32(Ntdll.RtlNtStatusToDosError(status));
        }
    }

    /**
     * The Winsock error for a Win32 error that a network NTSTATUS translates to (as libuv and the JDK do), so that
     * a failed connect reads WSAECONNREFUSED and is a ConnectException rather than "error 1225"; other codes are
     * returned as they are.
     */
    static int wsaErrorOfWin32(int error) {
        switch (error) {
            case 1225: return WSAECONNREFUSED;   // ERROR_CONNECTION_REFUSED
            case 1234: return WSAECONNREFUSED;   // ERROR_PORT_UNREACHABLE
            case 1231: return WSAENETUNREACH;    // ERROR_NETWORK_UNREACHABLE
            case 1233: return WSAENETUNREACH;    // ERROR_PROTOCOL_UNREACHABLE
            case 1232: return WSAEHOSTUNREACH;   // ERROR_HOST_UNREACHABLE
            case 1236: return WSAECONNABORTED;   // ERROR_CONNECTION_ABORTED
            case 1235: return WSAECONNABORTED;   // ERROR_REQUEST_ABORTED
            case 64: return WSAECONNRESET;       // ERROR_NETNAME_DELETED
            case ERROR_SEM_TIMEOUT: return WSAETIMEDOUT;
            case 1228: return WSAENOTCONN;       // ERROR_ADDRESS_NOT_ASSOCIATED
            default: return error;
        }
    }

    public static String name(int error) {
        switch (error) {
            case WSAEINTR: return "WSAEINTR";
            case WSAEBADF: return "WSAEBADF";
            case WSAEACCES: return "WSAEACCES";
            case WSAEFAULT: return "WSAEFAULT";
            case WSAEINVAL: return "WSAEINVAL";
            case WSAEMFILE: return "WSAEMFILE";
            case WSAEWOULDBLOCK: return "WSAEWOULDBLOCK";
            case WSAEINPROGRESS: return "WSAEINPROGRESS";
            case WSAEALREADY: return "WSAEALREADY";
            case WSAENOTSOCK: return "WSAENOTSOCK";
            case WSAEDESTADDRREQ: return "WSAEDESTADDRREQ";
            case WSAEMSGSIZE: return "WSAEMSGSIZE";
            case WSAEPROTOTYPE: return "WSAEPROTOTYPE";
            case WSAENOPROTOOPT: return "WSAENOPROTOOPT";
            case WSAEPROTONOSUPPORT: return "WSAEPROTONOSUPPORT";
            case WSAESOCKTNOSUPPORT: return "WSAESOCKTNOSUPPORT";
            case WSAEOPNOTSUPP: return "WSAEOPNOTSUPP";
            case WSAEPFNOSUPPORT: return "WSAEPFNOSUPPORT";
            case WSAEAFNOSUPPORT: return "WSAEAFNOSUPPORT";
            case WSAEADDRINUSE: return "WSAEADDRINUSE";
            case WSAEADDRNOTAVAIL: return "WSAEADDRNOTAVAIL";
            case WSAENETDOWN: return "WSAENETDOWN";
            case WSAENETUNREACH: return "WSAENETUNREACH";
            case WSAENETRESET: return "WSAENETRESET";
            case WSAECONNABORTED: return "WSAECONNABORTED";
            case WSAECONNRESET: return "WSAECONNRESET";
            case WSAENOBUFS: return "WSAENOBUFS";
            case WSAEISCONN: return "WSAEISCONN";
            case WSAENOTCONN: return "WSAENOTCONN";
            case WSAESHUTDOWN: return "WSAESHUTDOWN";
            case WSAETIMEDOUT: return "WSAETIMEDOUT";
            case WSAECONNREFUSED: return "WSAECONNREFUSED";
            case WSAEHOSTDOWN: return "WSAEHOSTDOWN";
            case WSAEHOSTUNREACH: return "WSAEHOSTUNREACH";
            case WSASYSNOTREADY: return "WSASYSNOTREADY";
            case WSAVERNOTSUPPORTED: return "WSAVERNOTSUPPORTED";
            case WSANOTINITIALISED: return "WSANOTINITIALISED";
            case ERROR_FILE_NOT_FOUND: return "ERROR_FILE_NOT_FOUND";
            case ERROR_PATH_NOT_FOUND: return "ERROR_PATH_NOT_FOUND";
            case ERROR_ACCESS_DENIED: return "ERROR_ACCESS_DENIED";
            case ERROR_INVALID_HANDLE: return "ERROR_INVALID_HANDLE";
            case ERROR_NOT_ENOUGH_MEMORY: return "ERROR_NOT_ENOUGH_MEMORY";
            case ERROR_SHARING_VIOLATION: return "ERROR_SHARING_VIOLATION";
            case ERROR_HANDLE_EOF: return "ERROR_HANDLE_EOF";
            case ERROR_INVALID_PARAMETER: return "ERROR_INVALID_PARAMETER";
            case ERROR_BROKEN_PIPE: return "ERROR_BROKEN_PIPE";
            case ERROR_SEM_TIMEOUT: return "ERROR_SEM_TIMEOUT";
            case ERROR_BAD_PATHNAME: return "ERROR_BAD_PATHNAME";
            case ERROR_PIPE_BUSY: return "ERROR_PIPE_BUSY";
            case ERROR_NO_DATA: return "ERROR_NO_DATA";
            case ERROR_PIPE_NOT_CONNECTED: return "ERROR_PIPE_NOT_CONNECTED";
            case ERROR_PIPE_CONNECTED: return "ERROR_PIPE_CONNECTED";
            case ERROR_ABANDONED_WAIT_0: return "ERROR_ABANDONED_WAIT_0";
            case ERROR_OPERATION_ABORTED: return "ERROR_OPERATION_ABORTED";
            case ERROR_IO_PENDING: return "ERROR_IO_PENDING";
            case ERROR_NOT_FOUND: return "ERROR_NOT_FOUND";
            default: return null;
        }
    }

    /**
     * The words epoll's messages carry for the error Linux reports in the same situation (glibc's strerror, as in
     * epoll's {@code recvAddress(..) failed with error(-104): Connection reset by peer}), because code matches on
     * them: Netty's SslHandler ignores an IOException after close_notify when its message matches
     * {@code connection.*(?:reset|closed|abort|broken)|broken.*pipe}, and Reactor Netty's
     * {@code AbortedException.isConnectionReset} (logged at DEBUG instead of WARN) looks for "Connection reset by
     * peer" or "Broken pipe". WinErrorTest checks each message against those patterns.
     */
    static String meaning(int error) {
        switch (error) {
            case WSAECONNRESET: return "Connection reset by peer";
            case WSAECONNABORTED: return "Software caused connection abort";
            case WSAECONNREFUSED: return "Connection refused";
            case WSAETIMEDOUT: return "Connection timed out";
            case WSAENETUNREACH: return "Network is unreachable";
            case WSAEHOSTUNREACH: return "No route to host";
            case WSAEHOSTDOWN: return "Host is down";
            case WSAENETDOWN: return "Network is down";
            // Windows: keep-alive found the connection dead. Linux reports that as ETIMEDOUT.
            case WSAENETRESET: return "Network dropped connection on reset";
            case WSAEADDRINUSE: return "Address already in use";
            case WSAEADDRNOTAVAIL: return "Cannot assign requested address";
            case WSAENOTCONN: return "Transport endpoint is not connected";
            // A send after shutdown(SD_SEND). Linux fails a send after shutdown(SHUT_WR) with EPIPE, not
            // ESHUTDOWN, so epoll's message is "Broken pipe", the words frameworks treat as a closed peer.
            case WSAESHUTDOWN: return "Broken pipe (cannot send after socket shutdown)";
            case WSAEMSGSIZE: return "Message too long";
            case WSAENOBUFS: return "No buffer space available";
            default: return null;
        }
    }

    /** An exception for {@code operation} failing with {@code error}, of the subclass Java code expects. */
    public static IOException newException(String operation, int error) {
        String meaning = meaning(error);
        String message = operation + " failed: " + describe(error) + (meaning == null ? "" : ": " + meaning);
        switch (error) {
            case WSAECONNREFUSED:
            case WSAETIMEDOUT:
                return new ConnectException(message);
            case WSAEADDRINUSE:
            case WSAEADDRNOTAVAIL:
            case WSAEACCES:
                return new BindException(message);
            case WSAENETUNREACH:
            case WSAEHOSTUNREACH:
                return new NoRouteToHostException(message);
            case WSAENOTSOCK:
            case WSAEBADF:
                ClosedChannelException closed = new ClosedChannelException();
                closed.initCause(new SocketException(message));
                return closed;
            default:
                return new SocketException(message);
        }
    }

    /** Like {@link #newException} for a datagram socket, where WSAECONNRESET means ICMP port unreachable. */
    public static IOException newDatagramException(String operation, int error) {
        if (error == WSAECONNRESET) {
            return new PortUnreachableException(operation + " failed: " + describe(error)
                    + " (ICMP port unreachable)");
        }
        return newException(operation, error);
    }
}
