package io.winloop.internal.win;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NotYetConnectedException;

import static io.winloop.internal.win.WinError.WSAEWOULDBLOCK;
import static io.winloop.internal.win.WinError.lastError;
import static io.winloop.internal.win.WinError.newException;

/**
 * A nonblocking Winsock socket: the operations the channels need, each turning a failure into an IOException
 * that names the call, the Windows error and its code.
 *
 * <p>Each socket owns one small off-heap scratch block for out-parameters and addresses; the methods that use it
 * are synchronized so that a foreign thread asking for an address cannot race the event loop. {@link #recv} and
 * {@link #send} need no scratch and no lock; the datagram path ({@link #recvFromRaw}, {@link #lastSender},
 * {@link #sendToRaw}) runs on the event loop alone and has scratch space of its own, so it takes no lock either.
 */
public final class WinSocket {
    /** Returned by the nonblocking data calls when the socket would block. */
    public static final int WOULD_BLOCK = -1;

    private static final int SCRATCH_SIZE = 232;
    private static final int SCRATCH_ADDR = 0;        // sockaddr, up to 32 bytes
    private static final int SCRATCH_LEN = 32;        // int length / DWORD out-param
    private static final int SCRATCH_VALUE = 40;      // option values, base handle, up to 16 bytes
    private static final int SCRATCH_ADDR2 = 64;      // second sockaddr (accept)
    // Used by the event loop alone (the datagram path), so they need no lock:
    private static final int LOOP_SEND_ADDR = 128;    // sendto's recipient, up to 32 bytes
    private static final int LOOP_RECV_ADDR = 160;    // recvfrom's sender, up to 32 bytes
    private static final int LOOP_RECV_LEN = 192;     // recvfrom's address length
    private static final int LOOP_CACHED_ADDR = 200;  // the sender lastSender() decoded last, 28 bytes

    private final long handle;
    private final int family;
    private long scratch;
    private long baseHandle;
    /** What {@link #lastSender()} decoded last (its raw sockaddr is kept at LOOP_CACHED_ADDR). */
    private InetSocketAddress cachedSender;
    private volatile boolean open = true;
    private volatile boolean inputShutdown;
    private volatile boolean outputShutdown;
    /** SO_LINGER was set to 0 through {@link #setSoLinger}: the close is meant to reset the connection. */
    private boolean abortiveClose;

    private WinSocket(long handle, int family) {
        this.handle = handle;
        this.family = family;
        this.scratch = NativeMemory.allocate(SCRATCH_SIZE);
    }

