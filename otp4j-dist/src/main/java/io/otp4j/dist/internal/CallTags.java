package io.otp4j.dist.internal;

import io.otp4j.Atom;
import io.otp4j.Ref;
import io.otp4j.Tuple;
import io.otp4j.dist.term.ImproperList;

import java.util.List;

/**
 * The tags of {@code gen} calls as they travel: a reference; {@code [alias | Ref]} (OTP 24+, the
 * reply goes to the process alias {@code Ref}); or {@code {Ref, Node}} from
 * {@code gen_server:multi_call}.
 */
final class CallTags {
    private static final Atom ALIAS = Atom.of("alias");

    private CallTags() {
    }

    /** {@code [alias | ref]}, the tag of a call answered through the alias {@code ref}. */
    static Object aliasTag(Ref ref) {
        return new ImproperList(List.of(ALIAS), ref);
    }

    /** The alias of a tag {@code [alias | Ref]}; null for any other tag. */
    static Ref aliasOf(Object tag) {
        return tag instanceof ImproperList l && l.tail() instanceof Ref r && l.elements().size() == 1
                && ALIAS.equals(l.elements().get(0)) ? r : null;
    }

    /** The reference a call tag holds; null when it is not a call tag. */
    static Ref refOf(Object tag) {
        if (tag instanceof Ref r) return r;
        if (tag instanceof ImproperList l && l.tail() instanceof Ref r) return r;
        if (tag instanceof Tuple t && t.size() == 2 && t.get(0) instanceof Ref r) return r;
        return null;
    }
}
