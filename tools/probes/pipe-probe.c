/* Named pipe probe: what overlapped named pipes do on a completion port, the evidence behind Winloop's pipe
 * channels (WinloopNamedPipeServerChannel / WinloopNamedPipeChannel) and the notes in their tests.
 * Each line: what was done, the call's result and GetLastError(), then what the port delivered
 * (ok = the packet's GetQueuedCompletionStatus result, bytes, err = GetLastError() for a failed packet).
 * Debian wine64 8.0 and Debian 13 wine64 10.0 (2026-11-30) print the same (but for timings):
 *  - FILE_FLAG_FIRST_PIPE_INSTANCE is NOT enforced: a second "first instance" of a name in use succeeds (Windows
 *    fails it with ERROR_ACCESS_DENIED, 5). WaitNamedPipeW(name, 1) tells an existing name (TRUE, or
 *    ERROR_SEM_TIMEOUT 121 when all instances are busy) from a free one (ERROR_FILE_NOT_FOUND, 2), so Winloop checks
 *    that before creating its first instance as well.
 *  - nMaxInstances of a later instance is not checked against the first instance's (Windows: ERROR_PIPE_BUSY).
 *  - The SDDL is applied and reads back as given (GetSecurityInfo: O:<token owner>D:P(A;;GA;;;SY)...), but the DACL
 *    is not enforced: a pipe granting only SYSTEM is opened by this user. Tests can read the descriptor back; only
 *    Windows can show a client being refused.
 *  - ConnectNamedPipe: ERROR_IO_PENDING (997) then one packet (ok, 0 bytes) when a client opens; when the client
 *    came first: ERROR_PIPE_CONNECTED (535) and no packet, as Windows documents.
 *  - Client: CreateFileW with every instance taken fails ERROR_PIPE_BUSY (231); WaitNamedPipeW then times out with
 *    ERROR_SEM_TIMEOUT (121), or returns TRUE at once when an instance listens; a missing name: ERROR_FILE_NOT_FOUND
 *    (2) from both.
 *  - ReadFile / WriteFile on an overlapped handle that complete at once return TRUE and STILL post a packet (no
 *    FILE_SKIP_COMPLETION_PORT_ON_SUCCESS set): the OVERLAPPED stays the kernel's until that packet is dequeued.
 *  - A zero-byte ReadFile stays pending until data arrives, then completes with 0 bytes (the data is left unread):
 *    usable as readiness, as libuv does.
 *  - A 256 KiB WriteFile with the reader idle stays pending (no packet) until the reader took it all, then completes
 *    with all 262144 bytes: a byte-mode pipe write completes whole, never partially.
 *  - End of stream: a read after the peer closed fails at once with ERROR_BROKEN_PIPE (109), a write with
 *    ERROR_NO_DATA (232); a read pending when the peer closes completes with STATUS_PIPE_BROKEN (0xc000014b, 109).
 *  - CancelIoEx of a pending read or ConnectNamedPipe: a packet with ERROR_OPERATION_ABORTED (995,
 *    STATUS_CANCELLED). CloseHandle of a handle with a read pending: packet STATUS_PIPE_BROKEN; with a connect
 *    pending: packet status 0x8000000a (Win32 676). Either way a packet comes, so blocks can be freed on it.
 *  - CancelIoEx of a pending 256 KiB write after the reader took 64 KiB of it (2026-12-06, both Wines): the packet
 *    says STATUS_CANCELLED with 0 bytes, and the rest is dropped (nothing left for the reader). The writer cannot
 *    tell what was delivered, so writing the data again would repeat what was read: Winloop never cancels a pipe
 *    write it means to finish (a channel moving to another loop waits for its write instead).
 *  - DisconnectNamedPipe with a client connected: the client's pending read completes with STATUS_PIPE_DISCONNECTED
 *    (0xc00000b0, ERROR_PIPE_NOT_CONNECTED 233), its writes fail with 233; the instance can ConnectNamedPipe again.
 *  - The client closing while the server has a write bigger than the pipe buffer and a read pending: both complete
 *    with STATUS_PIPE_BROKEN (two packets).
 *  - FileReplaceCompletionInformation (NtSetInformationFile class 61, moving a connected instance to another port):
 *    STATUS_NOT_IMPLEMENTED (0xc0000002); CreateIoCompletionPort on a second port: ERROR_INVALID_PARAMETER (87), and
 *    the packets keep going to the first port. Hence, where that move fails (PipeAcceptMode probes it),
 *    WinloopNamedPipeServerChannel's listening instances wait on events (PipeAcceptor) and are first associated by
 *    the loop that serves the accepted pipe.
 *  - FlushFileBuffers after the client read everything returns at once (with unread data Windows blocks until it
 *    is read: Winloop never calls it on the loop).
 * Build: x86_64-w64-mingw32-gcc -O1 -o /tmp/pipe-probe.exe tools/probes/pipe-probe.c -ladvapi32
 * Run:   WINEDEBUG=-all WINEPREFIX=~/.cache/winloop/wineprefix-8.0 wine /tmp/pipe-probe.exe
 *        (Wine 10: put the .exe under ~/.cache/winloop, then run it inside the chroot of tools/windows-runtime:
 *        chroot ~/.cache/winloop/wine10-root env WINEPREFIX=~/.cache/winloop/wineprefix-10.0 wine ...) */
