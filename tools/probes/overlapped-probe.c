/* Overlapped I/O on a loop's completion port: what Winloop's overlapped mechanism and its TransmitFile path rely on.
 *  1. A handle associated with port A: can CreateIoCompletionPort move it to port B (no: ERROR_INVALID_PARAMETER on
 *     Windows), and does NtSetInformationFile(FileReplaceCompletionInformation = 61) replace the port (Windows 8.1+)
 *     or remove it (Port = NULL)? Where does the next completion go?
 *  2. TransmitFile: exported by mswsock and through SIO_GET_EXTENSION_FUNCTION_POINTER(WSAID_TRANSMITFILE); overlapped
 *     on a NONBLOCKING socket (Winloop's sockets are) associated with the port; a synchronous success still posts a
 *     packet; the OVERLAPPED offset is honoured for a file opened without FILE_FLAG_OVERLAPPED (the JDK's
 *     FileChannel opens files that way) and the file pointer is left alone; CancelIoEx while the peer does not
 *     read; a count of more than 2^31-2 bytes (TransmitFile's documented maximum per call).
 * Seen under Debian wine64 8.0 and Debian 13 wine64 10.0 (2026-11-30), identical unless marked:
 *   associate with B by CreateIoCompletionPort  failed error=87 (ERROR_INVALID_PARAMETER, as on Windows)
 *   replace with B (key 4), class 61            status=0xc0000002 (STATUS_NOT_IMPLEMENTED); the next read
 *                                               completes on A with key 2
 *   remove (Port NULL), class 61                status=0xc0000002; associate with A again: error=87
 *   WSAID_TRANSMITFILE                          pointer=yes; exported mswsock!TransmitFile=yes (not the same
 *                                               pointer: mswsock's export forwards to ws2_32's)
 *   100 bytes at 1000, sync file, nonblocking s ok=0 error=997 (WSA_IO_PENDING), then a packet: status=0x0
 *                                               bytes=100; the peer gets bytes 1000..1099; file pointer stays 0
 *   64 MiB, peer not reading                    pending; no completion until the peer reads, then bytes=67108864
 *   64 MiB again, then CancelIoEx(s, &ov)       Wine 8.0: ok; completion status=0xc0000120 (STATUS_CANCELLED)
 *                                               bytes=4653056 = what the peer received (a partial count)
 *                                               Wine 10.0: failed error=1168 (ERROR_NOT_FOUND); the transfer
 *                                               went on and completed with bytes=67108864 once the peer read
 *   count 2^31 on a 64 MiB file                 completes at end of file: bytes=67108864
 *   64 MiB, then closesocket                    no completion within 2 s (Wine 8.0 once reported 0xc0000024 at
 *                                               once); after the peer's close too: status=0xc0000008
 *                                               (STATUS_INVALID_HANDLE) bytes=0
 *   64 MiB, then CancelIoEx(s, NULL)            ok under both; completion STATUS_CANCELLED bytes=2883584
 * So: a handle moves between ports nowhere under Wine; cancel a transmission by handle (NULL), before closesocket.
 * Build: x86_64-w64-mingw32-gcc -O1 -o ~/.cache/winloop/overlapped-probe.exe tools/probes/overlapped-probe.c -lws2_32 -lmswsock -lntdll
 * Run:   WINEDEBUG=-all WINEPREFIX=~/.cache/winloop/wineprefix-8.0 wine ~/.cache/winloop/overlapped-probe.exe
 *        chroot ~/.cache/winloop/wine10-root env WINEDEBUG=-all WINEPREFIX=$HOME/.cache/winloop/wineprefix-10.0 \
 *          wine $HOME/.cache/winloop/overlapped-probe.exe
 * RESULTS */
#include <winsock2.h>
#include <ws2tcpip.h>
#include <mswsock.h>
#include <windows.h>
#include <winternl.h>
#include <stdio.h>
#include <stdint.h>

typedef NTSTATUS (NTAPI *NtSetInformationFile_t)(HANDLE, PIO_STATUS_BLOCK, PVOID, ULONG, ULONG);
typedef struct { HANDLE Port; PVOID Key; } FILE_COMPLETION_INFO;
static NtSetInformationFile_t pSet;
static struct sockaddr_in la;
static SOCKET ls;

