package io.otp4j.dist.term;

/**
 * A Java value that has no external term format: {@code null}, a type the codec does not map (see
 * {@link Etf}), a record not registered in {@link RecordTags}, a float that is not finite. The
 * message names the type and where it sits in the term, as a path from the root ({@code $}):
 * {@code {2}} is a tuple's second element, {@code [3]} a list's element at 0-based index 3,
 * {@code |} an improper list's tail, {@code #{k}} the value under key {@code k} of a map,
 * {@code #key} a map's key, {@code .name} a record's component.
 */
public class EncodeException extends RuntimeException {
    private final String path;

    public EncodeException(String path, String message) {
        super(message + " (at " + path + ")");
        this.path = path;
    }

    /** Where the value sits in the term being encoded, such as {@code ${2}[0].name}. */
    public String path() {
        return path;
    }
}
