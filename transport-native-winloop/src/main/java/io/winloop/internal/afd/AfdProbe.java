package io.winloop.internal.afd;

import io.winloop.internal.win.CompletionPort;
import io.winloop.internal.win.Kernel32;
import io.winloop.internal.win.Ntdll;
import io.winloop.internal.win.Winsock;
import io.winloop.internal.win.Ws2_32;

import java.io.IOException;

/** Proves once that this process can use the transport: the bindings load and the AFD device opens. */
public final class AfdProbe {
    private AfdProbe() {
    }

    public static void check() throws IOException {
        Kernel32.load();
        Ntdll.RtlNtStatusToDosError(0);
        Ws2_32.WSAGetLastError();
        Winsock.startup();
        CompletionPort port = new CompletionPort(1);
        try {
            AfdHelper.open(port).close();
        } finally {
            port.close();
        }
    }
}
