package io.winloop.internal.afd;

import io.winloop.internal.win.Kernel32;
import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Opening the AFD device: the real one opens, a missing one fails with a message naming the status code. */
class AfdHelperTest {
    @Test
    void theAfdDeviceOpens() throws IOException {
        long handle = AfdHelper.openDevice("\\Device\\Afd\\Winloop");
        assertNotEquals(0, handle);
        Kernel32.CloseHandle(handle);
    }

    @Test
    void aDeviceThatCannotBeOpenedIsNamedWithItsStatus() {
        IOException e = assertThrows(IOException.class, () -> AfdHelper.openDevice("\\Device\\NoSuchAfdDevice"));
        String message = e.getMessage();
        assertTrue(message.contains("NtCreateFile(\\Device\\NoSuchAfdDevice) failed"), message);
        assertTrue(message.contains("STATUS_OBJECT_NAME_NOT_FOUND (0xC0000034)")
                || message.contains("STATUS_OBJECT_PATH_NOT_FOUND (0xC000003A)"), message);
        assertTrue(message.contains("cannot be opened"), message);
    }
}
