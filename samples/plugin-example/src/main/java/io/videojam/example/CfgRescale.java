package io.videojam.example;

import io.videojam.api.GuidanceProvider;
import io.videojam.api.GuidanceRule;
import io.videojam.api.LatentShape;
import io.videojam.api.ModelInfo;
import io.videojam.api.Pass;
import io.videojam.api.Settings;
import io.videojam.api.VideoJamException;
import java.util.List;
import java.util.Map;

/**
 * An example guidance plugin in its own jar: text CFG with the rescale of Lin et al. (2024,
 * "Common diffusion noise schedules and sample steps are flawed"). With g = (1 + w) u_c - w u_u,
 * each sample's guided velocity is rescaled to the standard deviation of the conditional one,
 * r = g * std(u_c) / std(g), and blended: u = phi r + (1 - phi) g.
 *
 * <p>Registered in {@code META-INF/services/io.videojam.api.GuidanceProvider}; put the jar on the
 * class path and select it with {@code --guidance cfg-rescale --guidance-param phi=0.7}.
 */
public final class CfgRescale implements GuidanceProvider {
  @Override
  public String name() {
    return "cfg-rescale";
  }

  @Override
  public String description() {
    return "example plugin: CFG rescaled to the conditional std (w=5, phi=0.7)";
  }

  @Override
  public GuidanceRule create(Settings s, ModelInfo model) {
    double w = s.number("w", 5);
    double phi = s.number("phi", 0.7);
    if (phi < 0 || phi > 1) {
      throw new VideoJamException("cfg-rescale: phi must be in [0, 1], got " + phi);
    }
    return new GuidanceRule() {
      @Override
      public String name() {
        return "cfg-rescale";
      }

      @Override
      public List<Pass> passes() {
        return List.of(Pass.FULL, Pass.NO_TEXT);
      }

      @Override
      public void combine(List<float[]> outputs, LatentShape shape, float[] out) {
        float[] c = outputs.get(0);
        float[] u = outputs.get(1);
        int n = shape.sampleSize();
        for (int b = 0; b < shape.batch(); b++) {
          int from = b * n;
          for (int i = from; i < from + n; i++) {
            out[i] = (float) ((1 + w) * c[i] - w * u[i]);
          }
          double ratio = std(c, from, n) / Math.max(std(out, from, n), 1e-12);
          for (int i = from; i < from + n; i++) {
            out[i] = (float) (phi * out[i] * ratio + (1 - phi) * out[i]);
          }
        }
      }

      @Override
      public Map<String, Object> settings() {
        return Map.of("w", w, "phi", phi);
      }
    };
  }

  static double std(float[] v, int from, int n) {
    double mean = 0;
    for (int i = from; i < from + n; i++) {
      mean += v[i];
    }
    mean /= n;
    double var = 0;
    for (int i = from; i < from + n; i++) {
      var += (v[i] - mean) * (v[i] - mean);
    }
    return Math.sqrt(var / n);
  }
}