    /**
     * A new nonblocking TCP socket: dual-stack IPv6 when {@code ipv6}, otherwise IPv4. It binds exclusively
     * (SO_EXCLUSIVEADDRUSE), as the JDK's TCP sockets do on Windows: no other socket, whatever its SO_REUSEADDR,
     * can bind the same address and port while it is bound; {@code WinloopChannelOption.SO_EXCLUSIVEADDRUSE}
     * = false before bind opts out.
     */
    public static WinSocket newStreamSocket(boolean ipv6) throws IOException {
        WinSocket socket = newSocket(ipv6 ? Ws2_32.AF_INET6 : Ws2_32.AF_INET, Ws2_32.SOCK_STREAM, Ws2_32.IPPROTO_TCP);
        try {
            socket.setIntOption(Ws2_32.SOL_SOCKET, Ws2_32.SO_EXCLUSIVEADDRUSE, 1);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
        return socket;
    }

    /** A new nonblocking UDP socket: dual-stack IPv6 when {@code ipv6}, otherwise IPv4. */
    public static WinSocket newDatagramSocket(boolean ipv6) throws IOException {
        return newSocket(ipv6 ? Ws2_32.AF_INET6 : Ws2_32.AF_INET, Ws2_32.SOCK_DGRAM, Ws2_32.IPPROTO_UDP);
    }

    private static WinSocket newSocket(int af, int type, int protocol) throws IOException {
        Winsock.startup();
        long s = Ws2_32.WSASocketW(af, type, protocol, 0, 0,
                Ws2_32.WSA_FLAG_OVERLAPPED | Ws2_32.WSA_FLAG_NO_HANDLE_INHERIT);
        if (s == Ws2_32.INVALID_SOCKET) {
            throw newException("WSASocketW(" + (af == Ws2_32.AF_INET6 ? "AF_INET6" : "AF_INET") + ")", lastError());
        }
        WinSocket socket = new WinSocket(s, af);
        try {
            socket.setNonBlocking();
            if (af == Ws2_32.AF_INET6) {
                socket.setIntOption(Ws2_32.IPPROTO_IPV6, Ws2_32.IPV6_V6ONLY, 0);
            }
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
        return socket;
    }

    public long handle() {
        return handle;
    }

    public int family() {
        return family;
    }

    public boolean isIPv6() {
        return family == Ws2_32.AF_INET6;
    }

    public boolean isOpen() {
        return open;
    }

    /**
     * True once input was shut down, or the socket closed: a read loop whose channel was closed from channelRead
     * must stop before it calls recv on a SOCKET value that may already belong to another socket.
     */
    public boolean isInputShutdown() {
        return inputShutdown || !open;
    }

    public boolean isOutputShutdown() {
        return outputShutdown || !open;
    }

    /** True once shutdown(SD_SEND) was called on this socket; unlike {@link #isOutputShutdown}, not set by close. */
    public boolean hasShutDownOutput() {
        return outputShutdown;
    }

    public boolean isShutdown() {
        return isInputShutdown() && isOutputShutdown();
    }

    private void checkOpen() throws ClosedChannelException {
        if (!open) {
            throw new ClosedChannelException();
        }
    }

    private void setNonBlocking() throws IOException {
        setBlocking(false);
    }

    /** FIONBIO: Winloop sockets are nonblocking; only a lingering close switches one back to blocking. */
    public synchronized void setBlocking(boolean blocking) throws IOException {
        checkOpen();
        NativeMemory.putInt(scratch + SCRATCH_VALUE, blocking ? 0 : 1);
        NativeCalls.countOther();
        if (Ws2_32.ioctlsocket(handle, Ws2_32.FIONBIO, scratch + SCRATCH_VALUE) != 0) {
            throw newException("ioctlsocket(FIONBIO)", lastError());
        }
    }

    /** The base service provider handle AFD must poll (see {@link Winsock#baseHandle}). */
    public synchronized long baseHandle() throws IOException {
        if (baseHandle == 0) {
            checkOpen();
            baseHandle = Winsock.baseHandle(handle, scratch + SCRATCH_VALUE);
        }
        return baseHandle;
    }

    public synchronized void bind(InetSocketAddress local) throws IOException {
        checkOpen();
        int len = SockAddr.encode(family, local, scratch + SCRATCH_ADDR);
        NativeCalls.countOther();
        if (Ws2_32.bind(handle, scratch + SCRATCH_ADDR, len) != 0) {
            throw newException("bind(" + local + ")", lastError());
        }
    }

    public synchronized void listen(int backlog) throws IOException {
        checkOpen();
        NativeCalls.countOther();
        if (Ws2_32.listen(handle, backlog) != 0) {
            throw newException("listen(" + backlog + ")", lastError());
        }
    }

    /**
     * Starts a nonblocking connect.
     *
     * @return true when already connected, false when the connect is in progress (finish it with
     *         {@link #finishConnect} once the socket is writable or AFD reports CONNECT_FAIL)
     */
    public synchronized boolean connect(InetSocketAddress remote) throws IOException {
        checkOpen();
        int len = SockAddr.encode(family, remote, scratch + SCRATCH_ADDR);
        NativeCalls.countOther();
        if (Ws2_32.connect(handle, scratch + SCRATCH_ADDR, len) == 0) {
            return true;
        }
        int error = lastError();
        if (error == WSAEWOULDBLOCK || error == WinError.WSAEINPROGRESS || error == WinError.WSAEALREADY) {
            return false;
        }
        if (error == WinError.WSAEISCONN) {
            return true;
        }
        throw newException("connect(" + remote + ")", error);
    }

    /**
     * Completes a nonblocking connect: throws the connect's failure (read from SO_ERROR), returns false while
     * it is still in progress.
     */
    public synchronized boolean finishConnect(InetSocketAddress remote) throws IOException {
        checkOpen();
        int error = getIntOption(Ws2_32.SOL_SOCKET, Ws2_32.SO_ERROR);
        if (error != 0) {
            throw newException("connect(" + remote + ")", error);
        }
        return peerAddress() != null;
    }

    /** Fails a connect whose failure AFD reported (CONNECT_FAIL) with the NTSTATUS it carried. */
    public IOException connectFailure(InetSocketAddress remote, int ntStatus) {
        int error = 0;
        try {
            error = getIntOption(Ws2_32.SOL_SOCKET, Ws2_32.SO_ERROR);
        } catch (IOException ignore) {
            // fall back to the status AFD reported
        }
        if (error == 0) {
            error = WinError.wsaErrorOfStatus(ntStatus);
        }
        return newException("connect(" + remote + ")", error);
    }

    /**
     * Accepts one pending connection; null when none is pending. Its peer is then {@link #lastAcceptedPeer()}.
     *
     * <p>A connection its client reset before it was accepted fails accept() with WSAECONNRESET on Windows (under
     * Wine 8.0: WSAENOTCONN) (any port scanner
     * or timed-out client does this): it is skipped and the next one taken, as nginx does, rather than reported as
     * the server's failure (Netty's ServerBootstrapAcceptor would stop accepting for a second).
     *
     * <p>Two calls a connection fewer than the obvious way: accept() writes the peer's address (no getpeername),
     * and the accepted socket inherits the listener's nonblocking mode ("it has the same properties as socket s",
     * accept() documentation; WinSocketAcceptTest proves it under Wine). One call more, as the JDK makes: the
     * handle is made non-inheritable, so that a child process started with ProcessBuilder cannot keep a closed
     * channel's connection alive (WSA_FLAG_NO_HANDLE_INHERIT covers only the sockets WSASocketW creates).
     */
    public synchronized WinSocket accept() throws IOException {
        checkOpen();
        for (;;) {
            NativeMemory.putInt(scratch + SCRATCH_LEN, SockAddr.MAX_SIZE);
            NativeCalls.count();
            long s = Ws2_32.accept(handle, scratch + SCRATCH_ADDR2, scratch + SCRATCH_LEN);
            if (s == Ws2_32.INVALID_SOCKET) {
                int error = lastError();
                if (error == WSAEWOULDBLOCK) {
                    return null;
                }
                if (error == WinError.WSAECONNRESET || error == WinError.WSAECONNABORTED
                        || error == WinError.WSAENOTCONN) {
                    // Reset by its client while queued: take the next one. Windows documents WSAECONNRESET;
                    // Wine 8.0 fails with WSAENOTCONN (WinSocketAcceptTest), and WSAECONNABORTED is how Linux's
                    // ECONNABORTED would come through.
                    continue;
                }
                throw newException("accept", error);
            }
            WinSocket accepted = new WinSocket(s, family);
            NativeCalls.count();
            if (Kernel32.SetHandleInformation(s, Kernel32.HANDLE_FLAG_INHERIT, 0) == 0) {
                int error = lastError();
                accepted.close();
                throw newException("SetHandleInformation(HANDLE_FLAG_INHERIT, 0) on an accepted socket", error);
            }
            return accepted;
        }
    }

    /** The peer of the connection the last {@link #accept} returned; null once this socket is closed. */
    public synchronized InetSocketAddress lastAcceptedPeer() {
        return open ? SockAddr.decode(scratch + SCRATCH_ADDR2) : null;
    }

    /**
     * Receives into {@code length} bytes at {@code address}.
     *
     * @return bytes read, 0 at end of stream, {@link #WOULD_BLOCK} when nothing is there
     */
    public int recv(long address, int length) throws IOException {
        NativeCalls.count();
        int n = Ws2_32.recv(handle, address, length, 0);
        if (n >= 0) {
            return n;
        }
        int error = lastError();
        if (error == WSAEWOULDBLOCK) {
            return WOULD_BLOCK;
        }
        if (error == WinError.WSAESHUTDOWN) {
            return 0;
        }
        throw newException("recv", error);
    }

    /** Sends up to {@code length} bytes at {@code address}; returns bytes sent, 0 when it would block. */
    public int send(long address, int length) throws IOException {
        NativeCalls.count();
        int n = Ws2_32.send(handle, address, length, 0);
        if (n >= 0) {
            return n;
        }
        int error = lastError();
        if (error == WSAEWOULDBLOCK) {
            return 0;
        }
        throw newException("send", error);
    }

    /** Gathering send of {@code count} WSABUFs at {@code buffers}; returns bytes sent, 0 when it would block. */
    public synchronized long sendv(long buffers, int count) throws IOException {
        checkOpen();
        NativeMemory.putInt(scratch + SCRATCH_LEN, 0);
        NativeCalls.count();
        if (Ws2_32.WSASend(handle, buffers, count, scratch + SCRATCH_LEN, 0, 0, 0) == 0) {
            return NativeMemory.getInt(scratch + SCRATCH_LEN) & 0xFFFFFFFFL;
        }
        int error = lastError();
        if (error == WSAEWOULDBLOCK) {
            return 0;
        }
        throw newException("WSASend", error);
    }

    public synchronized void shutdown(boolean input, boolean output) throws IOException {
        checkOpen();
        int how = input && output ? Ws2_32.SD_BOTH : input ? Ws2_32.SD_RECEIVE : Ws2_32.SD_SEND;
        NativeCalls.countOther();
        if (Ws2_32.shutdown(handle, how) != 0) {
            int error = lastError();
            if (error == WinError.WSAENOTCONN) {
                throw new NotYetConnectedException();
            }
            throw newException("shutdown", error);
        }
        if (input) {
            inputShutdown = true;
        }
        if (output) {
            outputShutdown = true;
        }
    }

    /**
     * Marks the input shut down without SD_RECEIVE (which resets the connection when data is queued or arrives
     * later): {@link #isInputShutdown()} turns true and the channel reads no more.
     */
    public void stopReceiving() throws ClosedChannelException {
        checkOpen();
        inputShutdown = true;
    }

    /**
     * Before the close of a connected stream socket: shuts its sending side down, as the JDK's SocketChannel does
     * on close unless SO_LINGER is 0. closesocket resets the connection when received data is still unread (an
     * HTTP server answering 400 to a request it did not read to the end); the FIN sent first lets the peer read the
     * answer and then end of stream instead of losing both to the reset. Failures (the peer reset first, or the
     * socket never connected) leave nothing to do.
     */
    public synchronized void shutdownOutputBeforeClose() {
        if (!open || outputShutdown || abortiveClose) {
            return;
        }
        NativeCalls.countOther();
        Ws2_32.shutdown(handle, Ws2_32.SD_SEND);
        outputShutdown = true;
    }

    /** Closes the socket and frees its scratch block; idempotent. */
    public synchronized void close() throws IOException {
        if (!open) {
            return;
        }
        open = false;
        NativeMemory.free(scratch);
        scratch = 0;
        NativeCalls.countOther();
        if (Ws2_32.closesocket(handle) != 0) {
            throw newException("closesocket", lastError());
        }
    }

    public synchronized InetSocketAddress localAddress() {
        if (!open) {
            return null;
        }
        NativeMemory.putInt(scratch + SCRATCH_LEN, SockAddr.MAX_SIZE);
        NativeCalls.countOther();
        if (Ws2_32.getsockname(handle, scratch + SCRATCH_ADDR, scratch + SCRATCH_LEN) != 0) {
            return null;
        }
        return SockAddr.decode(scratch + SCRATCH_ADDR);
    }

    public synchronized InetSocketAddress remoteAddress() {
        if (!open) {
            return null;
        }
        return peerAddress();
    }

    private InetSocketAddress peerAddress() {
        NativeMemory.putInt(scratch + SCRATCH_LEN, SockAddr.MAX_SIZE);
        NativeCalls.countOther();
        if (Ws2_32.getpeername(handle, scratch + SCRATCH_ADDR, scratch + SCRATCH_LEN) != 0) {
            return null;
        }
        return SockAddr.decode(scratch + SCRATCH_ADDR);
    }

    public synchronized int getIntOption(int level, int name) throws IOException {
        checkOpen();
        NativeMemory.putInt(scratch + SCRATCH_VALUE, 0);
        NativeMemory.putInt(scratch + SCRATCH_LEN, 4);
        NativeCalls.countOther();
        if (Ws2_32.getsockopt(handle, level, name, scratch + SCRATCH_VALUE, scratch + SCRATCH_LEN) != 0) {
            throw newException("getsockopt(" + optionName(level, name) + ")", lastError());
        }
        int len = NativeMemory.getInt(scratch + SCRATCH_LEN);
        // Some boolean options are returned as a single byte (BOOLEAN) on some Windows versions.
        return len == 1 ? NativeMemory.getByte(scratch + SCRATCH_VALUE) : NativeMemory.getInt(scratch + SCRATCH_VALUE);
    }

    public synchronized void setIntOption(int level, int name, int value) throws IOException {
        checkOpen();
        NativeMemory.putInt(scratch + SCRATCH_VALUE, value);
        NativeCalls.countOther();
        if (Ws2_32.setsockopt(handle, level, name, scratch + SCRATCH_VALUE, 4) != 0) {
            throw newException("setsockopt(" + optionName(level, name) + ", " + value + ")", lastError());
        }
    }

    /** Sets an option whose value is a structure given as its bytes (e.g. ip_mreq). */
    public void setRawOption(int level, int name, byte[] value) throws IOException {
        int error = trySetRawOption(level, name, value);
        if (error != 0) {
            throw newException("setsockopt(" + optionName(level, name) + ")", error);
        }
    }

    /** {@link #setRawOption}, returning the Winsock error instead of throwing it (0 when it succeeded). */
    public synchronized int trySetRawOption(int level, int name, byte[] value) throws IOException {
        checkOpen();
        // Larger structures (group_source_req is 264 bytes on x64) go through a temporary block.
        boolean large = value.length > LOOP_SEND_ADDR - SCRATCH_VALUE;
        long at = large ? NativeMemory.allocate(value.length) : scratch + SCRATCH_VALUE;
        try {
            NativeMemory.copy(value, 0, at, value.length);
            NativeCalls.countOther();
            return Ws2_32.setsockopt(handle, level, name, at, value.length) != 0 ? lastError() : 0;
        } finally {
            if (large) {
                NativeMemory.free(at);
            }
        }
    }

    /** Reads an option whose value is a structure of at most {@code maxLength} (&lt;= 64) bytes; returns its bytes. */
    public synchronized byte[] getRawOption(int level, int name, int maxLength) throws IOException {
        checkOpen();
        if (maxLength > LOOP_SEND_ADDR - SCRATCH_ADDR2) {
            throw new IllegalArgumentException("option value too long: " + maxLength);
        }
        NativeMemory.zero(scratch + SCRATCH_ADDR2, maxLength);
        NativeMemory.putInt(scratch + SCRATCH_LEN, maxLength);
        NativeCalls.countOther();
        if (Ws2_32.getsockopt(handle, level, name, scratch + SCRATCH_ADDR2, scratch + SCRATCH_LEN) != 0) {
            throw newException("getsockopt(" + optionName(level, name) + ")", lastError());
        }
        int len = Math.min(maxLength, NativeMemory.getInt(scratch + SCRATCH_LEN));
        byte[] bytes = new byte[len];
        NativeMemory.copy(scratch + SCRATCH_ADDR2, bytes, 0, len);
        return bytes;
    }

    /**
     * recvfrom for the datagram channel, which maps errors itself (ICMP resets, oversized datagrams). Event loop
     * only: it uses scratch space no other thread touches, so it takes no lock.
     *
     * @return the datagram's length, or the <em>negated</em> Winsock error (e.g. {@code -WSAEWOULDBLOCK}); the
     *         sender is available from {@link #lastSender()} until the next call
     */
    public int recvFromRaw(long address, int length) throws ClosedChannelException {
        checkOpen();
        NativeMemory.zero(scratch + LOOP_RECV_ADDR, SockAddr.SOCKADDR_IN6_SIZE);
        NativeMemory.putInt(scratch + LOOP_RECV_LEN, SockAddr.MAX_SIZE);
        NativeCalls.count();
        int n = Ws2_32.recvfrom(handle, address, length, 0, scratch + LOOP_RECV_ADDR, scratch + LOOP_RECV_LEN);
        return n >= 0 ? n : -lastError();
    }

    /**
     * The sender of the datagram {@link #recvFromRaw} returned last; null once the socket is closed. Event loop
     * only. A sender equal to the previous one is returned as the same object, so that a steady peer costs no
     * allocation per datagram.
     */
    public InetSocketAddress lastSender() {
        if (!open) {
            return null; // the scratch block is freed: reading it would crash the JVM
        }
        long at = scratch + LOOP_RECV_ADDR;
        long cached = scratch + LOOP_CACHED_ADDR;
        if (cachedSender != null
                && NativeMemory.getLong(at) == NativeMemory.getLong(cached)
                && NativeMemory.getLong(at + 8) == NativeMemory.getLong(cached + 8)
                && NativeMemory.getLong(at + 16) == NativeMemory.getLong(cached + 16)
                && NativeMemory.getInt(at + 24) == NativeMemory.getInt(cached + 24)) {
            return cachedSender;
        }
        InetSocketAddress sender = SockAddr.decode(at);
        NativeMemory.putLong(cached, NativeMemory.getLong(at));
        NativeMemory.putLong(cached + 8, NativeMemory.getLong(at + 8));
        NativeMemory.putLong(cached + 16, NativeMemory.getLong(at + 16));
        NativeMemory.putInt(cached + 24, NativeMemory.getInt(at + 24));
        cachedSender = sender;
        return sender;
    }

    /**
     * send (when {@code remote} is null: the socket must be connected) or sendto, for the datagram channel. Event
     * loop only, without a lock, like {@link #recvFromRaw}.
     *
     * @return bytes sent (a whole datagram, possibly 0 bytes long), or the <em>negated</em> Winsock error
     * @throws java.net.UnknownHostException when {@code remote} is unresolved
     */
    public int sendToRaw(long address, int length, InetSocketAddress remote) throws IOException {
        checkOpen();
        NativeCalls.count();
        int n;
        if (remote == null) {
            n = Ws2_32.send(handle, address, length, 0);
        } else {
            int len = SockAddr.encode(family, remote, scratch + LOOP_SEND_ADDR);
            n = Ws2_32.sendto(handle, address, length, 0, scratch + LOOP_SEND_ADDR, len);
        }
        return n >= 0 ? n : -lastError();
    }

    /**
     * Dissolves a datagram socket's association: Winsock's connect() with an all-zero address ("If the address
     * member of the structure specified by the name parameter is filled with zeros, the socket will be
     * disconnected", connect() documentation), as the JDK's DatagramChannelImpl.disconnect0 does on Windows.
     */
    public synchronized void disconnectDatagram() throws IOException {
        checkOpen();
        NativeMemory.zero(scratch + SCRATCH_ADDR, SockAddr.MAX_SIZE);
        NativeCalls.countOther();
        if (Ws2_32.connect(handle, scratch + SCRATCH_ADDR, SockAddr.SOCKADDR_IN6_SIZE) != 0) {
            throw newException("connect(AF_UNSPEC) to disconnect", lastError());
        }
    }

    /** SO_LINGER in seconds, -1 when off. */
    public synchronized int getSoLinger() throws IOException {
        checkOpen();
        NativeMemory.putInt(scratch + SCRATCH_VALUE, 0);
        NativeMemory.putInt(scratch + SCRATCH_LEN, 4);
        NativeCalls.countOther();
        if (Ws2_32.getsockopt(handle, Ws2_32.SOL_SOCKET, Ws2_32.SO_LINGER, scratch + SCRATCH_VALUE,
                scratch + SCRATCH_LEN) != 0) {
            throw newException("getsockopt(SO_LINGER)", lastError());
        }
        int onOff = NativeMemory.getShort(scratch + SCRATCH_VALUE) & 0xFFFF;
        int seconds = NativeMemory.getShort(scratch + SCRATCH_VALUE + 2) & 0xFFFF;
        return onOff == 0 ? -1 : seconds;
    }

    /** SO_LINGER: a negative value turns lingering off. Windows stores seconds in an unsigned 16-bit field. */
    public synchronized void setSoLinger(int seconds) throws IOException {
        checkOpen();
        if (seconds > 0xFFFF) {
            throw new IllegalArgumentException("SO_LINGER must be at most 65535 seconds: " + seconds);
        }
        NativeMemory.putShort(scratch + SCRATCH_VALUE, (short) (seconds < 0 ? 0 : 1));
        NativeMemory.putShort(scratch + SCRATCH_VALUE + 2, (short) (seconds < 0 ? 0 : seconds));
        NativeCalls.countOther();
        if (Ws2_32.setsockopt(handle, Ws2_32.SOL_SOCKET, Ws2_32.SO_LINGER, scratch + SCRATCH_VALUE, 4) != 0) {
            throw newException("setsockopt(SO_LINGER, " + seconds + ")", lastError());
        }
        abortiveClose = seconds == 0;
    }

    /** SIO_KEEPALIVE_VALS: turns keep-alive on or off with the idle time and probe interval in milliseconds. */
    public synchronized void setKeepAliveValues(boolean on, int idleMillis, int intervalMillis) throws IOException {
        checkOpen();
        NativeMemory.putInt(scratch + SCRATCH_VALUE, on ? 1 : 0);
        NativeMemory.putInt(scratch + SCRATCH_VALUE + 4, idleMillis);
        NativeMemory.putInt(scratch + SCRATCH_VALUE + 8, intervalMillis);
        NativeCalls.countOther();
        if (Ws2_32.WSAIoctl(handle, Ws2_32.SIO_KEEPALIVE_VALS, scratch + SCRATCH_VALUE, 12, 0, 0,
                scratch + SCRATCH_LEN, 0, 0) != 0) {
            throw newException("WSAIoctl(SIO_KEEPALIVE_VALS)", lastError());
        }
    }

    /** A WSAIoctl that takes one DWORD input and returns nothing (e.g. SIO_UDP_CONNRESET). */
    public synchronized void ioctlInt(int code, String name, int value) throws IOException {
        checkOpen();
        NativeMemory.putInt(scratch + SCRATCH_VALUE, value);
        NativeCalls.countOther();
        if (Ws2_32.WSAIoctl(handle, code, scratch + SCRATCH_VALUE, 4, 0, 0, scratch + SCRATCH_LEN, 0, 0) != 0) {
            throw newException("WSAIoctl(" + name + ")", lastError());
        }
    }

    static String optionName(int level, int name) {
        if (level == Ws2_32.SOL_SOCKET) {
            switch (name) {
                case Ws2_32.SO_REUSEADDR: return "SO_REUSEADDR";
                case Ws2_32.SO_KEEPALIVE: return "SO_KEEPALIVE";
                case Ws2_32.SO_BROADCAST: return "SO_BROADCAST";
                case Ws2_32.SO_SNDBUF: return "SO_SNDBUF";
                case Ws2_32.SO_RCVBUF: return "SO_RCVBUF";
                case Ws2_32.SO_ERROR: return "SO_ERROR";
                case Ws2_32.SO_EXCLUSIVEADDRUSE: return "SO_EXCLUSIVEADDRUSE";
                default: return "SOL_SOCKET/" + name;
            }
        }
        if (level == Ws2_32.IPPROTO_TCP && name == Ws2_32.TCP_NODELAY) {
            return "TCP_NODELAY";
        }
        if (level == Ws2_32.IPPROTO_IP) {
            return "IPPROTO_IP/" + name;
        }
        if (level == Ws2_32.IPPROTO_IPV6) {
            return "IPPROTO_IPV6/" + name;
        }
        return level + "/" + name;
    }

    @Override
    public String toString() {
        return "WinSocket(0x" + Long.toHexString(handle) + (open ? "" : ", closed") + ")";
    }
}
