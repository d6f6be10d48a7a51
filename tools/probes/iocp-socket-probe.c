/* Overlapped socket I/O on a completion port, the facts the completion mode (io.winloop.internal.iocp) relies on:
 * FILE_SKIP_COMPLETION_PORT_ON_SUCCESS on a nonblocking TCP socket (does an overlapped WSARecv / WSASend that
 * completes at once queue a packet?), an overlapped WSARecv on a nonblocking socket with nothing queued (pending, or
 * WSAEWOULDBLOCK?), a zero-byte WSARecv (completes on data? on FIN?), the peer's FIN and RST with a WSARecv pending,
 * CancelIoEx of a pending WSARecv, closesocket with a WSARecv pending, an AFD-style readiness wait (a second
 * overlapped WSARecv is not allowed, so WSAPoll stands in) beside a pending read, and XP1_IFS_HANDLES.
 * Build: x86_64-w64-mingw32-gcc -O1 -o ~/.cache/winloop/iocp-socket-probe.exe tools/probes/iocp-socket-probe.c -lws2_32
 * Run:   WINEDEBUG=-all WINEPREFIX=~/.cache/winloop/wineprefix-8.0 wine ~/.cache/winloop/iocp-socket-probe.exe
 *        chroot ~/.cache/winloop/wine10-root env WINEDEBUG=-all WINEPREFIX=$HOME/.cache/winloop/wineprefix-10.0 \
 *          wine $HOME/.cache/winloop/iocp-socket-probe.exe
 * Seen under Debian wine64 8.0 and Debian 13 wine64 10.0 (2026-12-08), identical unless marked:
 *   SO_PROTOCOL_INFOW                        dwServiceFlags1=0x20066: XP1_IFS_HANDLES set (skipping is allowed)
 *   skip set: WSARecv, 5 bytes queued        returns 0 with bytes=5; no packet
 *   skip set: WSARecv, nothing queued        WSA_IO_PENDING (997), no WSAEWOULDBLOCK on the nonblocking socket;
 *                                            a packet (status 0, bytes=3) when 3 bytes arrive
 *   skip set: WSASend 5 bytes                returns 0 with bytes=5; no packet
 *   zero-byte WSARecv, nothing queued        pending; a packet with bytes=0 when data arrives; recv then reads it
 *   zero-byte WSARecv, then the peer's FIN   a packet with bytes=0 as well; recv then returns 0 (end of stream)
 *   WSARecv pending, then the peer's FIN     a packet status=0 bytes=0
 *   skip not set                             every call above that returned 0 also queues its packet
 *   WSARecv pending, then a reset            a packet status=0xc000020d (STATUS_CONNECTION_RESET)
 *   WSARecv after the reset                  Wine 8.0: returns 0, bytes=0 (end of stream, Linux's answer)
 *                                            Wine 10.0: WSAECONNRESET (10054), as Windows answers
 *   CancelIoEx(s, &ov) of a pending read     ok; a packet status=0xc0000120 (STATUS_CANCELLED) bytes=0; the data
 *                                            that arrives next is read by the next WSARecv (nothing lost)
 *   CancelIoEx(s, NULL)                      the same
 *   closesocket with a read pending          a packet status=0x8000000a: cancel before closing (Winloop does)
 *   1 MiB WSASends, the peer not reading     the 4th pends; no packet until the peer reads, then status=0
 *                                            bytes=1048576 (an overlapped send completes whole)
 */
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#include <stdio.h>

static struct sockaddr_in la;
static SOCKET ls;
static HANDLE port;

static void dequeue(const char *what, DWORD ms) {
  OVERLAPPED_ENTRY e[8]; ULONG n = 0;
  if (!GetQueuedCompletionStatusEx(port, e, 8, &n, ms, FALSE)) {
    printf("%-52s no packet within %lu ms\n", what, ms);
    return;
  }
  for (ULONG i = 0; i < n; i++) {
    OVERLAPPED *o = e[i].lpOverlapped;
    printf("%-52s packet key=%llu status=0x%lx bytes=%llu\n", what, (unsigned long long)e[i].lpCompletionKey,
           o ? (unsigned long)o->Internal : 0, o ? (unsigned long long)o->InternalHigh : 0);
  }
}

