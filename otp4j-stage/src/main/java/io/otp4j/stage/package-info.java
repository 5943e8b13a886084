/**
 * GenStage: stages exchanging events under demand (see {@code GenStage}).
 */
package io.otp4j.stage;
