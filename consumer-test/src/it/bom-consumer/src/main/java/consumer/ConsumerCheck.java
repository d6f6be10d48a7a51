package consumer;

import io.netty.channel.EventLoopGroup;
import io.winloop.Winloop;
import io.winloop.WinloopEventLoopGroup;
import io.winloop.WinloopSocketChannel;

import java.io.File;
import java.net.URL;
import java.util.jar.JarFile;

/**
 * What a user of the published artifacts gets: the transport jar resolved through winloop-bom (the one this build
 * just installed into target/local-repo), its manifest and license files, and a WinloopEventLoopGroup that runs on
 * Windows and, elsewhere, fails at once saying why.
 */
public final class ConsumerCheck {
    public static void main(String[] args) throws Exception {
        String version = args[0];
        File jar = new File(Winloop.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        check(jar.getPath().replace('\\', '/').contains("/target/local-repo/io/winloop/transport-native-winloop/"),
                "the transport must come from this build's target/local-repo, not " + jar);
        check(jar.getName().equals("transport-native-winloop-" + version + ".jar"), "unexpected jar " + jar);
        try (JarFile file = new JarFile(jar)) {
            String moduleName = file.getManifest().getMainAttributes().getValue("Automatic-Module-Name");
            check("io.winloop".equals(moduleName), "Automatic-Module-Name: " + moduleName);
            check(file.getEntry("META-INF/LICENSE") != null, "no META-INF/LICENSE in " + jar);
            check(file.getEntry("META-INF/NOTICE") != null, "no META-INF/NOTICE in " + jar);
        }
        checkSpringBootJar(version);

        String os = System.getProperty("os.name");
        if (os.startsWith("Windows")) {
            check(Winloop.isAvailable(), "Winloop unavailable on Windows: " + Winloop.unavailabilityCause());
            EventLoopGroup group = new WinloopEventLoopGroup(1);
            group.shutdownGracefully().syncUninterruptibly();
        } else {
            check(!Winloop.isAvailable(), "Winloop available on " + os);
            String cause = Winloop.unavailabilityCause().getMessage();
            check(cause.contains("requires Windows"), "unavailability cause: " + cause);
            try {
                new WinloopEventLoopGroup(1);
                throw new AssertionError("new WinloopEventLoopGroup succeeded on " + os);
            } catch (UnsatisfiedLinkError expected) {
                check(expected.getMessage().contains(cause), "failure does not say why: " + expected);
            }
        }
        URL micronaut = ConsumerCheck.class.getClassLoader()
                .getResource("io/winloop/micronaut/WinloopEventLoopGroupFactory.class");
        check(micronaut != null && micronaut.toString().contains("/winloop-micronaut-" + version + ".jar!"),
                "winloop-micronaut not resolved through winloop-bom: " + micronaut);
        System.out.println("consumer check passed: " + jar.getName() + " via winloop-bom " + version + ", "
                + WinloopSocketChannel.class.getSimpleName() + " on the class path, Winloop.isAvailable()="
                + Winloop.isAvailable() + (Winloop.isAvailable() ? "" : " (" + Winloop.unavailabilityCause().getMessage() + ")"));
    }

    /** winloop-spring-boot, resolved through the BOM: its module name and the auto-configuration Spring Boot finds. */
    private static void checkSpringBootJar(String version) throws Exception {
        String imports = "META-INF/spring/org.springframework.boot.autoconfigure.AutoConfiguration.imports";
        java.net.URL url = ConsumerCheck.class.getClassLoader().getResource(imports);
        check(url != null, "no " + imports + " on the class path");
        String location = url.toString();
        check(location.contains("/winloop-spring-boot-" + version + ".jar!"), imports + " from " + location);
        java.net.JarURLConnection connection = (java.net.JarURLConnection) url.openConnection();
        connection.setUseCaches(false);
        try (JarFile file = connection.getJarFile()) {
            String moduleName = file.getManifest().getMainAttributes().getValue("Automatic-Module-Name");
            check("io.winloop.spring.boot".equals(moduleName), "winloop-spring-boot Automatic-Module-Name: " + moduleName);
            try (java.io.InputStream in = file.getInputStream(file.getEntry(imports))) {
                java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
                byte[] buffer = new byte[256];
                for (int n; (n = in.read(buffer)) != -1; ) {
                    bytes.write(buffer, 0, n);
                }
                String names = new String(bytes.toByteArray(), "UTF-8").trim();
                check(names.equals("io.winloop.spring.boot.WinloopReactorNettyAutoConfiguration"), imports + ": " + names);
            }
        }
    }

    private static void check(boolean condition, String message) {
        if (!condition) {
            throw new AssertionError(message);
        }
    }
}
