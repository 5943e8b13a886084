package io.otp4j;

/** A message was sent to a name that no process has registered (Erlang's {@code badarg}). */
public final class NoSuchNameException extends IllegalArgumentException {
    private final String name;

    public NoSuchNameException(String name, String node) {
        super("no process is registered as '" + name + "' on node " + node);
        this.name = name;
    }

    public String name() {
        return name;
    }
}
