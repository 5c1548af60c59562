package io.videojam.metrics;

/**
 * The metrics of one video, as computed by {@link VideoMetrics#compute}; see the methods of
 * {@link VideoMetrics} for each definition.
 *
 * @param dynamicDegree VBench dynamic degree of this video: 1.0 (dynamic) or 0.0 (static)
 * @param meanFlowTop5 mean over frame pairs of the mean of the top 5% flow magnitudes, pixels
 * @param temporalFlickering VBench temporal flickering in [0, 1], 1 = no change between frames
 * @param motionSmoothness 1 - mean frame-interpolation error, in [0, 1], higher is smoother
 *     (NaN for fewer than three frames)
 * @param warpingError mean squared flow warping error over non-occluded pixels, [0, 1] units,
 *     lower is better (NaN when every pixel of every pair is occluded)
 * @param subjectPersistence subject persistence in [0, 1], higher is more persistent
 */
public record MetricsReport(double dynamicDegree, double meanFlowTop5, double temporalFlickering,
    double motionSmoothness, double warpingError, double subjectPersistence) {}
