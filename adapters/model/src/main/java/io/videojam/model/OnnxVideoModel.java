package io.videojam.model;

import io.videojam.api.Backend;
import io.videojam.api.BackendOptions;
import io.videojam.api.FloatTensor;
import io.videojam.api.GraphSession;
import io.videojam.api.LatentCodec;
import io.videojam.api.LatentCodecProvider;
import io.videojam.api.LatentShape;
import io.videojam.api.LongTensor;
import io.videojam.api.ModelInfo;
import io.videojam.api.Plugins;
import io.videojam.api.Settings;
import io.videojam.api.Tensor;
import io.videojam.api.TensorInfo;
import io.videojam.api.TensorInfo.ElementType;
import io.videojam.api.TextEncoder;
import io.videojam.api.TextEncoderProvider;
import io.videojam.api.VideoFormat;
import io.videojam.api.VideoJamException;
import io.videojam.api.VideoModel;
import io.videojam.api.VideoModelProvider;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A video model exported to ONNX and described by a model directory. Input and output names,
 * layout, time convention and prediction type come from model.json; this class converts them to
 * the framework's conventions exactly (see {@link Conventions}).
 */
public final class OnnxVideoModel implements VideoModel {
  private final ModelInfo info;
  private final Path onnx;
  private final GraphSession session;
  private final TextEncoder text;
  private final LatentCodec codec;
  private final Conventions conventions;
  private final String latentName;
  private final String timeName;
  private final String textName;
  private final String velocityName;
  private final TensorInfo timeInfo;
  private final TensorInfo textInfo;

  private OnnxVideoModel(ModelDirectory md, Backend backend, BackendOptions options) {
    Settings json = md.json();
    Settings den = json.child("denoiser");
    this.conventions = Conventions.from(den);
    Settings ch = json.child("channels");
    Settings video = json.child("video");
    VideoFormat format = new VideoFormat(video.integer("frames"), video.integer("height"), video.integer("width"), video.number("fps"));
    Settings lat = json.has("latent") ? json.child("latent") : video;
    LatentShape latent = new LatentShape(1, ch.integer("appearance"), ch.integer("motion"),
        lat.integer("frames"), lat.integer("height"), lat.integer("width"));
    this.info = new ModelInfo(md.name(), latent, format, md.hash());
    Settings inputs = den.child("inputs");
    this.latentName = inputs.string("latent");
    this.timeName = inputs.string("time");
    this.textName = inputs.string("text");
    this.velocityName = den.child("outputs").string("velocity");
    this.onnx = md.dir().resolve(den.string("onnx"));

    Settings textSettings = json.child("text");
    Settings codecSettings = json.child("codec");
    TextEncoderProvider tp = Plugins.find(TextEncoderProvider.class, textSettings.string("type"), "text encoder type in " + textSettings.origin());
    LatentCodecProvider cp = Plugins.find(LatentCodecProvider.class, codecSettings.string("type"), "codec type in " + codecSettings.origin());

    GraphSession s = backend.open(onnx, options);
    TextEncoder te = null;
    LatentCodec lc = null;
    try {
      TensorInfo latentInfo = find(s.inputs(), latentName, "denoiser.inputs.latent", json);
      this.timeInfo = find(s.inputs(), timeName, "denoiser.inputs.time", json);
      this.textInfo = find(s.inputs(), textName, "denoiser.inputs.text", json);
      TensorInfo out = find(s.outputs(), velocityName, "denoiser.outputs.velocity", json);
      if (s.inputs().size() != 3) {
        throw new VideoJamException(onnx + " has inputs " + s.inputs() + " but model.json describes 3 (latent, time, text); "
            + "export a graph with exactly these inputs or fold the others into constants");
      }
      long[] expected = conventions.btchw()
          ? new long[] {-1, latent.frames(), latent.channels(), latent.height(), latent.width()}
          : new long[] {-1, latent.channels(), latent.frames(), latent.height(), latent.width()};
      String layout = conventions.btchw() ? "BTCHW" : "BCTHW";
      checkShape(latentInfo, expected, layout, json);
      checkShape(out, expected, layout, json);
      if (latentInfo.type() != ElementType.FLOAT || out.type() != ElementType.FLOAT) {
        throw new VideoJamException(onnx + ": latent input and velocity output must be float32, got " + latentInfo + " and " + out);
      }
      if (timeInfo.rank() > 1 || timeInfo.type() == ElementType.OTHER) {
        throw new VideoJamException(onnx + ": time input " + timeInfo + " must be a float32 or int64 scalar or [B] vector");
      }
      te = tp.create(md.dir(), textSettings, backend, options);
      lc = cp.create(md.dir(), codecSettings, backend, options);
      Tensor probe = te.nullCondition(1);
      boolean textIsFloat = probe instanceof FloatTensor;
      if ((textInfo.type() == ElementType.FLOAT) != textIsFloat || textInfo.rank() != probe.shape().length) {
        throw new VideoJamException(onnx + ": text input " + textInfo + " does not match what text encoder '"
            + textSettings.string("type") + "' produces (" + probe + "); fix \"text\" in " + json.origin());
      }
    } catch (RuntimeException e) {
      s.close();
      if (te != null) {
        te.close();
      }
      if (lc != null) {
        lc.close();
      }
      throw e;
    }
    this.session = s;
    this.text = te;
    this.codec = lc;
  }

