package io.videojam.conditioning;

import io.videojam.api.Backend;
import io.videojam.api.BackendOptions;
import io.videojam.api.FloatTensor;
import io.videojam.api.GraphSession;
import io.videojam.api.LatentCodec;
import io.videojam.api.LatentCodecProvider;
import io.videojam.api.Settings;
import io.videojam.api.Tensor;
import io.videojam.api.TensorInfo;
import io.videojam.api.VideoJamException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * A video VAE or TAE exported to ONNX: an encoder {@code video -> z} (optional) and a decoder
 * {@code z -> video}, both on {@code [B, C, T, H, W]} (or {@code [B, T, C, H, W]}, {@code
 * "layout": "BTCHW"}), videos in [-1, 1]. Encode gives {@code latent = (z - shift) * scale},
 * decode runs the decoder on {@code z = latent / scale + shift} and clamps to [-1, 1].
 *
 * <p>model.json: {@code "codec": {"type": "onnx-vae", "encoder": "vae_encoder.onnx", "decoder":
 * "vae_decoder.onnx", "scaling-factor": 1.0, "shift-factor": 0.0, "temporal-compression": 4,
 * "spatial-compression": 8}}, plus optional {@code "encoder-input"} ({@code sample}), {@code
 * "encoder-output"} ({@code latent}), {@code "decoder-input"} ({@code latent}), {@code
 * "decoder-output"} ({@code sample}), {@code "latent-channels"} (checked when given), {@code
 * "temporal-mode"} ({@code causal}: T' = 1 + (T - 1) / k, as Wan, CogVideoX, LTX, HunyuanVideo;
 * {@code uniform}: T' = T / k), {@code "layout"} ({@code BCTHW} or {@code BTCHW}) and {@code
 * "clamp"} (true). Without {@code "encoder"} the codec is decode-only.
 */
public final class OnnxVaeCodec implements LatentCodec {
  private final String origin;
  private final GraphSession encoder; // null: decode-only
  private final GraphSession decoder;
  private final String encoderIn;
  private final String encoderOut;
  private final String decoderIn;
  private final String decoderOut;
  private final boolean encoderPerSample;
  private final boolean decoderPerSample;
  private final float scale;
  private final float shift;
  private final int kt;
  private final int ks;
  private final boolean causal;
  private final boolean btchw;
  private final int latentChannels; // 0: not checked
  private final boolean clamp;
  private boolean closed;

  private OnnxVaeCodec(Settings s, GraphSession encoder, GraphSession decoder, boolean encoderPerSample, boolean decoderPerSample) {
    this.origin = s.origin();
    this.encoder = encoder;
    this.decoder = decoder;
    this.encoderIn = s.string("encoder-input", "sample");
    this.encoderOut = s.string("encoder-output", "latent");
    this.decoderIn = s.string("decoder-input", "latent");
    this.decoderOut = s.string("decoder-output", "sample");
    this.encoderPerSample = encoderPerSample;
    this.decoderPerSample = decoderPerSample;
    this.scale = (float) s.number("scaling-factor", 1.0);
    this.shift = (float) s.number("shift-factor", 0.0);
    this.kt = s.integer("temporal-compression", 1);
    this.ks = s.integer("spatial-compression", 1);
    this.causal = s.string("temporal-mode", "causal").equals("causal");
    this.btchw = s.string("layout", "BCTHW").equals("BTCHW");
    this.latentChannels = s.integer("latent-channels", 0);
    this.clamp = s.bool("clamp", true);
  }

  /** Latent frames for {@code t} video frames; -1 when {@code t} does not fit the compression. */
  int latentFrames(long t) {
    if (causal) {
      return (t - 1) % kt == 0 ? (int) (1 + (t - 1) / kt) : -1;
    }
    return t % kt == 0 ? (int) (t / kt) : -1;
  }

  int videoFrames(long latentFrames) {
    return (int) (causal ? (latentFrames - 1) * kt + 1 : latentFrames * kt);
  }

