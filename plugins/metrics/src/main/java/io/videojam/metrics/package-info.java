/**
 * Automatic video metrics for evaluating generated clips (spec section 6):
 * {@link io.videojam.metrics.VideoMetrics} computes VBench's dynamic degree and temporal
 * flickering, flow-based motion smoothness (frame-interpolation error) and flow warping error,
 * and a simple subject-persistence score, collected in a {@link io.videojam.metrics.MetricsReport}.
 * Flows come from any {@link io.videojam.api.FlowEstimator}, e.g. the {@code dis} estimator of
 * {@code videojam-flow}.
 */
package io.videojam.metrics;
