/**
 * Erlang terms as Java values, and their external term format ({@link io.otp4j.dist.term.Etf}):
 * atoms ({@link io.otp4j.Atom}), tuples ({@link io.otp4j.Tuple}), lists, maps, binaries
 * ({@link io.otp4j.dist.term.Binary}, {@link io.otp4j.dist.term.BitBinary}), integers, floats, pids
 * ({@link io.otp4j.Pid}), references ({@link io.otp4j.Ref}), ports ({@link io.otp4j.dist.term.Port})
 * and funs ({@link io.otp4j.dist.term.ExportFun}, {@link io.otp4j.dist.term.LocalFun}), plus Java
 * records as tagged tuples ({@link io.otp4j.dist.term.RecordTags}).
 *
 * <h2>The mapping</h2>
 * <ul>
 *   <li>atom: {@code Atom}, except {@code true} and {@code false}, which are {@code Boolean}s;
 *   <li>integer: decoded to {@code Integer} when it fits in 32 bits, else {@code Long} when it fits
 *       in 64, else {@code BigInteger}; encoded from {@code Integer}, {@code Long}, {@code Short},
 *       {@code Byte}, {@code BigInteger};
 *   <li>float: {@code Double} (a {@code Float} is encoded as a double); Erlang floats are finite;
 *   <li>tuple: {@code Tuple}, or a registered record ({@code RecordTags});
 *   <li>list: a proper list is an unmodifiable {@code java.util.List} (any {@code List} encodes);
 *       an improper one an {@code ImproperList}; an Erlang string such as {@code "abc"} is the list
 *       {@code [97,98,99]}, a {@code List<Integer>};
 *   <li>map: an unmodifiable {@code java.util.Map}, in no particular order;
 *   <li>binary: {@code Binary}; bitstring: {@code BitBinary}. A Java {@code String} is encoded as a
 *       UTF-8 binary, as Elixir represents strings, and so decodes back as a {@code Binary}
 *       ({@code Binary.utf8()} gives the text back); a {@code byte[]} too;
 *   <li>pid: {@code Pid}; reference: {@code Ref}; port: {@code Port};
 *   <li>{@code fun M:F/A}: {@code ExportFun}; a local fun: {@code LocalFun}, which keeps its bytes
 *       to go back unchanged.
 * </ul>
 * {@code null} and other Java objects have no external form: encoding them fails with an
 * {@code EncodeException} naming the type and its place in the term. Malformed input fails
 * decoding with a {@code DecodeException}, never another exception, within the limits of
 * {@code DecodeOptions}.
 */
package io.otp4j.dist.term;
