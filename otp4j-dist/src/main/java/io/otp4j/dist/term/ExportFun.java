package io.otp4j.dist.term;

import io.otp4j.Atom;

import java.util.Objects;

/**
 * An external fun, Erlang's {@code fun Module:Function/Arity}: a function named by module, name and
 * arity, valid on any node that has the module.
 *
 * @param module   the module
 * @param function the function's name
 * @param arity    its arity, 0 to 255
 */
public record ExportFun(Atom module, Atom function, int arity) {
    public ExportFun {
        Objects.requireNonNull(module, "module");
        Objects.requireNonNull(function, "function");
        if (arity < 0 || arity > 255) throw new IllegalArgumentException("an arity is 0 to 255, got " + arity);
    }

    /** {@code fun module:function/arity}. */
    public static ExportFun of(String module, String function, int arity) {
        return new ExportFun(Atom.of(module), Atom.of(function), arity);
    }

    @Override
    public String toString() {
        return "fun " + module + ":" + function + "/" + arity;
    }
}