static void pair(SOCKET *c, SOCKET *s, int skip) {
  *c = WSASocketW(AF_INET, SOCK_STREAM, IPPROTO_TCP, NULL, 0, WSA_FLAG_OVERLAPPED);
  connect(*c, (struct sockaddr*)&la, sizeof la);
  *s = accept(ls, NULL, NULL);
  u_long nb = 1; ioctlsocket(*s, FIONBIO, &nb);
  CreateIoCompletionPort((HANDLE)*s, port, 7, 0);
  if (skip && !SetFileCompletionNotificationModes((HANDLE)*s, FILE_SKIP_COMPLETION_PORT_ON_SUCCESS
                                                               | FILE_SKIP_SET_EVENT_ON_HANDLE))
    printf("SetFileCompletionNotificationModes failed %lu\n", GetLastError());
}

static void recv_call(const char *what, SOCKET s, OVERLAPPED *o, char *buf, ULONG len) {
  WSABUF b = { len, buf }; DWORD got = 12345, flags = 0;
  memset(o, 0, sizeof *o);
  int r = WSARecv(s, &b, 1, &got, &flags, o, NULL);
  int e = r ? WSAGetLastError() : 0;
  printf("%-52s WSARecv=%d error=%d bytes=%lu ov.status=0x%lx\n", what, r, e, r ? 0 : got, (unsigned long)o->Internal);
}

