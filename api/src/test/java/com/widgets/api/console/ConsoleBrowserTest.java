package com.widgets.api.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.widgets.api.ApiTest;
import com.widgets.api.Fixtures;
import com.widgets.api.access.ApiTokens;
import com.widgets.api.access.Role;
import com.widgets.api.live.Subscribers;
import com.widgets.db.Origin;
import com.widgets.db.PortRef;
import com.widgets.db.PortType;
import com.widgets.db.WiringStore;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.graphql.test.tester.HttpGraphQlTester;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The operator console in a real browser: Debian's headless Chromium driven by Selenium, one browser for the class.
 * Skipped, saying why, where {@code chromium} and {@code chromedriver} are not installed. Each test leaves a
 * screenshot of what a user saw in {@code target/console-screenshots/}.
 */
@ApiTest
class ConsoleBrowserTest {

    private static final Logger log = LoggerFactory.getLogger(ConsoleBrowserTest.class);
    private static final Path SCREENSHOTS = Path.of("target", "console-screenshots");
    private static final Duration PATIENCE = Duration.ofSeconds(15);
    private static final String NO_BROWSER =
            "The console's browser tests are skipped: chromium and chromedriver are not on the PATH. Install them"
                    + " (Debian: apt-get install chromium chromium-driver; .ci/run does so as root) to run them.";

    private static ChromeDriver browser;
    private static Path profile;

    @LocalServerPort
    int port;

    @Autowired
    ApiTokens tokens;

    @Autowired
    WiringStore store;

    @Autowired
    JdbcTemplate jdbc;

    @Autowired
    HttpGraphQlTester api;

    @Autowired
    ApplicationContext context;

    private String base;
    private String operator;
    private String viewer;

    @BeforeAll
    static void startBrowser() throws IOException {
        Optional<Path> chromium = onPath("chromium");
        Optional<Path> driver = onPath("chromedriver");
        if (chromium.isEmpty() || driver.isEmpty()) {
            log.warn(NO_BROWSER);
            return;
        }
        profile = Files.createTempDirectory("console-chromium-");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium.get().toFile());
        options.addArguments(
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--user-data-dir=" + profile,
                "--window-size=1280,1000");
        options.setCapability("goog:loggingPrefs", Map.of("browser", "ALL"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(driver.get().toFile())
                .usingAnyFreePort()
                .build();
        browser = new ChromeDriver(service, options);
        Files.createDirectories(SCREENSHOTS);
    }

    @AfterAll
    static void stopBrowser() throws IOException {
        if (browser != null) {
            browser.quit();
            browser = null;
        }
        if (profile != null) {
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
            }
        }
    }

    @BeforeEach
    void setUp() {
        assumeTrue(browser != null, NO_BROWSER);
        base = "http://localhost:" + port + "/";
        operator = tokens.mint(Role.OPERATOR, "olga", null).secret();
        viewer = tokens.mint(Role.VIEWER, "vic", null).secret();
        jdbc.update("DELETE FROM widget WHERE serial_number LIKE 'CON-%'");
        jdbc.update("DELETE FROM wiring_history WHERE serial_number LIKE 'CON-%'");
    }

    @AfterEach
    void screenshot(TestInfo test) throws IOException {
        if (browser == null) {
            return;
        }
        screenshot(test.getTestMethod().orElseThrow().getName());
        for (LogEntry entry : browser.manage().logs().get(LogType.BROWSER)) {
            log.info("browser console: {} {}", entry.getLevel(), entry.getMessage());
        }
    }

    @Test
    void signsInWithAPastedTokenKeptForTheTabOnly() {
        signIn("wgt_not-a-token-of-this-service", false);
        assertThat(text("#signin-message")).startsWith("Not signed in.").contains("not one this service issued");
        assertThat(text("#who")).isEqualTo("Not signed in");

        signIn(operator, true);
        assertThat(text("#who")).isEqualTo("Signed in as olga (operator)");
        assertThat(browser.executeScript("return sessionStorage.getItem('widgets.console.token')"))
                .isEqualTo(operator);
        assertThat(browser.manage().getCookies()).isEmpty();
        assertThat(browser.getCurrentUrl()).doesNotContain(operator);
        // nothing comes from anywhere but the service: the page works with no internet access
        @SuppressWarnings("unchecked")
        List<String> loaded = (List<String>)
                browser.executeScript("return performance.getEntriesByType('resource').map(entry => entry.name)");
        assertThat(loaded)
                .isNotEmpty()
                .allSatisfy(url -> assertThat(url).startsWith(base))
                .anySatisfy(url -> assertThat(url).contains("/webjars/d3/"))
                .anySatisfy(url -> assertThat(url).contains("/webjars/graphql-ws/"));

        // the pages need a token: signed out, they send you to sign in
        click("#signout-button");
        go("rewiring");
        waitFor(() -> text("#problem").startsWith("Sign in first"));
        assertThat(element("#page-signin").isDisplayed()).isTrue();
    }

