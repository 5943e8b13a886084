package io.otp4j.examples.infosys;

/**
 * One answer to a query.
 *
 * @param backend the backend that gave it
 * @param text    the answer
 * @param score   how good it is: higher is better
 */
public record Result(String backend, String text, int score) {
}