int main(void) {
  WSADATA w; WSAStartup(MAKEWORD(2,2), &w);
  port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 1);
  ls = WSASocketW(AF_INET, SOCK_STREAM, IPPROTO_TCP, NULL, 0, WSA_FLAG_OVERLAPPED);
  la.sin_family = AF_INET; la.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(ls, (struct sockaddr*)&la, sizeof la); int len = sizeof la; getsockname(ls, (struct sockaddr*)&la, &len);
  listen(ls, 16);
  char buf[4096]; OVERLAPPED o, o2; SOCKET c, s;

  printf("-- provider\n");
  { WSAPROTOCOL_INFOW pi; int pl = sizeof pi; SOCKET t = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    int r = getsockopt(t, SOL_SOCKET, SO_PROTOCOL_INFOW, (char*)&pi, &pl);
    printf("%-52s r=%d size=%d flags1=0x%lx IFS_HANDLES=%d\n", "SO_PROTOCOL_INFOW", r, (int)sizeof pi,
           pi.dwServiceFlags1, (pi.dwServiceFlags1 & XP1_IFS_HANDLES) != 0); closesocket(t); }

  for (int skip = 1; skip >= 0; skip--) {
    printf("-- skip-on-success %s\n", skip ? "set" : "not set");
    pair(&c, &s, skip);
    send(c, "hello", 5, 0); Sleep(100);
    recv_call("WSARecv 4096, 5 bytes queued", s, &o, buf, sizeof buf);
    dequeue("  packet?", 200);
    recv_call("WSARecv 4096, nothing queued", s, &o, buf, sizeof buf);
    dequeue("  packet before data?", 200);
    send(c, "abc", 3, 0);
    dequeue("  packet after 3 bytes sent", 1000);
    { WSABUF b = { 5, "world" }; DWORD sent = 0; memset(&o2, 0, sizeof o2);
      int r = WSASend(s, &b, 1, &sent, 0, &o2, NULL);
      printf("%-52s WSASend=%d error=%d bytes=%lu\n", "WSASend 5 bytes", r, r ? WSAGetLastError() : 0, sent);
      dequeue("  packet?", 200); }
    recv_call("zero-byte WSARecv, nothing queued", s, &o, buf, 0);
    dequeue("  packet before data?", 200);
    send(c, "xy", 2, 0);
    dequeue("  packet after 2 bytes sent", 1000);
    { int r = recv(s, buf, sizeof buf, 0); printf("%-52s recv=%d\n", "  nonblocking recv after it", r); }
    { int r = recv(s, buf, sizeof buf, 0); printf("%-52s recv=%d error=%d\n", "  again", r, WSAGetLastError()); }
    recv_call("WSARecv pending, then the peer's FIN", s, &o, buf, sizeof buf);
    shutdown(c, SD_SEND);
    dequeue("  packet after FIN", 1000);
    recv_call("WSARecv after FIN", s, &o, buf, sizeof buf);
    dequeue("  packet?", 200);
    closesocket(c); closesocket(s);
  }

  printf("-- zero-byte WSARecv and the FIN (skip set)\n");
  pair(&c, &s, 1);
  recv_call("zero-byte WSARecv pending", s, &o, buf, 0);
  shutdown(c, SD_SEND);
  dequeue("  packet after FIN", 1000);
  { int r = recv(s, buf, sizeof buf, 0); printf("%-52s recv=%d\n", "  nonblocking recv after it", r); }
  closesocket(c); closesocket(s);

  printf("-- RST with a WSARecv pending\n");
  pair(&c, &s, 1);
  recv_call("WSARecv pending", s, &o, buf, sizeof buf);
  { struct linger l = { 1, 0 }; setsockopt(c, SOL_SOCKET, SO_LINGER, (char*)&l, sizeof l); closesocket(c); }
  dequeue("  packet after RST", 1000);
  recv_call("WSARecv after RST", s, &o, buf, sizeof buf);
  dequeue("  packet?", 200);
  closesocket(s);

  printf("-- CancelIoEx of a pending WSARecv\n");
  pair(&c, &s, 1);
  recv_call("WSARecv pending", s, &o, buf, sizeof buf);
  printf("%-52s %d error=%lu\n", "CancelIoEx(s, &o)", CancelIoEx((HANDLE)s, &o), GetLastError());
  dequeue("  packet", 1000);
  send(c, "after", 5, 0); Sleep(100);
  recv_call("WSARecv after the cancel: data kept?", s, &o, buf, sizeof buf);
  dequeue("  packet?", 200);
  recv_call("WSARecv pending again", s, &o, buf, sizeof buf);
  printf("%-52s %d error=%lu\n", "CancelIoEx(s, NULL)", CancelIoEx((HANDLE)s, NULL), GetLastError());
  dequeue("  packet", 1000);

  printf("-- closesocket with a WSARecv pending\n");
  recv_call("WSARecv pending", s, &o, buf, sizeof buf);
  closesocket(s);
  dequeue("  packet after closesocket", 1000);
  closesocket(c);

  printf("-- WSASend pending: peer not reading\n");
  pair(&c, &s, 1);
  { static char big[1 << 20]; int pending = 0, i;
    for (i = 0; i < 64 && !pending; i++) {
      WSABUF b = { sizeof big, big }; DWORD sent = 0; memset(&o2, 0, sizeof o2);
      int r = WSASend(s, &b, 1, &sent, 0, &o2, NULL);
      if (r) { int e = WSAGetLastError(); printf("%-52s call %d: WSASend=%d error=%d\n", "1 MiB WSASends", i, r, e);
               pending = 1; }
    }
    dequeue("  packet while the peer does not read", 300);
    long long total = 0; DWORD start = GetTickCount();
    while (GetTickCount() - start < 3000) { int r = recv(c, big, sizeof big, 0); if (r > 0) total += r; else Sleep(1);
      OVERLAPPED_ENTRY e[1]; ULONG n = 0;
      if (GetQueuedCompletionStatusEx(port, e, 1, &n, 0, FALSE)) {
        printf("%-52s packet status=0x%lx bytes=%llu after the peer read %lld\n", "  completion",
               (unsigned long)e[0].lpOverlapped->Internal, (unsigned long long)e[0].lpOverlapped->InternalHigh, total);
        break; } }
  }
  closesocket(c); closesocket(s);
  return 0;
}
