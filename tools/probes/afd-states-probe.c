/* AFD poll states probe: what IOCTL_AFD_POLL reports for a FIN behind unread data, a peer reset and a refused
 * connect, and what recv / SO_ERROR say afterwards. Evidence for the Wine notes in AfdPollerReadinessTest.
 * Seen under Debian wine64 8.0:
 *   -- FIN behind 5 unread bytes
 *   poll with data unread              iosb=0x0 handles=1 events=0x5 status=0x0
 *   recv                               recv=5 error=0
 *   poll after drain                   iosb=0x0 handles=1 events=0xc status=0x0
 *   recv                               recv=0 error=0
 *   -- FIN alone, read poll issued after     (read poll: RECEIVE DISCONNECT ABORT LOCAL_CLOSE CONNECT_FAIL)
 *   read poll                          iosb=0x0 handles=1 events=0x8
 *   recv                               recv=0 error=0
 *   -- FIN alone, read poll pending before
 *   read poll                          iosb=0x0 handles=1 events=0x8
 *   recv                               recv=0 error=0
 *   -- 5 bytes then FIN, read poll pending before   (and the same with the poll issued after)
 *   read poll                          iosb=0x0 handles=1 events=0x1
 *   recv                               recv=5 error=0
 *   read poll after the recv           iosb=0x0 handles=1 events=0x8
 *   recv                               recv=0 error=0
 *   -- full send buffer (SO_SNDBUF = SO_RCVBUF = 16 KiB, 64 KiB sends until WSAEWOULDBLOCK, peer not reading)
 *   fill                               sent=65482 in 2 sends, last error=10035
 *   poll the full sender               nothing within 1 s (cancelled: iosb=0xc0000120)
 *   send after that poll               send=-1 error=10035
 *   -- peer reset (SO_LINGER 0 + close), polled first
 *   poll after reset                   iosb=0x0 handles=1 events=0x14 status=0x0
 *   recv                               recv=0 error=0
 *   recv again                         recv=0 error=0
 *   -- peer reset, not polled
 *   recv                               recv=0 error=0
 *   recv again                         recv=0 error=0
 *   -- connected UDP socket, one datagram to a closed port
 *   send                               send=1 error=0
 *   poll                               iosb=0x0 handles=1 events=0x4 status=0x0
 *   recv                               recv=-1 error=10035
 *   send                               send=1 error=0
 *   poll                               iosb=0x0 handles=1 events=0x104 status=0xc0000236
 *   recv                               recv=-1 error=10035
 *   -- connect to a closed port
 *   connect                            connect=-1 error=10035
 *   poll                               iosb=0x0 handles=1 events=0x100 status=0xc0000236
 *   getsockopt                         SO_ERROR=10061
 *   getsockopt again                   SO_ERROR=10061
 * Under Debian 13 wine64 10.0 (2026-11-23; the FIN sections 2026-12-01) everything is the same but for:
 *   -- full send buffer
 *   fill                               sent=65536 in 1 sends, last error=10035
 *   poll the full sender               iosb=0x0 handles=1 events=0x4 status=0x0
 *   send after that poll               send=65536 error=0
 *   -- peer reset (SO_LINGER 0 + close), polled first
 *   poll after reset                   iosb=0x0 handles=1 events=0x14 status=0x0
 *   recv                               recv=-1 error=10054
 *   -- peer reset, not polled
 *   recv                               recv=-1 error=10054
 * Build: x86_64-w64-mingw32-gcc -O1 -o /tmp/afd-states-probe.exe tools/probes/afd-states-probe.c -lws2_32 -lntdll
 * Run:   WINEDEBUG=-all WINEPREFIX=~/.cache/winloop/wineprefix-8.0 wine /tmp/afd-states-probe.exe
 *        (Wine 10: copy the .exe under ~/.cache/winloop, then run the same inside the chroot of
 *        tools/windows-runtime: chroot ~/.cache/winloop/wine10-root env WINEPREFIX=... wine ...) */
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#include <winternl.h>
#include <stdio.h>
#include <stdint.h>

#define IOCTL_AFD_POLL 0x00012024
#define ALL_EVENTS 0x1FF & ~0x40 /* everything but CONNECT */
typedef struct { HANDLE Handle; ULONG Events; NTSTATUS Status; } AFD_POLL_HANDLE_INFO;
typedef struct { LARGE_INTEGER Timeout; ULONG NumberOfHandles; ULONG Exclusive; AFD_POLL_HANDLE_INFO Handles[1]; } AFD_POLL_INFO;
typedef NTSTATUS (NTAPI *NtDeviceIoControlFile_t)(HANDLE, HANDLE, PVOID, PVOID, PIO_STATUS_BLOCK, ULONG, PVOID, ULONG, PVOID, ULONG);
typedef NTSTATUS (NTAPI *NtCreateFile_t)(PHANDLE, ACCESS_MASK, POBJECT_ATTRIBUTES, PIO_STATUS_BLOCK, PLARGE_INTEGER, ULONG, ULONG, ULONG, ULONG, PVOID, ULONG);
typedef NTSTATUS (NTAPI *NtCancelIoFileEx_t)(HANDLE, PIO_STATUS_BLOCK, PIO_STATUS_BLOCK);

