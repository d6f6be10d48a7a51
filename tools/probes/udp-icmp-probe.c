/* UDP ICMP probe: what a connected and an unconnected UDP socket see after sending to a closed loopback port
 * (Windows: the ICMP port unreachable fails the next recv with WSAECONNRESET; SIO_UDP_CONNRESET turns that off).
 * Evidence for WinloopDatagramChannelTest.connectedChannelReportsPortUnreachable.
 * Seen under Debian wine64 8.0 and Debian 13 wine64 10.0 alike (2026-11-23), with or without SIO_UDP_CONNRESET:
 *   -- connected UDP socket to a closed port
 *   send  r=1 error=0;   recv  r=-1 error=10035    (first datagram: the ICMP error is not there yet)
 *   send  r=1 error=0;   recv  r=-1 error=10061    (WSAECONNREFUSED: Linux's ECONNREFUSED, not WSAECONNRESET)
 *   -- unconnected UDP socket to a closed port
 *   sendto r=1 error=0;  recv  r=-1 error=10035    (never an error: Linux queues ICMP errors only when connected)
 * Build: x86_64-w64-mingw32-gcc -O1 -o /tmp/udp-icmp-probe.exe tools/probes/udp-icmp-probe.c -lws2_32
 * Run:   WINEDEBUG=-all WINEPREFIX=~/.cache/winloop/wineprefix-8.0 wine /tmp/udp-icmp-probe.exe
 *        (Wine 10: the same inside the Debian 13 chroot, see tools/windows-runtime) */
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#include <stdio.h>

static int closed_port(void) {
  SOCKET t = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
  struct sockaddr_in a = {0}; a.sin_family = AF_INET; a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(t, (struct sockaddr*)&a, sizeof a); int len = sizeof a; getsockname(t, (struct sockaddr*)&a, &len);
  closesocket(t); return ntohs(a.sin_port);
}

static void step(const char *what, int r) {
  printf("%-36s r=%d error=%d\n", what, r, r < 0 ? WSAGetLastError() : 0);
}

#define SIO_UDP_CONNRESET_ _WSAIOW(IOC_VENDOR, 12)

/* reset: -1 leaves SIO_UDP_CONNRESET alone; 0/1 sets it off before connect, then to this value after. */
static void run(int connected, int reset) {
  char b[16];
  struct sockaddr_in to = {0}; to.sin_family = AF_INET; to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  to.sin_port = htons(closed_port());
  SOCKET s = socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
  u_long nb = 1; ioctlsocket(s, FIONBIO, &nb);
  printf("-- %s UDP socket to a closed port%s\n", connected ? "connected" : "unconnected",
         reset < 0 ? "" : reset ? ", SIO_UDP_CONNRESET off, connect, on" : ", SIO_UDP_CONNRESET off");
  DWORD v = 0, out; if (reset >= 0) step("SIO_UDP_CONNRESET 0", WSAIoctl(s, SIO_UDP_CONNRESET_, &v, sizeof v, NULL, 0, &out, NULL, NULL));
  if (connected) step("connect", connect(s, (struct sockaddr*)&to, sizeof to));
  v = 1; if (reset > 0) step("SIO_UDP_CONNRESET 1", WSAIoctl(s, SIO_UDP_CONNRESET_, &v, sizeof v, NULL, 0, &out, NULL, NULL));
  for (int i = 0; i < 3; i++) {
    step(connected ? "send" : "sendto", connected ? send(s, "x", 1, 0) : sendto(s, "x", 1, 0, (struct sockaddr*)&to, sizeof to));
    Sleep(200);
    step("recv", recv(s, b, sizeof b, 0));
  }
  closesocket(s);
}

int main(void) {
  WSADATA w; WSAStartup(MAKEWORD(2,2), &w);
  run(1, -1);
  run(0, -1);
  run(1, 1);
  run(0, 0);
  return 0;
}