  @Override
  public synchronized FloatTensor encode(FloatTensor video) {
    checkOpen();
    if (encoder == null) {
      throw new VideoJamException(origin + ": this codec is decode-only; add \"encoder\" (an ONNX VAE encoder) to encode videos");
    }
    long[] v = video.shape();
    if (v.length != 5 || v[1] != 3) {
      throw new VideoJamException(origin + ": encode needs a video [B, 3, T, H, W], got " + Arrays.toString(v));
    }
    int lt = latentFrames(v[2]);
    if (lt < 1 || v[3] % ks != 0 || v[4] % ks != 0) {
      throw new VideoJamException(origin + ": a video of " + v[2] + " frames of " + v[3] + "x" + v[4] + " does not fit the codec (frames "
          + (causal ? "1 + " + kt + "n" : kt + "n") + ", height and width multiples of " + ks + "); change the video size");
    }
    Tensor out = Graphs.run(encoder, Map.of(encoderIn, btchw ? swap12(video) : video), encoderOut, encoderPerSample);
    FloatTensor z = asFloat(out, "encoder output '" + encoderOut + "'");
    if (btchw) {
      z = swap12(z);
    }
    long[] zs = z.shape();
    long[] want = {v[0], latentChannels > 0 ? latentChannels : (zs.length == 5 ? zs[1] : -1), lt, v[3] / ks, v[4] / ks};
    if (!matches(zs, want)) {
      throw new VideoJamException(origin + ": the encoder gave a latent " + Arrays.toString(zs) + " for video " + Arrays.toString(v)
          + ", expected " + Arrays.toString(want) + "; check \"temporal-compression\", \"spatial-compression\", \"temporal-mode\", \"layout\" and \"latent-channels\"");
    }
    float[] d = z.data();
    float[] out2 = new float[d.length];
    for (int i = 0; i < d.length; i++) {
      out2[i] = (d[i] - shift) * scale;
    }
    return new FloatTensor(zs, out2);
  }

  @Override
  public synchronized FloatTensor decode(FloatTensor latent) {
    checkOpen();
    long[] l = latent.shape();
    if (l.length != 5 || (latentChannels > 0 && l[1] != latentChannels)) {
      throw new VideoJamException(origin + ": decode needs a latent [B, " + (latentChannels > 0 ? latentChannels : "C")
          + ", T', H', W'], got " + Arrays.toString(l));
    }
    float[] d = latent.data();
    float[] z = new float[d.length];
    for (int i = 0; i < d.length; i++) {
      z[i] = d[i] / scale + shift;
    }
    FloatTensor zt = new FloatTensor(l.clone(), z);
    Tensor out = Graphs.run(decoder, Map.of(decoderIn, btchw ? swap12(zt) : zt), decoderOut, decoderPerSample);
    FloatTensor video = asFloat(out, "decoder output '" + decoderOut + "'");
    if (btchw) {
      video = swap12(video);
    }
    long[] want = {l[0], 3, videoFrames(l[2]), l[3] * ks, l[4] * ks};
    if (!matches(video.shape(), want)) {
      throw new VideoJamException(origin + ": the decoder gave a video " + Arrays.toString(video.shape()) + " for latent " + Arrays.toString(l)
          + ", expected " + Arrays.toString(want) + "; check \"temporal-compression\", \"spatial-compression\", \"temporal-mode\" and \"layout\"");
    }
    if (clamp) {
      float[] vd = video.data();
      for (int i = 0; i < vd.length; i++) {
        vd[i] = Math.max(-1f, Math.min(1f, vd[i]));
      }
    }
    return video;
  }

  private static boolean matches(long[] got, long[] want) {
    if (got.length != want.length) {
      return false;
    }
    for (int i = 0; i < got.length; i++) {
      if (want[i] >= 0 && got[i] != want[i]) {
        return false;
      }
    }
    return true;
  }

  private FloatTensor asFloat(Tensor t, String what) {
    if (!(t instanceof FloatTensor f)) {
      throw new VideoJamException(origin + ": " + what + " is int64; a codec graph must output float32");
    }
    return f;
  }

