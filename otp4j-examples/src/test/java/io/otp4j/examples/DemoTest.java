package io.otp4j.examples;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;

import static org.assertj.core.api.Assertions.assertThat;

class DemoTest {
    @Test
    void theDemoShowsACrashAndTheRestart() throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        new Demo(new PrintStream(buf, true)).run();
        String out = buf.toString();
        assertThat(out)
                .contains("counter value: 3")
                .containsPattern("counter <0\\.\\d+\\.\\d+> died: \\{java.lang.IllegalArgumentException: counter cannot handle it}")
                .contains("in a known good state: value 0")
                .contains("supervisor stopped; counter alive? false")
                .contains("demo finished");
    }
}
