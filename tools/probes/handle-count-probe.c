/* Process handle counts: GetProcessHandleCount against counting this process's entries in
 * NtQuerySystemInformation(SystemHandleInformation 16 / SystemExtendedHandleInformation 64).
 * Evidence for AfdPollerResourceTest. Seen under Debian wine64 8.0: GetProcessHandleCount succeeds but always
 * reports 0 (a stub), the system handle lists count correctly:
 *   GetProcessHandleCount ok=1 count=0; SHI=11 SEHI=11
 *   +10 sockets +1 port: GetProcessHandleCount ok=1 count=0; SHI=22 SEHI=22
 *   closed: GetProcessHandleCount ok=1 count=0; SHI=11 SEHI=11
 * Build: x86_64-w64-mingw32-gcc -O1 -o /tmp/handle-count-probe.exe tools/probes/handle-count-probe.c -lws2_32 -lntdll
 * Run:   WINEDEBUG=-all WINEPREFIX=~/.cache/winloop/wineprefix wine /tmp/handle-count-probe.exe */
#include <winsock2.h>
#include <windows.h>
#include <winternl.h>
#include <stdio.h>
#include <stdlib.h>
typedef NTSTATUS (NTAPI *NtQSI_t)(ULONG, PVOID, ULONG, PULONG);
typedef struct { PVOID Object; ULONG_PTR Pid; ULONG_PTR Handle; ULONG Access; USHORT a; USHORT t; ULONG attr; ULONG r; } EX;
static NtQSI_t q;
static long count(ULONG cls) {
  ULONG len = 1<<20; void *b = malloc(len); ULONG ret = 0; NTSTATUS st;
  while ((st = q(cls, b, len, &ret)) == 0xC0000004) { len *= 2; b = realloc(b, len); }
  if (st) { printf("class %lu status 0x%lx\n", cls, (unsigned long)st); return -1; }
  long n = 0; DWORD pid = GetCurrentProcessId();
  if (cls == 64) { ULONG_PTR total = ((ULONG_PTR*)b)[0]; EX *e = (EX*)((char*)b + 16);
    for (ULONG_PTR i = 0; i < total; i++) if (e[i].Pid == pid) n++; }
  else { ULONG total = *(ULONG*)b; char *e = (char*)b + 8;
    for (ULONG i = 0; i < total; i++) if (*(USHORT*)(e + 24*i) == (USHORT)pid) n++; }
  free(b); return n;
}
int main(void) {
  WSADATA w; WSAStartup(MAKEWORD(2,2), &w);
  q = (NtQSI_t)GetProcAddress(GetModuleHandleA("ntdll.dll"), "NtQuerySystemInformation");
  DWORD hc = 12345; BOOL ok = GetProcessHandleCount(GetCurrentProcess(), &hc);
  printf("GetProcessHandleCount ok=%d count=%lu; SHI=%ld SEHI=%ld\n", ok, hc, count(16), count(64));
  SOCKET s[10]; for (int i = 0; i < 10; i++) s[i] = socket(AF_INET, SOCK_STREAM, 0);
  HANDLE p = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 0);
  ok = GetProcessHandleCount(GetCurrentProcess(), &hc);
  printf("+10 sockets +1 port: GetProcessHandleCount ok=%d count=%lu; SHI=%ld SEHI=%ld\n", ok, hc, count(16), count(64));
  for (int i = 0; i < 10; i++) closesocket(s[i]); CloseHandle(p);
  ok = GetProcessHandleCount(GetCurrentProcess(), &hc);
  printf("closed: GetProcessHandleCount ok=%d count=%lu; SHI=%ld SEHI=%ld\n", ok, hc, count(16), count(64));
  return 0;
}