static NtDeviceIoControlFile_t pIoctl;
static NtCancelIoFileEx_t pCancel;
static HANDLE port, afd;
static struct sockaddr_in la;
static SOCKET ls;

static ULONG poll_events = ALL_EVENTS;

/* One poll of s for poll_events (ALL_EVENTS unless a section changes it), waiting up to 1 s; prints what came back. */
static void poll1(const char *what, SOCKET s) {
  static AFD_POLL_INFO pi; static IO_STATUS_BLOCK iosb; IO_STATUS_BLOCK cio;
  SOCKET base = s; DWORD bytes;
  WSAIoctl(s, 0x48000022, NULL, 0, &base, sizeof base, &bytes, NULL, NULL);
  pi.Timeout.QuadPart = INT64_MAX; pi.NumberOfHandles = 1; pi.Exclusive = 0;
  pi.Handles[0].Handle = (HANDLE)base; pi.Handles[0].Events = poll_events; pi.Handles[0].Status = 0;
  iosb.Status = STATUS_PENDING;
  pIoctl(afd, NULL, NULL, &iosb, &iosb, IOCTL_AFD_POLL, &pi, sizeof pi, &pi, sizeof pi);
  OVERLAPPED_ENTRY e[4]; ULONG n = 0;
  if (!GetQueuedCompletionStatusEx(port, e, 4, &n, 1000, FALSE)) {
    pCancel(afd, &iosb, &cio);
    GetQueuedCompletionStatusEx(port, e, 4, &n, 1000, FALSE);
    printf("%-34s nothing within 1 s (cancelled: iosb=0x%lx)\n", what, (unsigned long)iosb.Status);
    return;
  }
  printf("%-34s iosb=0x%lx handles=%lu events=0x%lx status=0x%lx\n", what, (unsigned long)iosb.Status,
         pi.NumberOfHandles, pi.Handles[0].Events, (unsigned long)pi.Handles[0].Status);
}

static void pair(SOCKET *c, SOCKET *s) {
  *c = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  connect(*c, (struct sockaddr*)&la, sizeof la);
  *s = accept(ls, NULL, NULL);
  u_long nb = 1; ioctlsocket(*s, FIONBIO, &nb); ioctlsocket(*c, FIONBIO, &nb);
}

/* A poll for Winloop's read interest started before the peer acts, then reaped (up to 1 s): what a pending poll
 * completes with when the event happens while it waits. */
#define READ_EVENTS (0x1 | 0x8 | 0x10 | 0x20 | 0x100) /* RECEIVE DISCONNECT ABORT LOCAL_CLOSE CONNECT_FAIL */
static AFD_POLL_INFO ppi; static IO_STATUS_BLOCK piosb;
static void poll_start(SOCKET s) {
  SOCKET base = s; DWORD bytes;
  WSAIoctl(s, 0x48000022, NULL, 0, &base, sizeof base, &bytes, NULL, NULL);
  ppi.Timeout.QuadPart = INT64_MAX; ppi.NumberOfHandles = 1; ppi.Exclusive = 0;
  ppi.Handles[0].Handle = (HANDLE)base; ppi.Handles[0].Events = READ_EVENTS; ppi.Handles[0].Status = 0;
  piosb.Status = STATUS_PENDING;
  pIoctl(afd, NULL, NULL, &piosb, &piosb, IOCTL_AFD_POLL, &ppi, sizeof ppi, &ppi, sizeof ppi);
}
static void poll_finish(const char *what) {
  OVERLAPPED_ENTRY e[4]; ULONG n = 0; IO_STATUS_BLOCK cio;
  if (!GetQueuedCompletionStatusEx(port, e, 4, &n, 1000, FALSE)) {
    pCancel(afd, &piosb, &cio); GetQueuedCompletionStatusEx(port, e, 4, &n, 1000, FALSE);
    printf("%-34s nothing within 1 s\n", what); return;
  }
  printf("%-34s iosb=0x%lx handles=%lu events=0x%lx\n", what, (unsigned long)piosb.Status, ppi.NumberOfHandles,
         ppi.Handles[0].Events);
}

static void recv1(const char *what, SOCKET s) {
  char b[64]; int r = recv(s, b, sizeof b, 0);
  printf("%-34s recv=%d error=%d\n", what, r, r < 0 ? WSAGetLastError() : 0);
}