static void dequeue(const char *what, HANDLE port, DWORD ms) {
  OVERLAPPED_ENTRY e[4]; ULONG n = 0;
  if (!GetQueuedCompletionStatusEx(port, e, 4, &n, ms, FALSE)) {
    printf("%-44s nothing within %lu ms (error %lu)\n", what, ms, GetLastError());
    return;
  }
  for (ULONG i = 0; i < n; i++) {
    OVERLAPPED *o = e[i].lpOverlapped;
    printf("%-44s key=%llu status=0x%lx bytes=%llu entryBytes=%lu\n", what, (unsigned long long)e[i].lpCompletionKey,
           o ? (unsigned long)o->Internal : 0, o ? (unsigned long long)o->InternalHigh : 0,
           e[i].dwNumberOfBytesTransferred);
  }
}

static HANDLE temp_file(const char *name, DWORD flags, long long size) {
  HANDLE f = CreateFileA(name, GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                         NULL, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL | flags, NULL);
  if (f == INVALID_HANDLE_VALUE) { printf("CreateFile(%s) failed %lu\n", name, GetLastError()); exit(1); }
  if (size > 0) {
    static char chunk[1 << 16];
    for (int i = 0; i < (int)sizeof chunk; i++) chunk[i] = (char)(i * 7 + 3);
    if (!(flags & FILE_FLAG_OVERLAPPED)) {
      for (long long done = 0; done < size; ) {
        DWORD w = 0, want = (DWORD)(size - done < (long long)sizeof chunk ? size - done : (long long)sizeof chunk);
        WriteFile(f, chunk, want, &w, NULL); done += w;
      }
      SetFilePointer(f, 0, NULL, FILE_BEGIN);
    } else {
      LARGE_INTEGER li; li.QuadPart = size; SetFilePointerEx(f, li, NULL, FILE_BEGIN); SetEndOfFile(f);
    }
  }
  return f;
}

static void pair(SOCKET *c, SOCKET *s) {
  *c = WSASocketW(AF_INET, SOCK_STREAM, IPPROTO_TCP, NULL, 0, WSA_FLAG_OVERLAPPED);
  connect(*c, (struct sockaddr*)&la, sizeof la);
  *s = accept(ls, NULL, NULL); /* inherits the listener's WSA_FLAG_OVERLAPPED */
  u_long nb = 1; ioctlsocket(*s, FIONBIO, &nb); ioctlsocket(*c, FIONBIO, &nb);
}

static long long drain(SOCKET s, int ms, unsigned char *first, int firstLen) {
  static char b[1 << 16]; long long total = 0; DWORD start = GetTickCount();
  while (GetTickCount() - start < (DWORD)ms) {
    int r = recv(s, b, sizeof b, 0);
    if (r > 0) { if (total == 0 && first) memcpy(first, b, r < firstLen ? r : firstLen); total += r; start = GetTickCount(); }
    else if (r == 0) break; else Sleep(1);
  }
  return total;
}

