package io.videojam.flow;

import static org.bytedeco.opencv.global.opencv_core.CV_32FC2;
import static org.bytedeco.opencv.global.opencv_core.CV_8UC1;

import io.videojam.api.FloatTensor;
import io.videojam.api.FlowEstimator;
import io.videojam.api.FlowField;
import java.nio.FloatBuffer;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * The part the OpenCV estimators share: frame checks, the 8-bit grey conversion and native
 * buffers that live as long as the estimator. The two grey frames and the flow are OpenCV
 * headers over memory this class allocates once per frame size, so estimating the flows of a
 * long video allocates no native memory per frame on this side; everything is freed by
 * {@link #close()}. Not thread-safe (one estimator per thread).
 */
abstract class OpenCvFlowEstimator implements FlowEstimator {
  private final String name;
  private final int minSide;
  private int height;
  private int width;
  private byte[] grey;
  /** The flow as it comes out of OpenCV: u and v interleaved. */
  private float[] interleaved;
  /** A view of {@link #flowData} (CV_32FC2: u and v interleaved). */
  private FloatBuffer flowView;
  private BytePointer firstData;
  private BytePointer secondData;
  private FloatPointer flowData;
  private Mat firstMat;
  private Mat secondMat;
  private Mat flowMat;
  private boolean closed;

  /**
   * @param name the estimator's name, for error messages
   * @param minSide the smallest frame side it accepts
   */
  OpenCvFlowEstimator(String name, int minSide) {
    OpenCv.load();
    this.name = name;
    this.minSide = minSide;
  }

  @Override
  public final FlowField estimate(FloatTensor first, FloatTensor second) {
    if (closed) {
      throw new IllegalStateException("flow estimator " + name + " is closed");
    }
    int[] hw = FramePairs.checkPair(name, first, second, minSide);
    if (hw[0] != height || hw[1] != width) {
      allocate(hw[0], hw[1]);
    }
    FramePairs.luma(first, grey);
    firstData.put(grey);
    FramePairs.luma(second, grey);
    secondData.put(grey);
    calc(firstMat, secondMat, flowMat);
    int n = height * width;
    float[] u = new float[n];
    float[] v = new float[n];
    float[] uv = interleaved;
    flowView.get(0, uv); // one bulk copy out of native memory, then split
    for (int i = 0; i < n; i++) {
      u[i] = uv[2 * i];
      v[i] = uv[2 * i + 1];
    }
    return new FlowField(height, width, u, v);
  }

  /**
   * Computes the flow from {@code first} to {@code second} (8-bit, one channel, continuous) into
   * {@code flow}, a {@code CV_32FC2} matrix of the same size whose memory this class reads
   * afterwards: implementations write into it, never reallocate it.
   */
  abstract void calc(Mat first, Mat second, Mat flow);

  /** Frees what the subclass holds; called once by {@link #close()}. */
  void closeAlgorithm() {}

  private void allocate(int h, int w) {
    freeBuffers();
    int n = Math.multiplyExact(h, w);
    grey = new byte[n];
    interleaved = new float[2 * n];
    firstData = new BytePointer(n);
    secondData = new BytePointer(n);
    flowData = new FloatPointer(2L * n);
    flowView = flowData.asBuffer();
    firstMat = new Mat(h, w, CV_8UC1, firstData);
    secondMat = new Mat(h, w, CV_8UC1, secondData);
    flowMat = new Mat(h, w, CV_32FC2, flowData);
    height = h;
    width = w;
  }

  private void freeBuffers() {
    // Headers before the memory they point into.
    for (Mat m : new Mat[] {firstMat, secondMat, flowMat}) {
      if (m != null) {
        m.close();
      }
    }
    for (org.bytedeco.javacpp.Pointer p : new org.bytedeco.javacpp.Pointer[] {firstData, secondData, flowData}) {
      if (p != null) {
        p.close();
      }
    }
    firstMat = secondMat = flowMat = null;
    firstData = secondData = null;
    flowData = null;
    flowView = null;
    height = width = 0;
  }

  @Override
  public final void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      closeAlgorithm();
    } finally {
      freeBuffers();
    }
  }
}