  /** Swaps dimensions 1 and 2 of a rank-5 tensor ([B, C, T, H, W] <-> [B, T, C, H, W]). */
  static FloatTensor swap12(FloatTensor t) {
    long[] s = t.shape();
    if (s.length != 5) {
      throw new IllegalArgumentException("rank 5 expected, got " + Arrays.toString(s));
    }
    int b = (int) s[0];
    int a = (int) s[1];
    int c = (int) s[2];
    int plane = (int) (s[3] * s[4]);
    float[] in = t.data();
    float[] out = new float[in.length];
    for (int n = 0; n < b; n++) {
      for (int i = 0; i < a; i++) {
        for (int j = 0; j < c; j++) {
          System.arraycopy(in, ((n * a + i) * c + j) * plane, out, ((n * c + j) * a + i) * plane, plane);
        }
      }
    }
    return new FloatTensor(new long[] {s[0], s[2], s[1], s[3], s[4]}, out);
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("codec is closed");
    }
  }

  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      Graphs.closeAll(encoder, decoder);
    }
  }

  /** ServiceLoader entry, {@code "type": "onnx-vae"}. */
  public static final class Provider implements LatentCodecProvider {
    @Override
    public String name() {
      return "onnx-vae";
    }

    @Override
    public String description() {
      return "video VAE/TAE as ONNX encoder + decoder; latent = (z - shift) * scale";
    }

    @Override
    public LatentCodec create(Path modelDir, Settings s, Backend backend, BackendOptions options) {
      validate(s);
      Path decFile = Graphs.file(modelDir, s, "decoder");
      Path encFile = s.has("encoder") ? Graphs.file(modelDir, s, "encoder") : null;
      Graphs.requireBackend(backend, s, name());
      GraphSession enc = null;
      GraphSession dec = null;
      try {
        boolean encPerSample = false;
        if (encFile != null) {
          enc = backend.open(encFile, Graphs.orDefaults(options));
          encPerSample = checkGraph(enc, encFile, s, "encoder-input", "sample", "encoder-output", "latent");
        }
        dec = backend.open(decFile, Graphs.orDefaults(options));
        boolean decPerSample = checkGraph(dec, decFile, s, "decoder-input", "latent", "decoder-output", "sample");
        return new OnnxVaeCodec(s, enc, dec, encPerSample, decPerSample);
      } catch (RuntimeException e) {
        try {
          Graphs.closeAll(enc, dec);
        } catch (RuntimeException suppressed) {
          e.addSuppressed(suppressed);
        }
        throw e;
      }
    }

    /** Checks names and types; returns whether the graph fixes batch 1. */
    private static boolean checkGraph(GraphSession g, Path file, Settings s, String inKey, String inDefault, String outKey, String outDefault) {
      String inName = s.string(inKey, inDefault);
      TensorInfo in = Graphs.input(g, file, s, inKey, inName);
      if (g.inputs().size() != 1) {
        throw new VideoJamException(s.origin() + ": " + file.getFileName() + " has inputs " + g.inputs().stream().map(TensorInfo::name).toList()
            + "; a codec graph must have the one input \"" + inKey + "\"");
      }
      if (in.type() != TensorInfo.ElementType.FLOAT || in.rank() != 5) {
        throw new VideoJamException(s.origin() + ": " + file.getFileName() + " input '" + inName + "' is " + in
            + "; a codec graph must take float32 [B, C, T, H, W] (or BTCHW with \"layout\")");
      }
      Graphs.output(g, file, s, outKey, s.string(outKey, outDefault));
      return Graphs.batchOfOne(in);
    }

    private static void validate(Settings s) {
      double scale = s.number("scaling-factor", 1.0);
      if (!(scale > 0) || Double.isInfinite(scale)) {
        throw new VideoJamException(s.origin() + ": \"scaling-factor\" must be a positive number, got " + scale);
      }
      if (!Double.isFinite(s.number("shift-factor", 0.0))) {
        throw new VideoJamException(s.origin() + ": \"shift-factor\" must be a finite number");
      }
      for (String key : new String[] {"temporal-compression", "spatial-compression"}) {
        if (s.integer(key, 1) < 1) {
          throw new VideoJamException(s.origin() + ": \"" + key + "\" must be >= 1, got " + s.integer(key, 1));
        }
      }
      if (s.integer("latent-channels", 0) < 0) {
        throw new VideoJamException(s.origin() + ": \"latent-channels\" must be >= 1");
      }
      String mode = s.string("temporal-mode", "causal");
      if (!mode.equals("causal") && !mode.equals("uniform")) {
        throw new VideoJamException(s.origin() + ": \"temporal-mode\" must be \"causal\" (T' = 1 + (T - 1) / k) or \"uniform\" (T' = T / k), got \"" + mode + "\"");
      }
      String layout = s.string("layout", "BCTHW");
      if (!layout.equals("BCTHW") && !layout.equals("BTCHW")) {
        throw new VideoJamException(s.origin() + ": \"layout\" must be \"BCTHW\" or \"BTCHW\", got \"" + layout + "\"");
      }
      s.bool("clamp", true);
    }
  }
}
