package io.otp4j.internal;

/**
 * What a behaviour's loop tells {@code process_info} about itself: the object a loop stores with
 * {@link ProcessImpl#behaviour(Object)} implements this, so that {@link NodeRuntime#info} can name
 * the behaviour and its callback class without knowing the loops.
 */
public interface BehaviourInfo {

    /** The behaviour, as {@link io.otp4j.ProcessInfo#behaviour()} shows it ({@code "GenServer"}...). */
    String behaviourName();

    /** The class implementing its callbacks, as {@link io.otp4j.ProcessInfo#module()} shows it. */
    String moduleName();

    /**
     * The name of {@code o}'s class, or for a lambda the class that declares it (a lambda's hidden
     * class is named {@code Outer$$Lambda/0x...}, which means nothing to a reader).
     */
    static String classNameOf(Object o) {
        String n = o.getClass().getName();
        int i = n.indexOf("$$Lambda");
        return i > 0 ? n.substring(0, i) : n;
    }
}
