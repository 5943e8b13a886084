package io.otp4j.examples.readme;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The README's "Getting started" section is code: the build compiles its five steps and runs them
 * (issue 7). A step that no longer compiles, or no longer prints what the README says, fails here.
 *
 * <p>What the README's snippets follow, and this test relies on:
 * <ul>
 *   <li>The section runs from its {@code ## Getting started} heading to the next {@code ## } heading.
 *       Its {@code ```java} blocks are the steps, five of them; other fenced blocks (the shell
 *       commands) are not compiled.</li>
 *   <li>Each block is a whole Java source file, exactly as a reader saves it and runs it with
 *       {@code java -cp "$CP" Name.java}: its imports, then either a class with a {@code main} or a
 *       Java 25 compact source file (top-level {@code void main()}, {@code java.base} imported
 *       implicitly). Nothing is added or wrapped. Its first line names the file,
 *       {@code // Name.java}; the test saves it under that name, and compiles the five files
 *       together, so a later step may use an earlier step's classes, as it would in the reader's
 *       directory (step 2 supervises step 1's {@code Counter}).</li>
 *   <li>A line that prints with {@code IO.println(...)} and ends with a comment says what it prints:
 *       {@code IO.println(val(counter)); // 2}. Run, a step must print exactly its comments, one
 *       line each, in order, and every step has at least one.</li>
 * </ul>
 *
 * <p>Compiling: javac through {@link ToolProvider} (the JDK's tool SPI, in {@code java.base}:
 * {@code javax.tools} would need this module to read {@code java.compiler}), on the test JVM's class
 * path and module path, into {@code target/readme-snippets/classes}; its diagnostics name the
 * README's lines. Running: each step with the README's command, {@code java --add-opens ... -cp CP
 * Name.java} in the directory of the five files (the source launcher finds {@code Counter.java}
 * for step 2 there, as it would in the reader's), in a JVM of its own, so that what a step starts
 * (the default node, step 5's nodes and embedded EPMD) ends with it, and a step that hangs is
 * killed. Each JVM gets a free {@code ERL_EPMD_PORT}, so step 5's EPMD never meets another one on
 * this machine.
 */
class ReadmeSnippetsTest {
    static final int STEPS = 5;
    static final long RUN_TIMEOUT_SECONDS = 60;
    static final Pattern FILE_NAME = Pattern.compile("^//\\s*(\\w+)\\.java\\b");
    static final Pattern JAVAC_LOCATION = Pattern.compile("(\\w+)\\.java:(\\d+)(?=: )");
    static final Pattern PRINTS = Pattern.compile("^\\s*IO\\.println\\(.*\\);\\s*//\\s?(.*?)\\s*$");

    /** A {@code ```java} block of the section: its file name, where it starts in the README, its text. */
    record Snippet(String name, int line, String source) {
        String file() {
            return name + ".java";
        }

        /** What the comments of its {@code IO.println} lines say it prints, in order. */
        List<String> expectedOutput() {
            return source.lines().map(PRINTS::matcher).filter(Matcher::matches).map(m -> m.group(1)).toList();
        }

        @Override
        public String toString() {
            return file() + " (README.md line " + line + ")";
        }
    }

    record Compilation(int exitCode, String output) {
    }

    static Path readme;
    static Path work;
    static List<Snippet> snippets;
    static Compilation compilation;

    @BeforeAll
    static void compileTheSnippets() throws IOException {
        Path basedir = Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
        readme = basedir.resolve("../README.md").normalize();
        if (!Files.isRegularFile(readme)) {
            fail("README.md not found at " + readme + ": this test reads the project's README from the parent of the "
                    + "examples module's directory (" + basedir + ", surefire's working directory)");
        }
        snippets = gettingStartedSnippets(Files.readAllLines(readme));
        work = basedir.resolve("target/readme-snippets");
        deleteRecursively(work);
        Path src = Files.createDirectories(work.resolve("src"));
        List<String> args = new ArrayList<>(List.of("-d", work.resolve("classes").toString(),
                "-cp", testClassPath(), "-proc:none", "-encoding", "UTF-8"));
        for (Snippet s : snippets) {
            args.add(Files.writeString(src.resolve(s.file()), s.source()).toString());
        }
        ToolProvider javac = ToolProvider.findFirst("javac")
                .orElseThrow(() -> new AssertionError("no javac in " + System.getProperty("java.home") + ": needs a JDK"));
        StringWriter out = new StringWriter();
        try (PrintWriter w = new PrintWriter(out)) {
            int rc = javac.run(w, w, args.toArray(String[]::new));
            w.flush();
            compilation = new Compilation(rc, out.toString());
        }
    }

    @Test
    void theSectionHasFiveStepsEachANamedFileThatSaysWhatItPrints() {
        assertThat(snippets).as("the ```java blocks of Getting started in %s", readme).hasSize(STEPS);
        assertThat(snippets.stream().map(Snippet::name).distinct().count())
                .as("each step names a file of its own: %s", snippets).isEqualTo(STEPS);
        for (Snippet s : snippets) {
            assertThat(s.expectedOutput())
                    .as("%s prints nothing that a comment states (IO.println(...); // what it prints)", s)
                    .isNotEmpty();
        }
    }

    @Test
    void everySnippetCompiles() {
        if (compilation.exitCode() != 0) {
            fail("the Getting started snippets of README.md do not compile (javac exit code " + compilation.exitCode()
                    + "); the files are in " + work.resolve("src") + ", from\n"
                    + snippets.stream().map(s -> "  " + s).collect(Collectors.joining("\n"))
                    + "\njavac says:\n" + withReadmeLines(compilation.output()));
        }
    }

    @TestFactory
    Stream<DynamicTest> everySnippetRunsAndPrintsWhatItsCommentsSay() {
        return snippets.stream().map(s -> DynamicTest.dynamicTest(s + " prints " + s.expectedOutput(), () -> {
            if (compilation.exitCode() != 0) {
                fail(s + " was not run: the snippets do not compile (see everySnippetCompiles)");
            }
            run(s);
        }));
    }

    /** Runs {@code s} as the README says to, in a JVM of its own, and checks its exit code and output. */
    static void run(Snippet s) throws Exception {
        Path dir = Files.createDirectories(work.resolve("run"));
        Path stdout = dir.resolve(s.name() + ".out");
        Path stderr = dir.resolve(s.name() + ".err");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "--add-opens", "java.base/java.lang=ALL-UNNAMED",
                "-cp", testClassPath(), s.file())
                .directory(work.resolve("src").toFile())
                .redirectOutput(stdout.toFile())
                .redirectError(stderr.toFile());
        pb.environment().put("ERL_EPMD_PORT", Integer.toString(freePort()));
        Process p = pb.start();
        try {
            if (!p.waitFor(RUN_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
                fail(s + " did not finish within " + RUN_TIMEOUT_SECONDS + " s (killed)" + outputs(stdout, stderr));
            }
            assertThat(p.exitValue()).as("exit code of %s%s", s, outputs(stdout, stderr)).isZero();
            assertThat(Files.readAllLines(stdout).stream().map(String::stripTrailing).toList())
                    .as("what %s prints, against its comments%s", s, outputs(stdout, stderr))
                    .containsExactlyElementsOf(s.expectedOutput());
        } finally {
            if (p.isAlive()) p.destroyForcibly().waitFor();
        }
    }

    /** The {@code ```java} blocks between {@code ## Getting started} and the next {@code ## } heading. */
    static List<Snippet> gettingStartedSnippets(List<String> lines) {
        int start = lines.indexOf("## Getting started");
        if (start < 0) fail("README.md has no '## Getting started' heading: " + readme);
        List<Snippet> found = new ArrayList<>();
        StringBuilder block = null;
        int blockLine = 0;
        for (int i = start + 1; i < lines.size() && !lines.get(i).startsWith("## "); i++) {
            String line = lines.get(i);
            if (block == null && line.strip().equals("```java")) {
                block = new StringBuilder();
                blockLine = i + 2; // 1-based, the block's first line
            } else if (block != null && line.strip().equals("```")) {
                found.add(snippet(block.toString(), blockLine));
                block = null;
            } else if (block != null) {
                block.append(line).append('\n');
            }
        }
        if (block != null) fail("a ```java block of Getting started is not closed: README.md line " + blockLine);
        return List.copyOf(found);
    }

    static Snippet snippet(String source, int line) {
        Matcher m = FILE_NAME.matcher(source);
        if (!m.find()) {
            fail("the ```java block at README.md line " + line + " does not start with the name of its file, "
                    + "as '// Name.java'; it starts with: " + source.lines().findFirst().orElse("(nothing)"));
        }
        return new Snippet(m.group(1), line, source);
    }

    /** javac's output, with the README's line next to each {@code Name.java:N} it names. */
    static String withReadmeLines(String javacOutput) {
        return JAVAC_LOCATION.matcher(javacOutput).replaceAll(m -> {
            String where = m.group();
            for (Snippet s : snippets) {
                if (s.name().equals(m.group(1))) {
                    where += " (README.md line " + (s.line() + Integer.parseInt(m.group(2)) - 1) + ")";
                }
            }
            return Matcher.quoteReplacement(where);
        });
    }

    /** This JVM's class path and module path: otp4j's modules and their dependencies (and JUnit's, unused). */
    static String testClassPath() {
        LinkedHashSet<String> entries = new LinkedHashSet<>();
        for (String prop : List.of("java.class.path", "jdk.module.path")) {
            Arrays.stream(System.getProperty(prop, "").split(File.pathSeparator))
                    .filter(e -> !e.isBlank())
                    .forEach(entries::add);
        }
        return String.join(File.pathSeparator, entries);
    }

    static String outputs(Path stdout, Path stderr) {
        return "\n--- stdout (" + stdout + "):\n" + read(stdout) + "\n--- stderr (" + stderr + "):\n" + read(stderr);
    }

    static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "(none)";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            return s.getLocalPort();
        }
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
