package io.otp4j.observer;

import io.otp4j.Node;
import io.otp4j.Pid;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The observer's page in a real headless Chromium, driven through chromedriver: the page draws
 * the shop's supervision tree, and a Kill clicked on the page leads to a new worker under the same
 * supervisor. Needs Debian's {@code chromium} and {@code chromium-driver} (or any Chromium or Chrome
 * and its matching chromedriver on the {@code PATH}, or named by the system properties
 * {@code otp4j.chromium} and {@code otp4j.chromedriver}). Without them the test is skipped, unless
 * the system property {@code otp4j.browser.required} is {@code true} (CI): then it fails.
 */
class ObserverBrowserTest {
    static final Duration WAIT = Duration.ofSeconds(20);

    static Node node;
    static Observer observer;
    static WebDriver driver;
    static WebDriverWait wait;
    /** Why the test cannot run here, or null. */
    static String missing;

    @BeforeAll
    static void start() throws Exception {
        Optional<Path> browser = executable("otp4j.chromium", "chromium", "chromium-browser", "google-chrome",
                "google-chrome-stable");
        Optional<Path> chromedriver = executable("otp4j.chromedriver", "chromedriver");
        if (browser.isEmpty() || chromedriver.isEmpty()) {
            missing = "the browser test needs Chromium and chromedriver (Debian: apt-get install chromium "
                    + "chromium-driver); not found: " + (browser.isEmpty() ? "chromium " : "")
                    + (chromedriver.isEmpty() ? "chromedriver" : "");
            if (Boolean.parseBoolean(System.getProperty("otp4j.browser.required"))) {
                fail(missing + ", and otp4j.browser.required is true");
            }
            missing += " (set -Dotp4j.browser.required=true to fail instead of skipping)";
            return; // each test reports itself skipped, with this reason
        }
        node = Shop.startNode("browsed@localhost");
        observer = Observer.start(node, Observer.Options.defaults().withEventInterval(Duration.ofMillis(200)));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(chromedriver.get().toFile()).usingAnyFreePort().build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(browser.get().toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1400,1000");
        driver = new ChromeDriver(service, options);
        wait = new WebDriverWait(driver, WAIT);
        wait.ignoring(StaleElementReferenceException.class); // the page re-renders what changes under it
    }

    @BeforeEach
    void needsTheBrowser() {
        Assumptions.assumeTrue(missing == null, () -> missing);
    }

    @AfterAll
    static void stop() {
        if (driver != null) driver.quit();
        if (observer != null) observer.close();
        if (node != null) node.stop();
    }

    /** A system property naming the file, else the first of {@code names} found on the PATH. */
    static Optional<Path> executable(String property, String... names) {
        String given = System.getProperty(property);
        if (given != null && !given.isBlank()) {
            Path p = Path.of(given);
            return Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
        }
        String path = Optional.ofNullable(System.getenv("PATH")).orElse("");
        return Stream.of(names)
                .flatMap(n -> Stream.of(path.split(File.pathSeparator)).filter(d -> !d.isEmpty()).map(d -> Path.of(d, n)))
                .filter(Files::isExecutable).findFirst();
    }

    static String text(Pid pid) {
        return ObserverApiTest.text(pid);
    }

    /** The tree node of child {@code id} directly under the supervisor {@code sup}, in the shop's tree. */
    static By childOf(Pid sup, String id) {
        return By.xpath("//ul[@data-testid='app-tree'][@data-app='shop']//div[@data-testid='tree-node'][@data-pid='"
                + text(sup) + "']/following-sibling::ul/li/div[@data-testid='tree-node'][@data-child-id='" + id + "']");
    }

    static By testid(String id) {
        return By.cssSelector("[data-testid='" + id + "']");
    }

    @SuppressWarnings("unchecked")
    static List<String> js(String script) {
        return (List<String>) ((JavascriptExecutor) driver).executeScript(script);
    }

    @Test
    void thePageDrawsTheTreeAndAKillOnThePageRestartsTheWorker() {
        Pid sup = node.whereis("shop_sup").orElseThrow();
        Pid old = node.whereis("shop_clerk").orElseThrow();
        driver.get(observer.uri().toString());

        // the tree: shop_sup over store, clerk and jobs; jobs (a dynamic supervisor) over two jobs
        wait.until(d -> text(old).equals(d.findElement(childOf(sup, "clerk")).getAttribute("data-pid")));
        assertThat(driver.findElement(testid("node-name")).getText()).startsWith("browsed@localhost");
        assertThat(driver.findElement(testid("live-status")).getText()).isEqualTo("live");
        assertThat(js("return [...document.querySelectorAll(\"[data-testid='app-tree'][data-app='shop'] > li > ul > li > "
                + "[data-testid='tree-node']\")].map(e => e.dataset.childId)")).containsExactly("store", "clerk", "jobs");
        WebElement top = driver.findElement(
                By.cssSelector("[data-testid='app-tree'][data-app='shop'] > li > [data-testid='tree-node']"));
        assertThat(top.getAttribute("data-behaviour")).isEqualTo("Supervisor");
        assertThat(top.getText()).contains("<" + text(sup) + ">").contains("Supervisor");
        WebElement jobs = driver.findElement(childOf(sup, "jobs"));
        assertThat(jobs.getAttribute("data-behaviour")).isEqualTo("DynamicSupervisor");
        assertThat(driver.findElements(childOf(parsePid(jobs.getAttribute("data-pid")), "job"))).hasSize(2);
        WebElement clerk = driver.findElement(childOf(sup, "clerk"));
        assertThat(clerk.getText()).contains("clerk").contains("<" + text(old) + ">").contains("GenServer");

        // the worker's page: click its pid in the tree
        wait.until(d -> {
            d.findElement(childOf(sup, "clerk")).findElement(By.cssSelector("[data-testid='pid-link']")).click();
            return true;
        });
        wait.until(ExpectedConditions.visibilityOfElementLocated(testid("process-view")));
        wait.until(ExpectedConditions.textToBe(testid("process-pid"), "<" + text(old) + ">"));
        wait.until(ExpectedConditions.textToBe(testid("detail-behaviour"), "GenServer"));
        wait.until(ExpectedConditions.textToBePresentInElementLocated(testid("detail-state"), "Stock[items=7]"));
        assertThat(driver.findElement(testid("detail-links")).getText()).contains("<" + text(sup) + ">");

        // Kill, confirmed
        driver.findElement(testid("kill-button")).click();
        wait.until(ExpectedConditions.elementToBeClickable(testid("kill-confirm"))).click();
        wait.until(ExpectedConditions.textToBePresentInElementLocated(testid("kill-result"), "killed"));

        // a new clerk under the same supervisor, drawn from the event stream
        wait.until(d -> {
            String pid = d.findElement(childOf(sup, "clerk")).getAttribute("data-pid");
            return pid != null && !pid.isEmpty() && !pid.equals(text(old));
        });
        Pid fresh = node.whereis("shop_clerk").orElseThrow();
        assertThat(fresh).isNotEqualTo(old);
        wait.until(d -> text(fresh).equals(d.findElement(childOf(sup, "clerk")).getAttribute("data-pid")));
        // the old pid's page says it is gone (killed by a signal: no crash report)
        wait.until(ExpectedConditions.visibilityOfElementLocated(testid("process-gone")));
    }

    static Pid parsePid(String text) {
        String[] p = text.split("\\.");
        return new Pid(node.name(), Integer.parseInt(p[1]), Integer.parseInt(p[2]), node.creation());
    }

    @Test
    void theProcessListSortsAndFiltersAndTheOtherTabsShowTablesAndNodes() {
        Pid clerk = node.whereis("shop_clerk").orElseThrow();
        driver.get(observer.uri() + "#processes");
        wait.until(ExpectedConditions.visibilityOfElementLocated(testid("process-table")));
        wait.until(d -> d.findElements(testid("process-row")).size() > 5);

        WebElement filter = driver.findElement(testid("process-filter"));
        filter.sendKeys("shop_clerk");
        wait.until(d -> {
            List<WebElement> rows = d.findElements(testid("process-row"));
            String clerkNow = text(node.whereis("shop_clerk").orElseThrow());
            return rows.size() == 1 && clerkNow.equals(rows.get(0).getAttribute("data-pid"));
        });
        assertThat(node.whereis("shop_clerk")).contains(clerk);

        filter.clear();
        filter.sendKeys("supervisor"); // behaviours match too: Supervisor and DynamicSupervisor
        wait.until(d -> d.findElements(testid("process-row")).size() == 2);

        filter.clear();
        filter.sendKeys(" "); // blank: everything again (an input event with a trimmed-empty filter)
        driver.findElement(testid("sort-reductions")).click();
        wait.until(d -> d.findElement(testid("sort-reductions")).getAttribute("class").contains("desc"));
        List<String> reductions = js("return [...document.querySelectorAll(\"[data-testid='process-row'] td:nth-child(7)\")]"
                + ".map(td => td.textContent)");
        List<Long> values = reductions.stream().map(s -> Long.parseLong(s.replace(",", ""))).toList();
        assertThat(values).hasSizeGreaterThan(5).isSortedAccordingTo((a, b) -> Long.compare(b, a));
        driver.findElement(testid("sort-name")).click();
        wait.until(d -> d.findElement(testid("sort-name")).getAttribute("class").contains("asc"));

        driver.findElement(testid("tab-tables")).click();
        By prices = By.cssSelector("[data-testid='ets-row'][data-name='shop_prices']");
        wait.until(ExpectedConditions.visibilityOfElementLocated(prices));
        assertThat(driver.findElement(prices).getText())
                .contains("set").contains("public");

        driver.findElement(testid("tab-nodes")).click();
        wait.until(ExpectedConditions.textToBe(testid("nodes-note"), "not distributed"));
    }
}