    @Test
    void uploadsAFileAndWatchesTheBarReachTheEndWithTheCounts() throws Exception {
        List<String> lines = new ArrayList<>(List.of("op,serial_number,port,peer_serial_number,peer_port,name,ports"));
        for (int i = 1; i <= 60; i++) {
            lines.add("add,CON-U" + i + ",,,,Upload " + i + ",PRQ");
        }
        for (int i = 1; i <= 30; i++) {
            lines.add("link,CON-U" + (2 * i - 1) + ",P,CON-U" + (2 * i) + ",Q,,");
        }
        for (int i = 1; i <= 5; i++) {
            lines.add("add,CON-U" + i + ",,,,Upload " + i + ",PRQ"); // exactly as it is: unchanged
        }
        lines.add("link,CON-U1,P,CON-U3,Q,,"); // line 97: CON-U1.P is taken
        lines.add("rewire,CON-U1,,,,,"); // line 98: no such op
        lines.add("link,CON-U5,R,CON-NOPE,P,,"); // line 99: no such widget
        Path directory = Files.createTempDirectory("console-upload-");
        directory.toFile().deleteOnExit(); // after the file: deleteOnExit works in reverse order
        Path file = Files.write(directory.resolve("rewire.csv"), lines);
        file.toFile().deleteOnExit();

        signIn(operator, true);
        go("rewiring");
        element("#upload-file").sendKeys(file.toAbsolutePath().toString());
        click("input[name=mode][value=apply]");
        click("#upload-button");

        waitFor(() -> text("#progress-status").contains("completed"));
        assertThat(text("#progress-percent")).isEqualTo("100%");
        assertThat(element("#progress-bar").getDomProperty("value")).isEqualTo("98");
        assertThat(element("#progress-bar").getDomProperty("max")).isEqualTo("98");
        assertThat(text("#progress-lines")).contains("98 of 98 lines");
        assertThat(text("#progress-applied")).isEqualTo("90");
        assertThat(text("#progress-unchanged")).isEqualTo("5");
        assertThat(text("#progress-rejected")).isEqualTo("3");

        waitFor(() ->
                !browser.findElements(By.cssSelector("#rejects-table tbody tr")).isEmpty());
        List<String> rejects = browser.findElements(By.cssSelector("#rejects-table tbody tr")).stream()
                .map(WebElement::getText)
                .toList();
        assertThat(rejects).hasSize(3);
        assertThat(rejects.get(0)).contains("97", "PORT_BUSY");
        assertThat(rejects.get(1)).contains("98", "MALFORMED_LINE");
        assertThat(rejects.get(2)).contains("99", "WIDGET_NOT_FOUND");
        assertThat(element("#rejects-download").isEnabled()).isTrue();

        String job = text("#progress-title").replaceAll("^Job (\\d+):.*$", "$1");
        waitFor(() -> text("#recent-jobs tr[data-job='" + job + "']").contains("completed"));
        assertThat(store.widget("CON-U60")).isPresent();

        // jobs at a glance follow jobs run by anyone, without a reload
        go("jobs");
        waitFor(() -> text("#glance-average").startsWith("A job takes"));
        int completed = Integer.parseInt(text("#glance-counts [data-status='COMPLETED'] dd"));
        HttpResponse<String> upload = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(base + "rewiring/jobs?filename=glance.csv"))
                                .header("Authorization", Fixtures.BEARER)
                                .header("Content-Type", "text/csv")
                                .POST(HttpRequest.BodyPublishers.ofString(
                                        "op,serial_number,name,ports\nadd,CON-G1,G,P\n"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(upload.statusCode()).isEqualTo(202);
        waitFor(() -> text("#glance-counts [data-status='COMPLETED'] dd").equals(String.valueOf(completed + 1)));
        screenshot("jobs-at-a-glance");
    }

    @Test
    void showsAWidgetsNeighboursAsNodesAndMovesToOneOnAClick() {
        Origin setup = Origin.request("console-test", "console-test");
        store.addWidget("CON-A", "Core", EnumSet.of(PortType.P, PortType.R, PortType.Q), setup);
        store.addWidget("CON-B", "Edge", EnumSet.of(PortType.Q), setup);
        store.addWidget("CON-C", "Rack", EnumSet.of(PortType.P, PortType.Q), setup);
        store.addWidget("CON-D", "Far", EnumSet.of(PortType.P), setup);
        store.link(new PortRef("CON-A", PortType.P), new PortRef("CON-B", PortType.Q), setup);
        store.link(new PortRef("CON-A", PortType.R), new PortRef("CON-C", PortType.Q), setup);
        store.link(new PortRef("CON-C", PortType.P), new PortRef("CON-D", PortType.P), setup);

        signIn(viewer, true);
        go("widget");
        element("#search").sendKeys("Cor");
        click("#search-form button");
        waitFor(() -> text("#search-results").contains("CON-A — Core"));
        browser.findElement(By.linkText("CON-A — Core")).click();

        waitFor(() -> inPicture(".node.current[data-serial='CON-A']"));
        assertThat(nodes()).containsExactlyInAnyOrder("CON-A", "CON-B", "CON-C", "CON-D");
        assertThat(browser.findElements(By.cssSelector("#picture .edge"))).hasSize(3);
        assertThat(inPicture(".edge[data-link='CON-A.P-CON-B.Q']")).isTrue();
        assertThat(inPicture(".port.free[data-port='CON-A.Q']")).isTrue();
        assertThat(text("#widget-ports")).contains("CON-B port Q", "CON-C port Q", "free");
        // a viewer sees the wiring but may not change it
        assertThat(element("#link-fieldset").getDomProperty("disabled")).isEqualTo("true");
        assertThat(element("#link-peer").isEnabled()).isFalse();

        // a phone's width: everything still fits, nothing scrolls sideways
        browser.manage().window().setSize(new Dimension(360, 800));
        try {
            assertThat(browser.executeScript("return document.documentElement.scrollWidth <= window.innerWidth"))
                    .isEqualTo(true);
            screenshot("widget-at-360px");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            browser.manage().window().setSize(new Dimension(1280, 1000));
        }

        element("#picture a.node[data-serial='CON-C']").click();
        waitFor(() -> inPicture(".node.current[data-serial='CON-C']"));
        assertThat(text("#widget-title")).isEqualTo("CON-C — Rack");
        assertThat(browser.getCurrentUrl()).endsWith("#widget/CON-C");
    }

    @Test
    void showsALinkMadeThroughTheApiWithoutReloading() {
        Origin setup = Origin.request("console-test", "console-test");
        store.addWidget("CON-L1", "Left", EnumSet.of(PortType.P, PortType.R), setup);
        store.addWidget("CON-L2", "Right", EnumSet.of(PortType.Q), setup);

        signIn(viewer, true);
        long subscribers = Subscribers.count(context);
        go("widget/CON-L1");
        waitFor(() -> inPicture(".node.current[data-serial='CON-L1']"));
        assertThat(nodes()).containsExactly("CON-L1");
        Subscribers.awaitAtLeast(context, subscribers + 1);
        browser.executeScript("window.sameDocument = true");

        api.document("""
                        mutation { link(input: {a: {serialNumber: "CON-L1", port: P}, b: {serialNumber: "CON-L2", port: Q}}) {
                          changed } }""").execute().path("link.changed").entity(Boolean.class).isEqualTo(true);

        waitFor(() -> nodes().contains("CON-L2"));
        assertThat(inPicture(".edge[data-link='CON-L1.P-CON-L2.Q']")).isTrue();
        assertThat(text("#widget-ports")).contains("CON-L2 port Q");
        assertThat(browser.executeScript("return window.sameDocument")).isEqualTo(true);
    }

    @Test
    void anOperatorLinksAndUnlinksFromThePageAndHearsRefusalsInWords() {
        Origin setup = Origin.request("console-test", "console-test");
        store.addWidget("CON-O1", "One", EnumSet.of(PortType.P, PortType.R), setup);
        store.addWidget("CON-O2", "Two", EnumSet.of(PortType.Q), setup);

        signIn(operator, true);
        go("widget/CON-O1");
        waitFor(() -> nodes().equals(List.of("CON-O1")));
        new Select(element("#link-port")).selectByVisibleText("R");
        element("#link-peer").sendKeys("CON-O2");
        new Select(element("#link-peer-port")).selectByVisibleText("Q");
        click("#link-form button[type=submit]");
        waitFor(() -> nodes().contains("CON-O2"));
        assertThat(text("#widget-message")).isEqualTo("Linked CON-O1 port R to CON-O2 port Q.");
        assertThat(store.widget("CON-O2").orElseThrow().ports().toString()).contains("CON-O1");

        click("button[aria-label='Unlink CON-O1 port R from CON-O2 port Q']");
        waitFor(() -> !nodes().contains("CON-O2"));
        assertThat(text("#widget-message")).isEqualTo("Unlinked CON-O1 port R from CON-O2 port Q.");

        element("#link-peer").sendKeys("CON-NOPE");
        click("#link-form button[type=submit]");
        waitFor(() -> text("#widget-message").startsWith("Not linked:"));
        assertThat(text("#widget-message")).contains("CON-NOPE");
    }

    @Test
    void aViewerCannotUploadOrStopJobs() {
        signIn(viewer, true);
        go("rewiring");
        assertThat(text("#who")).isEqualTo("Signed in as vic (viewer)");
        assertThat(element("#upload-fieldset").getDomProperty("disabled")).isEqualTo("true");
        assertThat(element("#upload-button").isEnabled()).isFalse();
        assertThat(element("#upload-file").isEnabled()).isFalse();
        assertThat(text("#upload-form")).contains("Your token's role may not upload");
        assertThat(browser.findElements(
                        By.xpath("//button[starts-with(., 'Stop job') or starts-with(., 'Restart job')]")))
                .isEmpty();
        // what the page would send is refused by the service too, in words
        Object refusal = browser.executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                import('./console/api.js')
                  .then(api => api.upload(new File(['op,serial_number\\nremove,CON-X\\n'], 'x.csv'), 'apply'))
                  .then(() => done('accepted'), e => done(e.status + ' ' + e.message));""");
        assertThat(refusal)
                .asString()
                .startsWith("403 Your token's role may not do this:")
                .contains("operator");
    }

    /** The whole page, not only what the window shows: the window is made as tall as the page for the shot. */
    private static void screenshot(String name) throws IOException {
        Dimension window = browser.manage().window().getSize();
        long height = (Long) browser.executeScript("return document.documentElement.scrollHeight");
        browser.manage().window().setSize(new Dimension(window.getWidth(), (int) Math.min(height + 150, 6000)));
        try {
            Files.write(SCREENSHOTS.resolve(name + ".png"), browser.getScreenshotAs(OutputType.BYTES));
        } finally {
            browser.manage().window().setSize(window);
        }
    }

    private void signIn(String token, boolean accepted) {
        browser.get(base + "#signin");
        browser.executeScript("sessionStorage.clear()");
        browser.navigate().refresh();
        WebElement input = element("#token");
        input.clear();
        input.sendKeys(token);
        click("#signin-button");
        if (accepted) {
            waitFor(() -> text("#who").startsWith("Signed in as"));
        } else {
            waitFor(() -> text("#signin-message").startsWith("Not signed in"));
        }
    }

    private void go(String hash) {
        browser.get(base + "#" + hash);
    }

    /** The serial numbers of the widgets in the picture, read in one go (the picture is redrawn as changes come). */
    @SuppressWarnings("unchecked")
    private List<String> nodes() {
        return (List<String>) browser.executeScript(
                "return [...document.querySelectorAll('#picture .node')].map(node => node.dataset.serial)");
    }

    /** The element once it is shown: the pages appear once the console knows who is signed in. */
    private WebElement element(String css) {
        return new WebDriverWait(browser, PATIENCE)
                .until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(css)));
    }

    /** Whether the picture holds this element (a line may be too thin to count as shown). */
    private boolean inPicture(String css) {
        return !browser.findElements(By.cssSelector("#picture " + css)).isEmpty();
    }

    /** The element's text; found again if the page redraws it while it is read (live updates do). */
    private String text(String css) {
        for (int tries = 1; ; tries++) {
            try {
                return element(css).getText();
            } catch (org.openqa.selenium.StaleElementReferenceException redrawn) {
                if (tries == 5) {
                    throw redrawn;
                }
            }
        }
    }

    /** Clicks the element once it is clickable; if the page redraws it between finding and clicking, finds it again. */
    private void click(String css) {
        new WebDriverWait(browser, PATIENCE)
                .ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                .until(driver -> {
                    var button = ExpectedConditions.elementToBeClickable(By.cssSelector(css))
                            .apply(driver);
                    if (button == null) {
                        return false;
                    }
                    button.click(); // a stale element throws before clicking: nothing clicked, the wait tries again
                    return true;
                });
    }

    private void waitFor(BooleanSupplier condition) {
        new WebDriverWait(browser, PATIENCE)
                .ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                .until(driver -> condition.getAsBoolean());
    }

    private static Optional<Path> onPath(String command) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        return Stream.of(path.split(File.pathSeparator))
                .map(dir -> Path.of(dir, command))
                .filter(Files::isExecutable)
                .findFirst();
    }
}
