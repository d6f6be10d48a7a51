package io.winloop.internal.win;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;

/**
 * Direct-mapped Winsock functions. SOCKET values and pointers are raw {@code long}s; the functions that return
 * SOCKET_ERROR (-1) leave their reason in the thread's last error ({@link Native#getLastError()}).
 */
public final class Ws2_32 {
    public static final long INVALID_SOCKET = -1L;
    public static final int SOCKET_ERROR = -1;

    public static final int AF_INET = 2;
    public static final int AF_INET6 = 23;
    public static final int SOCK_STREAM = 1;
    public static final int SOCK_DGRAM = 2;
    public static final int IPPROTO_IP = 0;
    public static final int IPPROTO_TCP = 6;
    public static final int IPPROTO_UDP = 17;
    public static final int IPPROTO_IPV6 = 41;

    /** WSASocketW flags: overlapped-capable (required for AFD polling) and not inheritable by child processes. */
    public static final int WSA_FLAG_OVERLAPPED = 0x01;
    public static final int WSA_FLAG_NO_HANDLE_INHERIT = 0x80;

    public static final int FIONBIO = 0x8004667E;
    public static final int FIONREAD = 0x4004667F;
    public static final int SIO_BASE_HANDLE = 0x48000022;
    public static final int SIO_BSP_HANDLE = 0x4800001B;
    public static final int SIO_BSP_HANDLE_SELECT = 0x4800001C;
    public static final int SIO_BSP_HANDLE_POLL = 0x4800001D;
    public static final int SIO_KEEPALIVE_VALS = 0x98000004;
    public static final int SIO_UDP_CONNRESET = 0x9800000C;

    public static final int SOL_SOCKET = 0xFFFF;
    public static final int SO_REUSEADDR = 0x0004;
    public static final int SO_KEEPALIVE = 0x0008;
    public static final int SO_BROADCAST = 0x0020;
    public static final int SO_LINGER = 0x0080;
    public static final int SO_SNDBUF = 0x1001;
    public static final int SO_RCVBUF = 0x1002;
    public static final int SO_ERROR = 0x1007;
    public static final int SO_TYPE = 0x1008;
    public static final int SO_EXCLUSIVEADDRUSE = ~SO_REUSEADDR;
    public static final int SO_UPDATE_ACCEPT_CONTEXT = 0x700B;
    /** A WSAPROTOCOL_INFOW of the socket's provider (628 bytes on x64; dwServiceFlags1 at 0). */
    public static final int SO_PROTOCOL_INFOW = 0x2005;
    public static final int WSAPROTOCOL_INFOW_SIZE = 628;
    /** dwServiceFlags1: the provider's sockets are IFS handles (no layered provider in between). */
    public static final int XP1_IFS_HANDLES = 0x00020000;
    public static final int TCP_NODELAY = 0x0001;
    public static final int IP_TOS = 3;
    public static final int IP_MULTICAST_IF = 9;
    public static final int IP_MULTICAST_TTL = 10;
    public static final int IP_MULTICAST_LOOP = 11;
    public static final int IP_ADD_MEMBERSHIP = 12;
    public static final int IP_DROP_MEMBERSHIP = 13;
    public static final int IP_ADD_SOURCE_MEMBERSHIP = 15;
    public static final int IP_DROP_SOURCE_MEMBERSHIP = 16;
    public static final int IP_BLOCK_SOURCE = 17;
    public static final int IP_UNBLOCK_SOURCE = 18;
    public static final int IPV6_MULTICAST_IF = 9;
    public static final int IPV6_MULTICAST_HOPS = 10;
    public static final int IPV6_MULTICAST_LOOP = 11;
    public static final int IPV6_ADD_MEMBERSHIP = 12;
    public static final int IPV6_DROP_MEMBERSHIP = 13;
    public static final int IPV6_V6ONLY = 27;
    public static final int IPV6_TCLASS = 39;
    public static final int MCAST_JOIN_SOURCE_GROUP = 45;
    public static final int MCAST_LEAVE_SOURCE_GROUP = 46;
    public static final int MCAST_BLOCK_SOURCE = 43;
    public static final int MCAST_UNBLOCK_SOURCE = 44;

    public static final int SD_RECEIVE = 0;
    public static final int SD_SEND = 1;
    public static final int SD_BOTH = 2;

    public static final int MSG_PEEK = 0x2;

    /** WSABUF on x64: len (u32) at 0, buf (pointer) at 8. */
    public static final int WSABUF_SIZE = 16;
    /** Size of a WSADATA on x64, rounded up. */
    public static final int WSADATA_SIZE = 408;

    static {
        Native.register(Ws2_32.class, NativeLibrary.getInstance("ws2_32"));
    }

    private Ws2_32() {
    }

    public static native int WSAStartup(short version, long wsaData);

    public static native long WSASocketW(int af, int type, int protocol, long protocolInfo, int group, int flags);

    public static native int ioctlsocket(long s, int cmd, long argp);

    public static native int WSAIoctl(long s, int ioControlCode, long inBuffer, int inLength, long outBuffer,
                                      int outLength, long bytesReturnedPtr, long overlapped, long completionRoutine);

    public static native int bind(long s, long addr, int addrLen);

    public static native int listen(long s, int backlog);

    public static native long accept(long s, long addr, long addrLenPtr);

    public static native int connect(long s, long addr, int addrLen);

    public static native int recv(long s, long buf, int len, int flags);

    public static native int send(long s, long buf, int len, int flags);

    public static native int WSASend(long s, long buffers, int bufferCount, long bytesSentPtr, int flags,
                                     long overlapped, long completionRoutine);

    /** {@code flagsPtr} points to a DWORD the call reads (MSG_* flags in) and writes (flags out). */
    public static native int WSARecv(long s, long buffers, int bufferCount, long bytesReceivedPtr, long flagsPtr,
                                     long overlapped, long completionRoutine);

    public static native int recvfrom(long s, long buf, int len, int flags, long from, long fromLenPtr);

    public static native int sendto(long s, long buf, int len, int flags, long to, int toLen);

    public static native int shutdown(long s, int how);

    public static native int closesocket(long s);

    public static native int getsockopt(long s, int level, int optName, long optVal, long optLenPtr);

    public static native int setsockopt(long s, int level, int optName, long optVal, int optLen);

    public static native int getsockname(long s, long addr, long addrLenPtr);

    public static native int getpeername(long s, long addr, long addrLenPtr);

    public static native int WSAGetLastError();
}