#include <windows.h>
#include <sddl.h>
#include <aclapi.h>
#include <stdio.h>

#define NAME L"\\\\.\\pipe\\winloop-probe"
#define MODE (PIPE_TYPE_BYTE | PIPE_READMODE_BYTE | PIPE_WAIT | PIPE_REJECT_REMOTE_CLIENTS)
#define OPEN_MODE (PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED)
static HANDLE port;

static void call(const char *what, BOOL ok) {
  printf("%-48s ret=%d err=%lu\n", what, ok, ok ? 0UL : GetLastError());
}

/* Waits up to ms for one packet and prints it; returns the OVERLAPPED it carried (NULL: none). */
static OVERLAPPED *reap(const char *what, DWORD ms) {
  DWORD bytes = 0; ULONG_PTR key = 0; OVERLAPPED *ov = NULL;
  BOOL ok = GetQueuedCompletionStatus(port, &bytes, &key, &ov, ms);
  DWORD err = ok ? 0 : GetLastError();
  if (!ok && ov == NULL) { printf("  %-46s no packet within %lu ms (err=%lu)\n", what, ms, err); return NULL; }
  printf("  %-46s packet ok=%d key=%lu bytes=%lu err=%lu internal=0x%lx\n", what, ok, (unsigned long)key, bytes,
         err, (unsigned long)ov->Internal);
  return ov;
}

static HANDLE server(DWORD extra, const char *what, SECURITY_ATTRIBUTES *sa) {
  HANDLE h = CreateNamedPipeW(NAME, OPEN_MODE | extra, MODE, PIPE_UNLIMITED_INSTANCES, 65536, 65536, 0, sa);
  printf("%-48s %s err=%lu\n", what, h == INVALID_HANDLE_VALUE ? "INVALID" : "handle", h == INVALID_HANDLE_VALUE ? GetLastError() : 0UL);
  if (h != INVALID_HANDLE_VALUE) CreateIoCompletionPort(h, port, 1, 0);
  return h;
}

static HANDLE client(const char *what, DWORD flags) {
  HANDLE h = CreateFileW(NAME, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, flags, NULL);
  printf("%-48s %s err=%lu\n", what, h == INVALID_HANDLE_VALUE ? "INVALID" : "handle", h == INVALID_HANDLE_VALUE ? GetLastError() : 0UL);
  if (h != INVALID_HANDLE_VALUE && (flags & FILE_FLAG_OVERLAPPED)) CreateIoCompletionPort(h, port, 2, 0);
  return h;
}

