package io.videojam.conditioning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.videojam.api.BackendOptions;
import io.videojam.api.FloatTensor;
import io.videojam.api.LatentCodec;
import io.videojam.api.LatentCodecProvider;
import io.videojam.api.Settings;
import io.videojam.api.TensorInfo.ElementType;
import io.videojam.api.VideoJamException;
import io.videojam.backend.ort.OrtBackend;
import io.videojam.onnx.GraphBuilder;
import io.videojam.onnx.OnnxModels;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxVaeCodecTest {
  static final OrtBackend CPU = new OrtBackend(OrtBackend.Device.CPU);

  /** Encoder: 2x2 average pool over H and W; with {@code channelGain}, then x (1, 2, 3) over dim 2 (BTCHW's C). */
  static void writeEncoder(Path file, String in, String out, Object batch, boolean channelGain) {
    GraphBuilder g = new GraphBuilder("enc", 17);
    String x = g.input(in, ElementType.FLOAT, batch, "a", "b", "h", "w");
    String y = g.op("AveragePool", Map.of("kernel_shape", new long[] {1, 2, 2}, "strides", new long[] {1, 2, 2}), x);
    if (channelGain) {
      y = g.op("Mul", y, g.constant("gain", new float[] {1, 2, 3}, 1, 1, 3, 1, 1));
    }
    g.output(out, y, ElementType.FLOAT, batch, "a", "b", "h2", "w2");
    OnnxModels.write(g.build(), file);
  }

  /** Decoder: nearest 2x upsampling of H and W (each latent pixel repeated into a 2x2 block). */
  static void writeDecoder(Path file, String in, String out, Object batch) {
    GraphBuilder g = new GraphBuilder("dec", 17);
    String x = g.input(in, ElementType.FLOAT, batch, "a", "b", "h", "w");
    String y = g.op("Resize", Map.of("mode", "nearest", "coordinate_transformation_mode", "asymmetric", "nearest_mode", "floor"),
        x, "", g.constant("scales", new float[] {1, 1, 1, 2, 2}, 5));
    g.output(out, y, ElementType.FLOAT, batch, "a", "b", "h2", "w2");
    OnnxModels.write(g.build(), file);
  }

  static Path modelDir(Path dir) {
    writeEncoder(dir.resolve("enc.onnx"), "sample", "latent", "batch", false);
    writeDecoder(dir.resolve("dec.onnx"), "latent", "sample", "batch");
    return dir;
  }

  static Settings settings(Object... kv) {
    Map<String, Object> m = new HashMap<>(Map.of("encoder", "enc.onnx", "decoder", "dec.onnx", "spatial-compression", 2));
    for (int i = 0; i < kv.length; i += 2) {
      if (kv[i + 1] == null) {
        m.remove((String) kv[i]);
      } else {
        m.put((String) kv[i], kv[i + 1]);
      }
    }
    return new Settings(m, "model.json \"codec\"");
  }

  static LatentCodec create(Path dir, Settings s) {
    return new OnnxVaeCodec.Provider().create(dir, s, CPU, BackendOptions.defaults());
  }

  /** A video [B, 3, T, 4, 4] in [-1, 1]: value i / n * 2 - 1 at flat index i. */
  static FloatTensor video(int b, int t) {
    int n = b * 3 * t * 16;
    float[] d = new float[n];
    for (int i = 0; i < n; i++) {
      d[i] = (float) i / n * 2 - 1;
    }
    return new FloatTensor(new long[] {b, 3, t, 4, 4}, d);
  }

  /** The 2x2 mean of pixel block (y, x) of plane p of a [.., 4, 4] tensor. */
  static float pool(float[] v, int p, int y, int x) {
    int o = p * 16 + 2 * y * 4 + 2 * x;
    return (v[o] + v[o + 1] + v[o + 4] + v[o + 5]) / 4;
  }

  @Test
  void encodeAveragesThenSubtractsShiftAndScales(@TempDir Path dir) {
    try (LatentCodec c = create(modelDir(dir), settings("scaling-factor", 2.0, "shift-factor", 0.25))) {
      FloatTensor v = video(2, 3);
      FloatTensor z = c.encode(v);
      assertThat(z.shape()).containsExactly(2, 3, 3, 2, 2);
      for (int p = 0; p < 2 * 3 * 3; p++) {
        for (int y = 0; y < 2; y++) {
          for (int x = 0; x < 2; x++) {
            assertThat(z.data()[p * 4 + y * 2 + x]).isCloseTo((pool(v.data(), p, y, x) - 0.25f) * 2, within(1e-6f));
          }
        }
      }
      // first block by hand: n = 288, values (i / 288) * 2 - 1 at i = 0, 1, 4, 5 -> mean 10/288 * 2/4 - 1
      assertThat(z.data()[0]).isCloseTo(((10f / 288 * 2 / 4 - 1) - 0.25f) * 2, within(1e-6f));
    }
  }

  @Test
  void decodeGivesLatentOverScalePlusShiftRepeatedAndClamped(@TempDir Path dir) {
    try (LatentCodec c = create(modelDir(dir), settings("scaling-factor", 2.0, "shift-factor", 0.25))) {
      // z = latent / 2 + 0.25: -2 -> -0.75, 0 -> 0.25, 1 -> 0.75, 4 -> 2.25 (clamped to 1), -4 -> -1.75 (clamped to -1), 0.5 -> 0.5
      float[] l = {-2, 0, 1, 4, -4, 0.5f};
      FloatTensor d = c.decode(new FloatTensor(new long[] {1, 3, 1, 1, 2}, l));
      assertThat(d.shape()).containsExactly(1, 3, 1, 2, 4);
      assertThat(d.data()).containsExactly(
          -0.75f, -0.75f, 0.25f, 0.25f, -0.75f, -0.75f, 0.25f, 0.25f,
          0.75f, 0.75f, 1f, 1f, 0.75f, 0.75f, 1f, 1f,
          -1f, -1f, 0.5f, 0.5f, -1f, -1f, 0.5f, 0.5f);
    }
    try (LatentCodec c = create(dir, settings("clamp", false))) {
      assertThat(c.decode(new FloatTensor(new long[] {1, 3, 1, 1, 1}, new float[] {4, -4, 0})).data()).contains(4f, -4f, 0f);
    }
  }

  @Test
  void roundTripOfABlockVideoIsExact(@TempDir Path dir) {
    try (LatentCodec c = create(modelDir(dir), settings("scaling-factor", 0.5, "shift-factor", -0.5))) {
      float[] blocks = {-1, -0.5f, 0.25f, 1};
      float[] v = new float[3 * 2 * 16];
      for (int p = 0; p < 6; p++) {
        for (int i = 0; i < 16; i++) {
          v[p * 16 + i] = blocks[((i / 4) / 2) * 2 + (i % 4) / 2] * (p % 2 == 0 ? 1 : -1);
        }
      }
      FloatTensor video = new FloatTensor(new long[] {1, 3, 2, 4, 4}, v);
      FloatTensor z = c.encode(video);
      assertThat(z.data()).startsWith((-1 + 0.5f) * 0.5f, (-0.5f + 0.5f) * 0.5f, (0.25f + 0.5f) * 0.5f, (1 + 0.5f) * 0.5f);
      assertThat(c.decode(z).data()).containsExactly(v);
    }
  }

  @Test
  void btchwLayoutIsPermutedOnTheWayInAndOut(@TempDir Path dir) {
    writeEncoder(dir.resolve("enc-t.onnx"), "sample", "latent", "batch", true);
    writeDecoder(dir.resolve("dec.onnx"), "latent", "sample", "batch");
    try (LatentCodec c = create(dir, settings("encoder", "enc-t.onnx", "layout", "BTCHW"))) {
      FloatTensor v = video(1, 2); // T = 2: with the wrong layout the [1, 1, 3, 1, 1] gain would not broadcast
      FloatTensor z = c.encode(v);
      assertThat(z.shape()).containsExactly(1, 3, 2, 2, 2);
      for (int ch = 0; ch < 3; ch++) {
        for (int t = 0; t < 2; t++) {
          int p = ch * 2 + t;
          assertThat(z.data()[p * 4 + 3]).isCloseTo(pool(v.data(), p, 1, 1) * (ch + 1), within(1e-6f));
        }
      }
      FloatTensor d = c.decode(new FloatTensor(new long[] {1, 3, 2, 1, 1}, new float[] {0.1f, 0.2f, 0.3f, 0.4f, 0.5f, 0.6f}));
      assertThat(d.shape()).containsExactly(1, 3, 2, 2, 2);
      assertThat(d.data()).containsExactly(0.1f, 0.1f, 0.1f, 0.1f, 0.2f, 0.2f, 0.2f, 0.2f, 0.3f, 0.3f, 0.3f, 0.3f,
          0.4f, 0.4f, 0.4f, 0.4f, 0.5f, 0.5f, 0.5f, 0.5f, 0.6f, 0.6f, 0.6f, 0.6f);
    }
  }

  @Test
  void graphsExportedWithBatchOneRunSampleBySample(@TempDir Path dir) {
    writeEncoder(dir.resolve("enc1.onnx"), "x", "z", 1L, false);
    writeDecoder(dir.resolve("dec1.onnx"), "z", "x", 1L);
    Settings s = settings("encoder", "enc1.onnx", "decoder", "dec1.onnx", "encoder-input", "x", "encoder-output", "z",
        "decoder-input", "z", "decoder-output", "x");
    try (LatentCodec c = create(dir, s); LatentCodec ref = create(modelDir(dir), settings())) {
      FloatTensor v = video(3, 1);
      assertThat(c.encode(v)).isEqualTo(ref.encode(v));
      FloatTensor z = ref.encode(v);
      assertThat(c.decode(z)).isEqualTo(ref.decode(z));
    }
  }

  @Test
  void shapeChecksNameTheSettings(@TempDir Path dir) {
    try (LatentCodec c = create(modelDir(dir), settings("temporal-compression", 2, "temporal-mode", "uniform"))) {
      assertThatThrownBy(() -> c.encode(video(1, 3))).isInstanceOf(VideoJamException.class)
          .hasMessageContaining("3 frames").hasMessageContaining("frames 2n").hasMessageNotContaining("\n");
      assertThatThrownBy(() -> c.encode(video(1, 4))).isInstanceOf(VideoJamException.class)
          .hasMessageContaining("expected [1, 3, 2, 2, 2]").hasMessageContaining("\"temporal-compression\"").hasMessageNotContaining("\n");
      assertThatThrownBy(() -> c.decode(FloatTensor.zeros(1, 3, 2, 1, 1))).isInstanceOf(VideoJamException.class)
          .hasMessageContaining("the decoder gave a video [1, 3, 2, 2, 2]").hasMessageContaining("expected [1, 3, 4, 2, 2]");
    }
    try (LatentCodec c = create(dir, settings("temporal-compression", 4))) { // causal: 1 + 4n frames
      assertThatThrownBy(() -> c.encode(video(1, 4))).isInstanceOf(VideoJamException.class).hasMessageContaining("1 + 4n");
      assertThatThrownBy(() -> c.encode(video(1, 5))).isInstanceOf(VideoJamException.class).hasMessageContaining("expected [1, 3, 2, 2, 2]");
    }
    try (LatentCodec c = create(dir, settings("latent-channels", 16))) {
      assertThatThrownBy(() -> c.encode(video(1, 1))).isInstanceOf(VideoJamException.class).hasMessageContaining("\"latent-channels\"");
      assertThatThrownBy(() -> c.decode(FloatTensor.zeros(1, 3, 1, 1, 1))).isInstanceOf(VideoJamException.class)
          .hasMessageContaining("[B, 16, T', H', W']");
    }
    try (LatentCodec c = create(dir, settings())) {
      assertThatThrownBy(() -> c.encode(FloatTensor.zeros(1, 3, 1, 3, 4))).isInstanceOf(VideoJamException.class)
          .hasMessageContaining("multiples of 2");
    }
  }

  @Test
  void decodeOnlyModelsWork(@TempDir Path dir) {
    modelDir(dir);
    try (LatentCodec c = create(dir, settings("encoder", null))) {
      assertThat(c.decode(new FloatTensor(new long[] {1, 3, 1, 1, 1}, new float[] {0.1f, 0.2f, 0.3f})).data()).hasSize(12);
      assertThatThrownBy(() -> c.encode(video(1, 1))).isInstanceOf(VideoJamException.class)
          .hasMessageContaining("decode-only").hasMessageContaining("\"encoder\"");
    }
  }

  @Test
  void missingFilesAndNameMismatchesAreOneLine(@TempDir Path dir) {
    modelDir(dir);
    for (String[] kv : List.of(new String[] {"decoder", "vae_decoder.onnx"}, new String[] {"encoder", "vae_encoder.onnx"})) {
      assertThatThrownBy(() -> create(dir, settings(kv[0], kv[1]))).isInstanceOf(VideoJamException.class)
          .hasMessageContaining("model.json \"codec\"").hasMessageContaining(kv[1]).hasMessageContaining("does not exist")
          .hasMessageContaining("\"" + kv[0] + "\"").hasMessageNotContaining("\n");
    }
    assertThatThrownBy(() -> create(dir, settings("encoder-input", "video"))).isInstanceOf(VideoJamException.class)
        .hasMessageContaining("enc.onnx has no input 'video' (its inputs: [sample]); set \"encoder-input\"").hasMessageNotContaining("\n");
    assertThatThrownBy(() -> create(dir, settings("encoder-output", "z"))).isInstanceOf(VideoJamException.class)
        .hasMessageContaining("enc.onnx has no output 'z' (its outputs: [latent]); set \"encoder-output\"");
    assertThatThrownBy(() -> create(dir, settings("decoder-input", "z"))).isInstanceOf(VideoJamException.class)
        .hasMessageContaining("dec.onnx has no input 'z'").hasMessageContaining("\"decoder-input\"");
    assertThatThrownBy(() -> create(dir, settings("decoder-output", "video"))).isInstanceOf(VideoJamException.class)
        .hasMessageContaining("dec.onnx has no output 'video' (its outputs: [sample]); set \"decoder-output\"");
    assertThatThrownBy(() -> create(dir, settings("scaling-factor", 0))).isInstanceOf(VideoJamException.class).hasMessageContaining("\"scaling-factor\"");
    assertThatThrownBy(() -> create(dir, settings("layout", "BHWC"))).isInstanceOf(VideoJamException.class).hasMessageContaining("\"layout\"");
    assertThatThrownBy(() -> create(dir, settings("temporal-mode", "x"))).isInstanceOf(VideoJamException.class).hasMessageContaining("\"temporal-mode\"");
    assertThatThrownBy(() -> new OnnxVaeCodec.Provider().create(dir, settings(), null, BackendOptions.defaults()))
        .isInstanceOf(VideoJamException.class).hasMessageContaining("needs a backend");
  }

  @Test
  void closeIsIdempotentAndTheProviderIsRegistered(@TempDir Path dir) {
    LatentCodec c = create(modelDir(dir), settings());
    c.close();
    c.close();
    assertThatThrownBy(() -> c.decode(FloatTensor.zeros(1, 3, 1, 1, 1))).isInstanceOf(IllegalStateException.class);
    assertThat(ServiceLoader.load(LatentCodecProvider.class).stream().map(p -> p.get().name()).toList()).contains("identity", "onnx-vae");
  }
}
