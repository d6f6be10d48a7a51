package io.winloop;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The transport runs on Java 8 as Netty does, though no Windows JRE 8 reaches our test machines: every class in
 * the jar is class-file version 52 (Java 8). That it calls no API newer than Java 8 is what {@code --release 8}
 * guarantees: javac compiles against the Java 8 platform's API signatures, so such a call does not compile.
 * Runs on the build host's JVM, after compilation.
 */
@Tag("host-jvm")
class Java8BytecodeTest {
    @Test
    void everyTransportClassIsJava8Bytecode() throws IOException {
        Path classes = Paths.get("target", "classes");
        List<Path> files;
        try (Stream<Path> walk = Files.walk(classes)) {
            files = walk.filter(p -> p.toString().endsWith(".class")).collect(Collectors.toList());
        }
        assertTrue(files.size() > 20, "found only " + files.size() + " classes under " + classes.toAbsolutePath());
        List<String> wrong = new ArrayList<>();
        for (Path file : files) {
            try (InputStream in = Files.newInputStream(file); DataInputStream data = new DataInputStream(in)) {
                int magic = data.readInt();
                data.readUnsignedShort(); // minor
                int major = data.readUnsignedShort();
                if (magic != 0xCAFEBABE || major != 52) {
                    wrong.add(classes.relativize(file) + " (major " + major + ")");
                }
            }
        }
        assertEquals(new ArrayList<String>(), wrong, "classes not compiled for Java 8");
    }
}
