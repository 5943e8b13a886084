/** Distribution: running an otp4j node as a member of an Erlang cluster. */
package io.otp4j.dist;
