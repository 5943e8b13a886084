package io.otp4j.bench.pekko;

/** A failed self-check or a bad parameter: reported as {@code FAIL bench=... reason=<message>}. */
final class BenchFailure extends RuntimeException {
  BenchFailure(String reason) {
    super(reason);
  }

  BenchFailure(String reason, Throwable cause) {
    super(reason, cause);
  }
}