static void soerror(const char *what, SOCKET s) {
  int v = -1, len = sizeof v; getsockopt(s, SOL_SOCKET, SO_ERROR, (char*)&v, &len);
  printf("%-34s SO_ERROR=%d\n", what, v);
}

int main(void) {
  WSADATA w; WSAStartup(MAKEWORD(2,2), &w);
  HMODULE nt = GetModuleHandleA("ntdll.dll");
  pIoctl = (NtDeviceIoControlFile_t)GetProcAddress(nt, "NtDeviceIoControlFile");
  pCancel = (NtCancelIoFileEx_t)GetProcAddress(nt, "NtCancelIoFileEx");
  NtCreateFile_t pCreate = (NtCreateFile_t)GetProcAddress(nt, "NtCreateFile");
  port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 0);
  UNICODE_STRING name; WCHAR buf[] = L"\\Device\\Afd\\Probe";
  name.Buffer = buf; name.Length = sizeof(buf) - 2; name.MaximumLength = sizeof(buf);
  OBJECT_ATTRIBUTES oa; InitializeObjectAttributes(&oa, &name, 0, NULL, NULL);
  IO_STATUS_BLOCK iosb;
  if (pCreate(&afd, SYNCHRONIZE, &oa, &iosb, NULL, 0, FILE_SHARE_READ|FILE_SHARE_WRITE, FILE_OPEN, 0, NULL, 0)) return 1;
  CreateIoCompletionPort(afd, port, 0, 0);
  SetFileCompletionNotificationModes(afd, FILE_SKIP_SET_EVENT_ON_HANDLE);
  ls = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  la.sin_family = AF_INET; la.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(ls, (struct sockaddr*)&la, sizeof la); listen(ls, 16);
  int alen = sizeof la; getsockname(ls, (struct sockaddr*)&la, &alen);
  SOCKET c, s;

  printf("-- FIN behind 5 unread bytes\n");
  pair(&c, &s); send(c, "hello", 5, 0); shutdown(c, SD_SEND); Sleep(100);
  poll1("poll with data unread", s);
  recv1("recv", s);
  poll1("poll after drain", s);
  recv1("recv", s);
  closesocket(c); closesocket(s);

  /* Whether a read poll's DISCONNECT without RECEIVE proves nothing is queued (Winloop then skips the recv that
   * would read end of stream): FIN alone, FIN behind data, each with the poll issued after or pending before. */
  printf("-- FIN alone, read poll issued after\n");
  pair(&c, &s); shutdown(c, SD_SEND); Sleep(100);
  poll_start(s); poll_finish("read poll");
  recv1("recv", s);
  closesocket(c); closesocket(s);
  printf("-- FIN alone, read poll pending before\n");
  pair(&c, &s); poll_start(s); Sleep(50); shutdown(c, SD_SEND);
  poll_finish("read poll");
  recv1("recv", s);
  closesocket(c); closesocket(s);
  printf("-- 5 bytes then FIN, read poll pending before\n");
  pair(&c, &s); poll_start(s); Sleep(50); send(c, "hello", 5, 0); shutdown(c, SD_SEND); Sleep(100);
  poll_finish("read poll");
  recv1("recv", s);
  poll_start(s); poll_finish("read poll after the recv");
  recv1("recv", s);
  closesocket(c); closesocket(s);
  printf("-- 5 bytes then FIN, read poll issued after\n");
  pair(&c, &s); send(c, "hello", 5, 0); shutdown(c, SD_SEND); Sleep(100);
  poll_start(s); poll_finish("read poll");
  recv1("recv", s);
  poll_start(s); poll_finish("read poll after the recv");
  recv1("recv", s);
  closesocket(c); closesocket(s);

  printf("-- full send buffer (SO_SNDBUF = SO_RCVBUF = 16 KiB, 64 KiB sends until WSAEWOULDBLOCK, peer not reading)\n");
  pair(&c, &s);
  { int sz = 16 * 1024; static char chunk[64 * 1024]; long total = 0; int r, sends = 0;
    setsockopt(c, SOL_SOCKET, SO_SNDBUF, (char*)&sz, sizeof sz); setsockopt(s, SOL_SOCKET, SO_RCVBUF, (char*)&sz, sizeof sz);
    while ((r = send(c, chunk, sizeof chunk, 0)) > 0 && total < (256L << 20)) { total += r; sends++; }
    printf("%-34s sent=%ld in %d sends, last error=%d\n", "fill", total, sends, r < 0 ? WSAGetLastError() : 0);
    poll1("poll the full sender", c);
    r = send(c, chunk, sizeof chunk, 0);
    printf("%-34s send=%d error=%d\n", "send after that poll", r, r < 0 ? WSAGetLastError() : 0);
    poll1("poll again", c);
    r = send(c, chunk, sizeof chunk, 0);
    printf("%-34s send=%d error=%d\n", "send after that poll", r, r < 0 ? WSAGetLastError() : 0); }
  closesocket(c); closesocket(s);

  printf("-- peer reset (SO_LINGER 0 + close), polled first\n");
  pair(&c, &s);
  struct linger lg = {1, 0}; setsockopt(c, SOL_SOCKET, SO_LINGER, (char*)&lg, sizeof lg); closesocket(c); Sleep(100);
  poll1("poll after reset", s);
  recv1("recv", s);
  recv1("recv again", s);
  closesocket(s);

  printf("-- peer reset, not polled\n");
  pair(&c, &s);
  setsockopt(c, SOL_SOCKET, SO_LINGER, (char*)&lg, sizeof lg); closesocket(c); Sleep(100);
  recv1("recv", s);
  recv1("recv again", s);
  closesocket(s);

  printf("-- connected UDP socket, one datagram to a closed port\n");
  { SOCKET t = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP); struct sockaddr_in ua = la; ua.sin_port = 0;
    bind(t, (struct sockaddr*)&ua, sizeof ua); alen = sizeof ua; getsockname(t, (struct sockaddr*)&ua, &alen); closesocket(t);
    SOCKET u = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP); u_long nb = 1; ioctlsocket(u, FIONBIO, &nb);
    connect(u, (struct sockaddr*)&ua, sizeof ua);
    int r = send(u, "x", 1, 0); printf("%-34s send=%d error=%d\n", "send", r, r < 0 ? WSAGetLastError() : 0);
    Sleep(100);
    poll1("poll", u);
    recv1("recv", u);
    r = send(u, "x", 1, 0); printf("%-34s send=%d error=%d\n", "send", r, r < 0 ? WSAGetLastError() : 0);
    Sleep(100);
    poll1("poll", u);
    recv1("recv", u);
    closesocket(u); }

  printf("-- connected UDP socket, a read poll (RECEIVE|ABORT|LOCAL_CLOSE|CONNECT_FAIL) pending while two datagrams go to a closed port\n");
  { SOCKET t = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP); struct sockaddr_in ua = la; ua.sin_port = 0;
    bind(t, (struct sockaddr*)&ua, sizeof ua); alen = sizeof ua; getsockname(t, (struct sockaddr*)&ua, &alen); closesocket(t);
    SOCKET u = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP); u_long nb = 1; ioctlsocket(u, FIONBIO, &nb);
    connect(u, (struct sockaddr*)&ua, sizeof ua);
    static AFD_POLL_INFO pi; static IO_STATUS_BLOCK piosb; SOCKET base = u; DWORD bytes;
    WSAIoctl(u, 0x48000022, NULL, 0, &base, sizeof base, &bytes, NULL, NULL);
    pi.Timeout.QuadPart = INT64_MAX; pi.NumberOfHandles = 1; pi.Exclusive = 0;
    pi.Handles[0].Handle = (HANDLE)base; pi.Handles[0].Events = 0x1 | 0x10 | 0x20 | 0x100; pi.Handles[0].Status = 0;
    piosb.Status = STATUS_PENDING;
    pIoctl(afd, NULL, NULL, &piosb, &piosb, IOCTL_AFD_POLL, &pi, sizeof pi, &pi, sizeof pi);
    for (int i = 0; i < 3; i++) {
      int r = send(u, "x", 1, 0); printf("%-34s send=%d error=%d\n", "send", r, r < 0 ? WSAGetLastError() : 0);
      Sleep(200);
      OVERLAPPED_ENTRY e[4]; ULONG n = 0;
      if (GetQueuedCompletionStatusEx(port, e, 4, &n, 0, FALSE)) {
        printf("%-34s iosb=0x%lx events=0x%lx status=0x%lx\n", "pending poll completed", (unsigned long)piosb.Status,
               pi.Handles[0].Events, (unsigned long)pi.Handles[0].Status);
        break;
      }
      printf("%-34s still pending\n", "pending poll");
    }
    recv1("recv", u);
    closesocket(u); Sleep(100); { OVERLAPPED_ENTRY e[4]; ULONG n = 0; GetQueuedCompletionStatusEx(port, e, 4, &n, 100, FALSE); } }

  printf("-- connect to a closed port\n");
  SOCKET t = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  struct sockaddr_in ca = la; ca.sin_port = 0; bind(t, (struct sockaddr*)&ca, sizeof ca);
  alen = sizeof ca; getsockname(t, (struct sockaddr*)&ca, &alen); closesocket(t);
  c = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  u_long nb = 1; ioctlsocket(c, FIONBIO, &nb);
  int r = connect(c, (struct sockaddr*)&ca, sizeof ca);
  printf("%-34s connect=%d error=%d\n", "connect", r, r ? WSAGetLastError() : 0);
  poll1("poll", c);
  soerror("getsockopt", c);
  soerror("getsockopt again", c);
  closesocket(c);
  return 0;
}