  /** Opens the model described by {@code md}. */
  public static OnnxVideoModel open(ModelDirectory md, Backend backend, BackendOptions options) {
    return new OnnxVideoModel(md, backend, options);
  }

  private TensorInfo find(List<TensorInfo> infos, String name, String key, Settings json) {
    for (TensorInfo i : infos) {
      if (i.name().equals(name)) {
        return i;
      }
    }
    throw new VideoJamException(json.origin() + ": " + key + " names '" + name + "' but " + onnx.getFileName() + " has "
        + infos.stream().map(TensorInfo::toString).toList() + "; fix " + key);
  }

  private void checkShape(TensorInfo t, long[] expected, String layout, Settings json) {
    long[] got = t.shape();
    boolean ok = got.length == expected.length;
    for (int i = 1; ok && i < got.length; i++) {
      ok = got[i] < 0 || got[i] == expected[i];
    }
    if (!ok) {
      throw new VideoJamException(onnx.getFileName() + ": '" + t.name() + "' has shape " + Arrays.toString(got) + " but "
          + json.origin() + " (channels, latent/video size, layout " + layout + ") says " + Arrays.toString(expected)
          + "; fix model.json or re-export the graph");
    }
  }

  @Override
  public ModelInfo info() {
    return info;
  }

  @Override
  public TextEncoder textEncoder() {
    return text;
  }

  @Override
  public LatentCodec codec() {
    return codec;
  }

  @Override
  public FloatTensor velocity(FloatTensor latent, double t, Tensor textCondition) {
    float[] out = new float[latent.data().length];
    velocity(latent, t, textCondition, out);
    return new FloatTensor(latent.shape().clone(), out);
  }

  @Override
  public void velocity(FloatTensor latent, double t, Tensor textCondition, float[] out) {
    long[] s = latent.shape();
    if (s.length != 5 || s[1] != info.latent().channels() || s[2] != info.latent().frames() || s[3] != info.latent().height()
        || s[4] != info.latent().width() || out.length != latent.data().length) {
      throw new IllegalArgumentException("latent " + Arrays.toString(s) + " does not match model '" + info.name() + "' "
          + Arrays.toString(info.latent().dims()) + " (any batch)");
    }
    int b = (int) s[0];
    int c = (int) s[1];
    int frames = (int) s[2];
    int plane = (int) (s[3] * s[4]);
    float[] x = latent.data();
    double scale = conventions.inputScale(t);
    if (scale != 1.0) {
      float[] scaled = new float[x.length];
      for (int i = 0; i < x.length; i++) {
        scaled[i] = (float) (x[i] * scale);
      }
      latent = new FloatTensor(s, scaled);
    }
    float[] fed = latent.data();
    Map<String, Tensor> inputs;
    if (conventions.btchw()) {
      long[] shape = {b, frames, c, s[3], s[4]};
      inputs = Map.of(latentName, new FloatTensor(shape, Conventions.swapAxes12(fed, b, c, frames, plane)),
          timeName, timeTensor(b, t), textName, textCondition);
      float[] raw = new float[out.length];
      session.runInto(inputs, velocityName, shape, raw);
      System.arraycopy(Conventions.swapAxes12(raw, b, frames, c, plane), 0, out, 0, out.length);
    } else {
      inputs = Map.of(latentName, latent, timeName, timeTensor(b, t), textName, textCondition);
      session.runInto(inputs, velocityName, s, out);
    }
    conventions.toVelocity(out, x, t);
  }

  private Tensor timeTensor(int batch, double t) {
    double mt = conventions.modelTime(t);
    long[] shape = timeInfo.rank() == 0 ? new long[0] : new long[] {batch};
    int n = timeInfo.rank() == 0 ? 1 : batch;
    if (timeInfo.type() == ElementType.INT64) {
      long[] d = new long[n];
      Arrays.fill(d, Math.round(mt));
      return new LongTensor(shape, d);
    }
    float[] d = new float[n];
    Arrays.fill(d, (float) mt);
    return new FloatTensor(shape, d);
  }

  @Override
  public long backendNanos() {
    return session.runNanos();
  }

  @Override
  public void close() {
    try {
      session.close();
    } finally {
      try {
        text.close();
      } finally {
        codec.close();
      }
    }
  }

  /** ServiceLoader entry for {@code "denoiser": {"onnx": ...}} (the default provider). */
  public static final class Provider implements VideoModelProvider {
    @Override
    public String name() {
      return "onnx";
    }

    @Override
    public String description() {
      return "an ONNX graph described by model.json";
    }

    @Override
    public VideoModel open(Path modelDir, Settings modelJson, Backend backend, BackendOptions options) {
      return new OnnxVideoModel(new ModelDirectory(modelDir, modelJson), backend, options);
    }
  }

  /** The model's own time schedule (model.json "denoiser" "time": vp timesteps, edm Karras sigmas); empty for flow models. */
  public java.util.Optional<io.videojam.api.TimeSchedule> nativeSchedule() {
    return conventions.nativeSchedule();
  }
}