int main(void) {
  port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 0);
  static OVERLAPPED o1, o2, o3, o4; static char buf[256 * 1024], big[256 * 1024]; DWORD n;

  printf("-- security descriptor from SDDL, read back\n");
  PSECURITY_DESCRIPTOR sd = NULL;
  call("ConvertStringSecurityDescriptorToSD",
       ConvertStringSecurityDescriptorToSecurityDescriptorW(L"D:P(A;;GA;;;SY)(A;;GA;;;BA)(A;;GA;;;OW)", SDDL_REVISION_1, &sd, NULL));
  SECURITY_ATTRIBUTES sa = { sizeof sa, sd, FALSE };
  HANDLE s1 = server(FILE_FLAG_FIRST_PIPE_INSTANCE, "CreateNamedPipe first instance + SD", &sa);
  { PSECURITY_DESCRIPTOR got = NULL; PACL dacl = NULL; LPWSTR str = NULL;
    DWORD r = GetSecurityInfo(s1, SE_KERNEL_OBJECT, DACL_SECURITY_INFORMATION | OWNER_SECURITY_INFORMATION, NULL, NULL, &dacl, NULL, &got);
    printf("%-48s ret=%lu\n", "GetSecurityInfo(pipe)", r);
    if (r == 0 && ConvertSecurityDescriptorToStringSecurityDescriptorW(got, SDDL_REVISION_1, DACL_SECURITY_INFORMATION | OWNER_SECURITY_INFORMATION, &str, NULL))
      printf("  read back: %ls\n", str);
    else printf("  read back failed err=%lu\n", GetLastError());
  }
  HANDLE tokenUser; { HANDLE tok; DWORD len; static char tu[256]; LPWSTR sid;
    OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &tok); GetTokenInformation(tok, TokenUser, tu, sizeof tu, &len);
    ConvertSidToStringSidW(((TOKEN_USER*)tu)->User.Sid, &sid); printf("  current user SID: %ls\n", sid); (void)tokenUser; }

  printf("-- a second first instance, then plain instances\n");
  HANDLE sx = server(FILE_FLAG_FIRST_PIPE_INSTANCE, "CreateNamedPipe FIRST_PIPE_INSTANCE again", NULL);
  if (sx != INVALID_HANDLE_VALUE) CloseHandle(sx);
  HANDLE s2 = server(0, "CreateNamedPipe instance 2", NULL);
  HANDLE s3 = server(0, "CreateNamedPipe instance 3", NULL);
  { HANDLE m = CreateNamedPipeW(NAME, OPEN_MODE, MODE, 3, 65536, 65536, 0, NULL);
    printf("%-48s %s err=%lu\n", "instance 4 with nMaxInstances=3", m == INVALID_HANDLE_VALUE ? "INVALID" : "handle", m == INVALID_HANDLE_VALUE ? GetLastError() : 0UL);
    if (m != INVALID_HANDLE_VALUE) CloseHandle(m); }

  printf("-- ConnectNamedPipe before the client\n");
  call("ConnectNamedPipe(s1) overlapped", ConnectNamedPipe(s1, &o1));
  HANDLE c1 = client("CreateFile client 1 (overlapped)", FILE_FLAG_OVERLAPPED);
  reap("connect completion", 1000);

  printf("-- client before ConnectNamedPipe\n");
  HANDLE c2 = client("CreateFile client 2 (no ConnectNamedPipe yet)", FILE_FLAG_OVERLAPPED);
  call("ConnectNamedPipe(s2) overlapped", ConnectNamedPipe(s2, &o2));
  reap("packet for ERROR_PIPE_CONNECTED?", 300);

  printf("-- busy: every instance taken\n");
  HANDLE c3 = client("CreateFile client 3 (s3 listening? no connect)", 0);
  HANDLE c4 = client("CreateFile client 4 (all taken)", 0);
  if (c4 == INVALID_HANDLE_VALUE) {
    DWORD t0 = GetTickCount();
    BOOL w = WaitNamedPipeW(NAME, 300);
    printf("%-48s ret=%d err=%lu after %lu ms\n", "WaitNamedPipe(300 ms) all busy", w, w ? 0UL : GetLastError(), GetTickCount() - t0);
    HANDLE s4 = server(0, "CreateNamedPipe instance 4", NULL);
    call("ConnectNamedPipe(s4)", ConnectNamedPipe(s4, &o4));
    t0 = GetTickCount(); w = WaitNamedPipeW(NAME, 1000);
    printf("%-48s ret=%d err=%lu after %lu ms\n", "WaitNamedPipe(1000) with s4 listening", w, w ? 0UL : GetLastError(), GetTickCount() - t0);
    c4 = client("CreateFile client 4 again", 0);
    reap("s4 connect completion", 500);
    CloseHandle(c4); CloseHandle(s4);
  }
  CloseHandle(c3); CloseHandle(s3);

  printf("-- missing pipe\n");
  { HANDLE h = CreateFileW(L"\\\\.\\pipe\\winloop-probe-missing", GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0, NULL);
    printf("%-48s %s err=%lu\n", "CreateFile missing", h == INVALID_HANDLE_VALUE ? "INVALID" : "handle", h == INVALID_HANDLE_VALUE ? GetLastError() : 0UL);
    BOOL w = WaitNamedPipeW(L"\\\\.\\pipe\\winloop-probe-missing", 100);
    printf("%-48s ret=%d err=%lu\n", "WaitNamedPipe missing", w, w ? 0UL : GetLastError()); }

  printf("-- reads and writes (s1 <-> c1)\n");
  memset(&o1, 0, sizeof o1);
  call("ReadFile(s1) 64 KiB, nothing sent yet", ReadFile(s1, buf, 65536, NULL, &o1));
  memset(&o2, 0, sizeof o2);
  call("WriteFile(c1) 5 bytes", WriteFile(c1, "hello", 5, NULL, &o2));
  reap("first packet", 1000); reap("second packet", 1000);
  memset(&o1, 0, sizeof o1);
  call("ReadFile(s1) 0 bytes, nothing sent", ReadFile(s1, buf, 0, NULL, &o1));
  if (!reap("zero-byte read packet (200 ms)", 200)) {
    memset(&o2, 0, sizeof o2);
    call("WriteFile(c1) 3 bytes", WriteFile(c1, "abc", 3, NULL, &o2));
    reap("packet", 1000); reap("packet", 1000);
    memset(&o1, 0, sizeof o1);
    call("ReadFile(s1) 64 KiB after that", ReadFile(s1, buf, 65536, NULL, &o1));
    reap("packet", 1000);
  }
  memset(&o1, 0, sizeof o1);
  call("WriteFile(s1) 256 KiB, reader idle", WriteFile(s1, big, sizeof big, NULL, &o1));
  reap("packet within 300 ms?", 300);
  { DWORD total = 0; int i;
    for (i = 0; i < 8 && total < sizeof big; i++) {
      memset(&o2, 0, sizeof o2);
      BOOL r = ReadFile(c1, buf, sizeof buf, NULL, &o2);
      if (!r && GetLastError() != ERROR_IO_PENDING) { printf("  read err=%lu\n", GetLastError()); break; }
      DWORD b = 0; ULONG_PTR k; OVERLAPPED *ov;
      while (GetQueuedCompletionStatus(port, &b, &k, &ov, 1000)) {
        printf("  packet key=%lu bytes=%lu (%s)\n", (unsigned long)k, b, ov == &o1 ? "the write" : "a read");
        if (ov == &o2) { total += b; break; }
      }
    }
    printf("  client read %lu bytes in %d reads\n", total, i);
    reap("write's packet if not yet", 300);
  }

  printf("-- FlushFileBuffers with unread data (1 s watchdog thread absent: ~blocks?)\n");
  memset(&o1, 0, sizeof o1);
  call("WriteFile(s1) 10 bytes", WriteFile(s1, "0123456789", 10, NULL, &o1));
  reap("packet", 500);
  { DWORD t0 = GetTickCount();
    /* On Windows FlushFileBuffers waits until the client read everything: read it from a thread-less timer:
     * we read first then flush, so it should return at once; the unread case is not run (it would hang). */
    DWORD b; OVERLAPPED r = {0}; ReadFile(c1, buf, 10, NULL, &r); GetOverlappedResult(c1, &r, &b, TRUE);
    reap("client read packet", 500);
    call("FlushFileBuffers(s1) all read", FlushFileBuffers(s1));
    printf("  took %lu ms\n", GetTickCount() - t0); }

  printf("-- CancelIoEx of a pending read\n");
  memset(&o1, 0, sizeof o1);
  call("ReadFile(s1) pending", ReadFile(s1, buf, 65536, NULL, &o1));
  call("CancelIoEx(s1, &o1)", CancelIoEx(s1, &o1));
  reap("cancelled read packet", 1000);

  printf("-- CancelIoEx of a pending write the reader took part of\n");
  memset(&o1, 0, sizeof o1);
  call("WriteFile(s1) 256 KiB, reader idle", WriteFile(s1, big, sizeof big, NULL, &o1));
  { DWORD b = 0, avail = 0, left = 0; OVERLAPPED r = {0};
    ReadFile(c1, buf, 65536, NULL, &r); GetOverlappedResult(c1, &r, &b, TRUE);
    printf("  client read %lu bytes\n", b);
    reap("client read packet", 500);
    call("CancelIoEx(s1, &o1) the write", CancelIoEx(s1, &o1));
    reap("cancelled write packet", 1000);
    PeekNamedPipe(c1, NULL, 0, NULL, &avail, NULL);
    printf("  left for the reader after the cancel: %lu bytes (taken before: %lu, written: %lu)\n", avail, b,
           (unsigned long)sizeof big);
    while (PeekNamedPipe(c1, NULL, 0, NULL, &avail, NULL) && avail > 0) {
      DWORD got = 0, k2; ULONG_PTR key; OVERLAPPED *ov; memset(&r, 0, sizeof r);
      ReadFile(c1, buf, avail < sizeof buf ? avail : sizeof buf, NULL, &r); GetOverlappedResult(c1, &r, &got, TRUE);
      GetQueuedCompletionStatus(port, &k2, &key, &ov, 500); left += got;
    }
    printf("  drained %lu bytes\n", left); }

  printf("-- peer closes: end of stream\n");
  memset(&o1, 0, sizeof o1);
  call("ReadFile(s1) pending", ReadFile(s1, buf, 65536, NULL, &o1));
  memset(&o3, 0, sizeof o3);
  call("WriteFile(c1) 4 bytes then CloseHandle(c1)", WriteFile(c1, "tail", 4, NULL, &o3));
  reap("packet", 500); reap("packet", 500);
  CloseHandle(c1);
  memset(&o1, 0, sizeof o1);
  call("ReadFile(s1) after client closed", ReadFile(s1, buf, 65536, NULL, &o1));
  reap("packet", 500);
  memset(&o1, 0, sizeof o1);
  call("WriteFile(s1) after client closed", WriteFile(s1, "x", 1, NULL, &o1));
  reap("packet", 500);
  call("DisconnectNamedPipe(s1)", DisconnectNamedPipe(s1));
  memset(&o1, 0, sizeof o1);
  call("ConnectNamedPipe(s1) again (instance reuse)", ConnectNamedPipe(s1, &o1));
  HANDLE c5 = client("CreateFile client 5", FILE_FLAG_OVERLAPPED);
  reap("connect packet", 500);

  printf("-- server closes its handle with a read pending (s1), client reads\n");
  memset(&o1, 0, sizeof o1);
  call("ReadFile(s1) pending", ReadFile(s1, buf, 65536, NULL, &o1));
  memset(&o2, 0, sizeof o2);
  call("ReadFile(c5) pending", ReadFile(c5, buf + 65536, 65536, NULL, &o2));
  call("CloseHandle(s1)", CloseHandle(s1));
  reap("packet", 500); reap("packet", 500);

  printf("-- DisconnectNamedPipe with the client connected (s2 <-> c2), client reading\n");
  memset(&o1, 0, sizeof o1);
  call("ReadFile(c2) pending", ReadFile(c2, buf, 65536, NULL, &o1));
  call("DisconnectNamedPipe(s2)", DisconnectNamedPipe(s2));
  reap("packet", 500);
  memset(&o1, 0, sizeof o1);
  call("WriteFile(c2) after disconnect", WriteFile(c2, "x", 1, NULL, &o1));
  reap("packet", 300);
  CloseHandle(c2); CloseHandle(s2); CloseHandle(c5);

  printf("-- every instance closed: name gone?\n");
  { HANDLE h = CreateFileW(NAME, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0, NULL);
    printf("%-48s %s err=%lu\n", "CreateFile", h == INVALID_HANDLE_VALUE ? "INVALID" : "handle", h == INVALID_HANDLE_VALUE ? GetLastError() : 0UL);
    HANDLE f = server(FILE_FLAG_FIRST_PIPE_INSTANCE, "CreateNamedPipe FIRST_PIPE_INSTANCE again", NULL);
    CloseHandle(f); }
  printf("-- a listening instance closed or cancelled with ConnectNamedPipe pending\n");
  { HANDLE a = server(FILE_FLAG_FIRST_PIPE_INSTANCE, "CreateNamedPipe a", NULL);
    HANDLE b = server(0, "CreateNamedPipe b", NULL);
    memset(&o1, 0, sizeof o1); memset(&o2, 0, sizeof o2);
    call("ConnectNamedPipe(a)", ConnectNamedPipe(a, &o1));
    call("ConnectNamedPipe(b)", ConnectNamedPipe(b, &o2));
    BOOL w = WaitNamedPipeW(NAME, 1);
    printf("%-48s ret=%d err=%lu\n", "WaitNamedPipe(1 ms) with listeners", w, w ? 0UL : GetLastError());
    call("CancelIoEx(a, &o1)", CancelIoEx(a, &o1));
    reap("packet", 500);
    call("CloseHandle(b) with connect pending", CloseHandle(b));
    reap("packet", 500);
    w = WaitNamedPipeW(NAME, 1);
    printf("%-48s ret=%d err=%lu\n", "WaitNamedPipe(1 ms), a not listening", w, w ? 0UL : GetLastError());
    CloseHandle(a); }
  printf("-- a DACL that grants only SYSTEM: is it enforced on the client's open?\n");
  { PSECURITY_DESCRIPTOR sys = NULL;
    ConvertStringSecurityDescriptorToSecurityDescriptorW(L"D:P(A;;GA;;;SY)", SDDL_REVISION_1, &sys, NULL);
    SECURITY_ATTRIBUTES ssa = { sizeof ssa, sys, FALSE };
    HANDLE a = server(FILE_FLAG_FIRST_PIPE_INSTANCE, "CreateNamedPipe SYSTEM only", &ssa);
    memset(&o1, 0, sizeof o1); ConnectNamedPipe(a, &o1);
    HANDLE c = client("CreateFile as this user", 0);
    if (c != INVALID_HANDLE_VALUE) { reap("connect packet", 500); CloseHandle(c); }
    CloseHandle(a); reap("packet", 300); }
  printf("-- client closes while the server has a write (more than the buffer) and a read pending\n");
  { HANDLE a = server(FILE_FLAG_FIRST_PIPE_INSTANCE, "CreateNamedPipe a", NULL);
    memset(&o1, 0, sizeof o1); ConnectNamedPipe(a, &o1);
    HANDLE c = client("CreateFile client", 0);
    reap("connect packet", 500);
    memset(&o1, 0, sizeof o1); memset(&o2, 0, sizeof o2); memset(&o3, 0, sizeof o3);
    call("WriteFile(a) 64 KiB", WriteFile(a, big, 65536, NULL, &o1));
    call("WriteFile(a) 256 KiB", WriteFile(a, big, sizeof big, NULL, &o2));
    call("ReadFile(a) pending", ReadFile(a, buf, 100, NULL, &o3));
    reap("packet", 300);
    call("CloseHandle(client)", CloseHandle(c));
    reap("packet", 1000); reap("packet", 1000); reap("packet", 1000);
    CloseHandle(a); reap("packet after closing a", 500); }
  printf("-- moving a connected instance to another port (FileReplaceCompletionInformation, Windows 8.1+)\n");
  { typedef LONG (NTAPI *NtSetInformationFile_t)(HANDLE, PVOID, PVOID, ULONG, ULONG);
    NtSetInformationFile_t pSet = (NtSetInformationFile_t)GetProcAddress(GetModuleHandleA("ntdll.dll"), "NtSetInformationFile");
    HANDLE port2 = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 0);
    HANDLE a = server(FILE_FLAG_FIRST_PIPE_INSTANCE, "CreateNamedPipe a (port 1)", NULL);
    memset(&o1, 0, sizeof o1); ConnectNamedPipe(a, &o1);
    HANDLE c = client("CreateFile client", 0);
    reap("connect packet on port 1", 500);
    struct { HANDLE port; ULONG_PTR key; } info = { NULL, 0 }; ULONG_PTR iosb[2];
    LONG st = pSet(a, iosb, &info, sizeof info, 61);
    printf("%-48s status=0x%lx\n", "NtSetInformationFile(replace, NULL port)", (unsigned long)st);
    HANDLE r = CreateIoCompletionPort(a, port2, 7, 0);
    printf("%-48s %s err=%lu\n", "CreateIoCompletionPort(a, port 2)", r ? "ok" : "FAILED", r ? 0UL : GetLastError());
    memset(&o1, 0, sizeof o1);
    call("ReadFile(a) pending", ReadFile(a, buf, 100, NULL, &o1));
    DWORD w; WriteFile(c, "moved", 5, &w, NULL);
    reap("packet on port 1 (200 ms)", 200);
    { DWORD b = 0; ULONG_PTR k = 0; OVERLAPPED *ov = NULL; BOOL ok = GetQueuedCompletionStatus(port2, &b, &k, &ov, 500);
      printf("  %-46s ok=%d key=%lu bytes=%lu ov=%s\n", "packet on port 2", ok, (unsigned long)k, b, ov == &o1 ? "the read" : "none"); }
    CloseHandle(c); CloseHandle(a); CloseHandle(port2); }
  printf("-- done\n");
  return 0;
}
