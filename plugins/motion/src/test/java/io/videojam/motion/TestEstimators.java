package io.videojam.motion;

import io.videojam.api.Backend;
import io.videojam.api.BackendOptions;
import io.videojam.api.FloatTensor;
import io.videojam.api.FlowEstimator;
import io.videojam.api.FlowEstimatorProvider;
import io.videojam.api.FlowField;
import io.videojam.api.Settings;
import io.videojam.api.VideoJamException;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/** Test-only flow estimators, registered in src/test/resources/META-INF/services. */
public final class TestEstimators {
  private TestEstimators() {}

  /** Estimators made, closed, and the threads that used them (reset by each test that reads them). */
  static final AtomicInteger CREATED = new AtomicInteger();
  static final AtomicInteger CLOSED = new AtomicInteger();
  static final Set<String> THREADS = ConcurrentHashMap.newKeySet();

  static void reset() {
    CREATED.set(0);
    CLOSED.set(0);
    THREADS.clear();
  }

  /** The level 0..255 a frame of {@link #video} has everywhere for frame index t. */
  static int level(int t) {
    return 10 * t + 5;
  }

  /** A video [3, T, H, W] whose frame t is the constant level(t) in every channel. */
  static FloatTensor video(int frames, int height, int width) {
    int pixels = height * width;
    float[] data = new float[3 * frames * pixels];
    for (int c = 0; c < 3; c++) {
      for (int t = 0; t < frames; t++) {
        Arrays.fill(data, (c * frames + t) * pixels, (c * frames + t + 1) * pixels, level(t) / 127.5f - 1);
      }
    }
    return new FloatTensor(new long[] {3, frames, height, width}, data);
  }

  /** The frame index of a frame of {@link #video}. */
  static int index(FloatTensor frame) {
    int level = Math.round((frame.data()[0] + 1) * 127.5f);
    return (level - 5) / 10;
  }

  /**
   * The flow test-diff returns between frames a and b: u = a + 1 + x / 100, v = -(b + 1) - y / 100,
   * so that every motion frame tells which frame pair it came from, and every pixel where it is.
   */
  static FlowField diffFlow(int a, int b, int height, int width) {
    float[] u = new float[height * width];
    float[] v = new float[height * width];
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) {
        u[y * width + x] = a + 1 + x / 100f;
        v[y * width + x] = -(b + 1) - y / 100f;
      }
    }
    return new FlowField(height, width, u, v);
  }

  /** Counts itself and refuses to be used by two threads at once. */
  abstract static class Counted implements FlowEstimator {
    private final AtomicBoolean busy = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();

    Counted() {
      CREATED.incrementAndGet();
    }

    @Override
    public final FlowField estimate(FloatTensor first, FloatTensor second) {
      if (closed.get()) {
        throw new IllegalStateException("estimator used after close");
      }
      if (!busy.compareAndSet(false, true)) {
        throw new IllegalStateException("estimator used by two threads at once");
      }
      try {
        THREADS.add(Thread.currentThread().getName());
        return compute(first, second);
      } finally {
        busy.set(false);
      }
    }

    abstract FlowField compute(FloatTensor first, FloatTensor second);

    @Override
    public void close() {
      if (closed.compareAndSet(false, true)) {
        CLOSED.incrementAndGet();
      }
    }
  }

  /** {@code test-constant:U,V}: the same flow (U, V) everywhere. */
  public static final class Constant implements FlowEstimatorProvider {
    @Override
    public String name() {
      return "test-constant";
    }

    @Override
    public Supplier<FlowEstimator> factory(String argument, Settings settings, Backend backend, BackendOptions options) {
      String[] parts = argument == null ? new String[0] : argument.split(",");
      if (parts.length != 2) {
        throw new VideoJamException("test-constant needs U,V, got " + argument);
      }
      float u = Float.parseFloat(parts[0]);
      float v = Float.parseFloat(parts[1]);
      return () -> new Counted() {
        @Override
        FlowField compute(FloatTensor first, FloatTensor second) {
          int h = (int) first.shape()[1];
          int w = (int) first.shape()[2];
          float[] us = new float[h * w];
          float[] vs = new float[h * w];
          Arrays.fill(us, u);
          Arrays.fill(vs, v);
          return new FlowField(h, w, us, vs);
        }
      };
    }
  }

  /**
   * {@code test-diff}: {@link #diffFlow} of the two frames' indices; sleeps longer for earlier
   * pairs so that parallel workers finish out of order.
   */
  public static final class Diff implements FlowEstimatorProvider {
    @Override
    public String name() {
      return "test-diff";
    }

    @Override
    public Supplier<FlowEstimator> factory(String argument, Settings settings, Backend backend, BackendOptions options) {
      return () -> new Counted() {
        @Override
        FlowField compute(FloatTensor first, FloatTensor second) {
          int a = index(first);
          int b = index(second);
          try {
            Thread.sleep(Math.max(0, 8 - 2 * a));
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return diffFlow(a, b, (int) first.shape()[1], (int) first.shape()[2]);
        }
      };
    }
  }

  /**
   * {@code test-fail:MODE@K}: fails on the pair starting at frame K. MODE {@code throw} throws a
   * VideoJamException, {@code nan} returns a NaN flow, {@code size} a field of the wrong size.
   */
  public static final class Failing implements FlowEstimatorProvider {
    @Override
    public String name() {
      return "test-fail";
    }

    @Override
    public Supplier<FlowEstimator> factory(String argument, Settings settings, Backend backend, BackendOptions options) {
      String mode = argument.substring(0, argument.indexOf('@'));
      int bad = Integer.parseInt(argument.substring(argument.indexOf('@') + 1));
      return () -> new Counted() {
        @Override
        FlowField compute(FloatTensor first, FloatTensor second) {
          int a = index(first);
          int h = (int) first.shape()[1];
          int w = (int) first.shape()[2];
          if (a != bad) {
            return FlowField.zeros(h, w);
          }
          switch (mode) {
            case "throw":
              throw new VideoJamException("test estimator failed on frame " + a);
            case "nan": {
              FlowField f = FlowField.zeros(h, w);
              f.v()[w + 1] = Float.NaN;
              return f;
            }
            default:
              return FlowField.zeros(h + 1, w);
          }
        }
      };
    }
  }
}