int main(void) {
  WSADATA w; WSAStartup(MAKEWORD(2,2), &w);
  pSet = (NtSetInformationFile_t)GetProcAddress(GetModuleHandleA("ntdll.dll"), "NtSetInformationFile");
  HANDLE a = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 1);
  HANDLE b = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 1);
  IO_STATUS_BLOCK iosb; NTSTATUS st; char buf[16]; DWORD n;

  printf("-- 1. moving a handle between ports\n");
  HANDLE f = temp_file("overlapped-probe-1.tmp", FILE_FLAG_OVERLAPPED, 4096);
  printf("%-44s %s\n", "associate with A (key 2)", CreateIoCompletionPort(f, a, 2, 0) ? "ok" : "failed");
  { HANDLE p = CreateIoCompletionPort(f, b, 3, 0); DWORD e = GetLastError();
    printf("%-44s %s error=%lu\n", "associate with B by CreateIoCompletionPort", p ? "ok" : "failed", e); }
  FILE_COMPLETION_INFO info = { b, (PVOID)4 };
  st = pSet(f, &iosb, &info, sizeof info, 61);
  printf("%-44s status=0x%lx\n", "replace with B (key 4), class 61", (unsigned long)st);
  OVERLAPPED o1 = {0};
  if (!ReadFile(f, buf, sizeof buf, &n, &o1) && GetLastError() != ERROR_IO_PENDING) printf("ReadFile failed %lu\n", GetLastError());
  dequeue("read completion on A?", a, 200);
  dequeue("read completion on B?", b, 200);
  FILE_COMPLETION_INFO none = { NULL, 0 };
  st = pSet(f, &iosb, &none, sizeof none, 61);
  printf("%-44s status=0x%lx\n", "remove (Port NULL), class 61", (unsigned long)st);
  { HANDLE p = CreateIoCompletionPort(f, a, 5, 0); DWORD e = GetLastError();
    printf("%-44s %s error=%lu\n", "associate with A again (key 5)", p ? "ok" : "failed", e); }
  OVERLAPPED o2 = {0};
  if (!ReadFile(f, buf, sizeof buf, &n, &o2) && GetLastError() != ERROR_IO_PENDING) printf("ReadFile failed %lu\n", GetLastError());
  dequeue("read completion on A?", a, 200);
  dequeue("read completion on B?", b, 200);
  st = pSet(f, &iosb, &info, 8, 61);
  printf("%-44s status=0x%lx\n", "class 61 with a short buffer", (unsigned long)st);
  CloseHandle(f); DeleteFileA("overlapped-probe-1.tmp");

  printf("-- 2. TransmitFile\n");
  ls = WSASocketW(AF_INET, SOCK_STREAM, IPPROTO_TCP, NULL, 0, WSA_FLAG_OVERLAPPED);
  la.sin_family = AF_INET; la.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(ls, (struct sockaddr*)&la, sizeof la); listen(ls, 16);
  int alen = sizeof la; getsockname(ls, (struct sockaddr*)&la, &alen);
  LPFN_TRANSMITFILE viaIoctl = NULL; GUID guid = WSAID_TRANSMITFILE; DWORD got = 0;
  SOCKET c, s; pair(&c, &s);
  int r = WSAIoctl(s, SIO_GET_EXTENSION_FUNCTION_POINTER, &guid, sizeof guid, &viaIoctl, sizeof viaIoctl, &got, NULL, NULL);
  HMODULE mswsock = LoadLibraryA("mswsock.dll");
  void *exported = mswsock ? (void*)GetProcAddress(mswsock, "TransmitFile") : NULL;
  printf("%-44s r=%d error=%d pointer=%s; exported=%s; same=%s\n", "WSAID_TRANSMITFILE", r, r ? WSAGetLastError() : 0,
         viaIoctl ? "yes" : "no", exported ? "yes" : "no", viaIoctl == exported ? "yes" : "no");
  LPFN_TRANSMITFILE tf = viaIoctl ? viaIoctl : (LPFN_TRANSMITFILE)exported;
  CreateIoCompletionPort((HANDLE)s, a, 2, 0);

  /* small file, synchronous handle, offset 1000, 100 bytes */
  HANDLE sf = temp_file("overlapped-probe-2.tmp", 0, 4096);
  LARGE_INTEGER zero = {0}, pos; SetFilePointerEx(sf, zero, &pos, FILE_CURRENT);
  OVERLAPPED o3 = {0}; o3.Offset = 1000;
  BOOL ok = tf(s, sf, 100, 0, &o3, NULL, 0);
  printf("%-44s ok=%d error=%d\n", "100 bytes at 1000, sync file, nonblocking s", ok, ok ? 0 : WSAGetLastError());
  dequeue("its completion", a, 2000);
  unsigned char first[4] = {0};
  long long rcv = drain(c, 300, first, 4);
  LARGE_INTEGER pos2; SetFilePointerEx(sf, zero, &pos2, FILE_CURRENT);
  printf("%-44s received=%lld first=%02x%02x (expected %02x%02x) file pointer %lld -> %lld\n", "peer", rcv,
         first[0], first[1], (unsigned char)(1000 * 7 + 3), (unsigned char)(1001 * 7 + 3), pos.QuadPart, pos2.QuadPart);

  /* 64 MiB while the peer does not read, then drain */
  HANDLE big = temp_file("overlapped-probe-3.tmp", 0, 64LL << 20);
  OVERLAPPED o4 = {0};
  ok = tf(s, big, 64 << 20, 0, &o4, NULL, 0);
  printf("%-44s ok=%d error=%d\n", "64 MiB, peer not reading", ok, ok ? 0 : WSAGetLastError());
  dequeue("completion before the peer reads", a, 300);
  rcv = drain(c, 1000, NULL, 0);
  dequeue("completion after the peer read", a, 2000);
  printf("%-44s received=%lld\n", "peer", rcv);

  /* cancel */
  OVERLAPPED o5 = {0};
  ok = tf(s, big, 64 << 20, 0, &o5, NULL, 0);
  printf("%-44s ok=%d error=%d\n", "64 MiB again, then CancelIoEx", ok, ok ? 0 : WSAGetLastError());
  Sleep(100);
  { BOOL c1 = CancelIoEx((HANDLE)s, &o5); DWORD e = GetLastError();
    printf("%-44s %s error=%lu\n", "CancelIoEx", c1 ? "ok" : "failed", c1 ? 0 : e); }
  dequeue("cancelled completion", a, 2000);
  rcv = drain(c, 500, NULL, 0);
  printf("%-44s received=%lld\n", "peer after the cancel", rcv);
  { BOOL c1 = CancelIoEx((HANDLE)s, &o5); DWORD e = GetLastError();
    printf("%-44s %s error=%lu\n", "CancelIoEx with nothing in flight", c1 ? "ok" : "failed", c1 ? 0 : e); }

  /* count above 2^31-2 */
  OVERLAPPED o6 = {0};
  ok = tf(s, big, 0x80000000u, 0, &o6, NULL, 0);
  printf("%-44s ok=%d error=%d\n", "count 2^31 (file 64 MiB)", ok, ok ? 0 : WSAGetLastError());
  if (ok || WSAGetLastError() == WSA_IO_PENDING) { rcv = drain(c, 1000, NULL, 0); dequeue("its completion", a, 2000);
    printf("%-44s received=%lld\n", "peer", rcv); }

  /* closing the socket with a transmission in flight */
  OVERLAPPED o7 = {0};
  ok = tf(s, big, 64 << 20, 0, &o7, NULL, 0);
  printf("%-44s ok=%d error=%d\n", "64 MiB, then closesocket", ok, ok ? 0 : WSAGetLastError());
  Sleep(100);
  closesocket(s);
  dequeue("completion after closesocket", a, 2000);
  closesocket(c);
  dequeue("completion after the peer's close too", a, 2000);

  /* the other ways to stop a transmission: CancelIoEx(NULL) (every operation on the handle), CancelIo */
  pair(&c, &s); CreateIoCompletionPort((HANDLE)s, a, 2, 0);
  OVERLAPPED o8 = {0};
  ok = tf(s, big, 64 << 20, 0, &o8, NULL, 0);
  printf("%-44s ok=%d error=%d\n", "64 MiB, then CancelIoEx(s, NULL)", ok, ok ? 0 : WSAGetLastError());
  Sleep(100);
  { BOOL c1 = CancelIoEx((HANDLE)s, NULL); DWORD e = GetLastError();
    printf("%-44s %s error=%lu\n", "CancelIoEx(NULL)", c1 ? "ok" : "failed", c1 ? 0 : e); }
  dequeue("its completion", a, 2000);
  { BOOL c1 = CancelIo((HANDLE)s); DWORD e = GetLastError();
    printf("%-44s %s error=%lu\n", "CancelIo", c1 ? "ok" : "failed", c1 ? 0 : e); }
  dequeue("its completion", a, 2000);
  { int sh = shutdown(s, SD_BOTH); printf("%-44s %d error=%d\n", "shutdown(SD_BOTH)", sh, sh ? WSAGetLastError() : 0); }
  dequeue("its completion", a, 2000);
  { LINGER lg = {1, 0}; setsockopt(s, SOL_SOCKET, SO_LINGER, (char*)&lg, sizeof lg); }
  closesocket(s);
  dequeue("after an abortive closesocket (SO_LINGER 0)", a, 2000);
  rcv = drain(c, 500, NULL, 0);
  printf("%-44s received=%lld\n", "peer", rcv);
  dequeue("after the peer drained", a, 2000);
  closesocket(c);
  dequeue("after the peer closed", a, 2000);
  CloseHandle(sf); CloseHandle(big);
  DeleteFileA("overlapped-probe-2.tmp"); DeleteFileA("overlapped-probe-3.tmp");
  return 0;
}
