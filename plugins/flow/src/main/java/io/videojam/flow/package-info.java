/**
 * Optical-flow estimators for VideoJAM's motion representation (spec section 4), found through
 * {@link io.videojam.api.FlowEstimatorProvider}: {@code dis[:ultrafast|fast|medium]} and
 * {@code farneback} (OpenCV, CPU; {@link io.videojam.flow.DisFlowEstimator},
 * {@link io.videojam.flow.FarnebackFlowEstimator}) and {@code raft:FILE.onnx}, any flow network
 * exported to ONNX run on a {@link io.videojam.api.Backend}
 * ({@link io.videojam.flow.OnnxFlowEstimator}).
 *
 * <p>{@link io.videojam.flow.FlowEstimators#estimateAll} computes the T - 1 flows of a video on
 * several threads, one estimator each, in frame order and with the same result for any thread
 * count; {@link io.videojam.flow.FlowEstimators#framesPerSecond} times an estimator for benches.
 * Failures the user can fix are one-line {@link io.videojam.api.VideoJamException}s.
 */
package io.videojam.flow;
