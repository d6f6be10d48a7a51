/* Can netty-tcnative's BoringSSL get its randomness? BoringSSL on Windows loads bcryptprimitives.dll at run time
 * (it is not an import of netty_tcnative_windows_x86_64.dll, which imports only KERNEL32 and WS2_32) for
 * ProcessPrng, and aborts when it cannot: under Wine 8.0 loading netty-tcnative logs "Failed to load module
 * bcryptprimitives.dll; status=c0000135", then the fast-fail c0000409, and the JVM exits with code 9 before
 * OpenSsl.isAvailable() answers. Evidence for the lane A
 * exclusion of netty-tcnative in testsuite-winloop/pom.xml and for WinloopOpenSslAvailabilityTest. Seen:
 *   Debian wine64 8.0 (lane A):   LoadLibrary(bcryptprimitives.dll) failed: error 126; no ProcessPrng
 *   Debian 13 wine64 10.0 (lane B): LoadLibrary(bcryptprimitives.dll) ok; ProcessPrng ok=1 (16 random bytes)
 * Build: x86_64-w64-mingw32-gcc -O1 -o /tmp/bcryptprimitives-probe.exe tools/probes/bcryptprimitives-probe.c
 * Run:   WINEDEBUG=-all WINEPREFIX=~/.cache/winloop/wineprefix-8.0 wine /tmp/bcryptprimitives-probe.exe
 *        (lane B: the same in the Wine 10 chroot, with its prefix wineprefix-10.0) */
#include <windows.h>
#include <stdio.h>
typedef BOOL (WINAPI *ProcessPrng_t)(PBYTE, SIZE_T);
int main(void) {
  HMODULE dll = LoadLibraryA("bcryptprimitives.dll");
  if (!dll) {
    printf("LoadLibrary(bcryptprimitives.dll) failed: error %lu; no ProcessPrng\n", GetLastError());
    return 1;
  }
  ProcessPrng_t prng = (ProcessPrng_t) GetProcAddress(dll, "ProcessPrng");
  if (!prng) {
    printf("LoadLibrary(bcryptprimitives.dll) ok; GetProcAddress(ProcessPrng) failed: error %lu\n", GetLastError());
    return 1;
  }
  BYTE bytes[16] = {0};
  BOOL ok = prng(bytes, sizeof bytes);
  int nonzero = 0;
  for (int i = 0; i < 16; i++) nonzero |= bytes[i];
  printf("LoadLibrary(bcryptprimitives.dll) ok; ProcessPrng ok=%d (%s)\n", ok, nonzero ? "16 random bytes" : "all zero");
  return ok && nonzero ? 0 : 1;
}
