package io.videojam.model;

import io.videojam.api.Backend;
import io.videojam.api.BackendOptions;
import io.videojam.api.FloatTensor;
import io.videojam.api.GraphSession;
import io.videojam.api.GuidanceRule;
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
import io.videojam.api.Shapes;
import io.videojam.onnx.LatentLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
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
  private final LatentLayout layout;
  private final List<ExtraInput> extras;
  /** The only batch size the graph runs at, or 0 when any batch runs. */
  private final int fixedBatch;
  private final List<String> notes = new ArrayList<>();

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
    this.layout = LatentLayout.parse(den.string("layout", "BCTHW"), den.origin() + ": \"layout\"");

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
      this.extras = ExtraInput.parse(den, s.inputs(), List.of(latentName, timeName, textName), onnx);
      long[] expected = layout.dims(-1, latent.channels(), latent.frames(), latent.height(), latent.width());
      checkShape(latentInfo, expected, layout.name(), json);
      checkShape(out, expected, layout.name(), json);
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
      this.session = s;
      this.text = te;
      this.codec = lc;
      this.fixedBatch = batchSupport(den, latentInfo, probe);
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
  }

  /**
   * The batch the graph is limited to: {@code "batch": N} in model.json, a fixed batch axis in the
   * graph, or, for a graph that declares a free batch, a probe at load (batch 1, then 2): an export
   * that loops over its traced batch runs only at that batch. 0: any batch.
   */
  private int batchSupport(Settings den, TensorInfo latentInfo, Tensor textProbe) {
    if (den.has("batch")) {
      Object b = den.values().get("batch");
      if ("dynamic".equals(b)) {
        return 0;
      }
      int n = den.integer("batch");
      if (n < 1 || n > 64) {
        throw new VideoJamException(den.origin() + ": \"batch\" must be \"dynamic\" or the one batch size the graph runs at (1..64), got " + n);
      }
      notes.add("the graph runs only at batch " + n + " (model.json \"batch\"): passes run " + n + " at a time");
      return n;
    }
    if (latentInfo.shape()[0] > 0) {
      int n = (int) latentInfo.shape()[0];
      notes.add("the graph's batch axis is fixed at " + n + ": passes run " + n + " at a time");
      return n;
    }
    boolean one = probe(1, textProbe);
    boolean two = probe(2, textProbe);
    if (one == two) {
      return 0; // both run (a free batch), or neither: the first real run reports why
    }
    int n = one ? 1 : 2;
    notes.add("the graph declares a free batch but runs only at batch " + n + " (an export that loops over its traced"
        + " batch): passes run " + n + " at a time; re-export without the loop to batch them");
    return n;
  }

  private boolean probe(int b, Tensor textProbe) {
    LatentShape l = info.latent();
    float[] out = new float[b * l.size()];
    try {
      runChunk(new float[out.length], b, 0.5, repeat(textProbe, b), out);
      return true;
    } catch (RuntimeException e) {
      return false;
    }
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
    float[] x = latent.data();
    double scale = conventions.inputScale(t);
    float[] fed = x;
    if (scale != 1.0) {
      fed = new float[x.length];
      for (int i = 0; i < x.length; i++) {
        fed[i] = (float) (x[i] * scale);
      }
    }
    if (fixedBatch == 0 || fixedBatch == b) {
      runChunk(fed, b, t, textCondition, out);
    } else {
      // a graph limited to one batch size: run the passes that many at a time, the last chunk padded
      int per = out.length / b;
      float[] chunkIn = new float[fixedBatch * per];
      float[] chunkOut = new float[fixedBatch * per];
      for (int first = 0; first < b; first += fixedBatch) {
        int rows = Math.min(fixedBatch, b - first);
        for (int r = 0; r < fixedBatch; r++) {
          System.arraycopy(fed, (first + Math.min(r, rows - 1)) * per, chunkIn, r * per, per);
        }
        runChunk(chunkIn, fixedBatch, t, rows(textCondition, first, rows, fixedBatch), chunkOut);
        System.arraycopy(chunkOut, 0, out, first * per, rows * per);
      }
    }
    conventions.toVelocity(out, x, t);
  }

  /** One graph run at batch {@code b}: the latent (BCTHW, model scaling applied) in, the raw output (BCTHW) out. */
  private void runChunk(float[] fed, int b, double t, Tensor textCondition, float[] out) {
    LatentShape l = info.latent();
    int c = l.channels();
    int inner = l.height() * l.width();
    long[] shape = layout.dims(b, c, l.frames(), l.height(), l.width());
    Map<String, Tensor> inputs = feed(fed, b, t, textCondition);
    if (layout == LatentLayout.BCTHW) {
      session.runInto(inputs, velocityName, shape, out);
    } else {
      float[] raw = new float[out.length];
      session.runInto(inputs, velocityName, shape, raw);
      System.arraycopy(layout.convert(raw, b, c, l.frames(), inner, false), 0, out, 0, out.length);
    }
  }

  /** The graph's inputs for one run at batch {@code b}: the latent in the graph's layout, the time, the text and the extra inputs. */
  private Map<String, Tensor> feed(float[] fed, int b, double t, Tensor textCondition) {
    LatentShape l = info.latent();
    int c = l.channels();
    Map<String, Tensor> inputs = conditions(b, t, textCondition);
    long[] shape = layout.dims(b, c, l.frames(), l.height(), l.width());
    inputs.put(latentName, new FloatTensor(shape, layout.convert(fed, b, c, l.frames(), l.height() * l.width(), true)));
    return inputs;
  }

  /** The graph's inputs other than the latent: the time, the text and the extra inputs. */
  private Map<String, Tensor> conditions(int b, double t, Tensor textCondition) {
    Map<String, Tensor> inputs = new HashMap<>();
    inputs.put(timeName, timeTensor(b, t));
    inputs.put(textName, textCondition);
    for (ExtraInput e : extras) {
      inputs.put(e.name(), e.tensor(b, info.latent(), textCondition));
    }
    return inputs;
  }

  /**
   * The passes go straight into the session's input buffer and are combined straight from its
   * output buffer, with the prediction's conversion folded into the rule's coefficients (both are
   * linear): per channel kind, {@code guided = sum_k (a c_k) out_k + (b sum_k' c_k') x}, the second
   * sum over the passes that see x there. A graph in another layout, or one limited to another batch,
   * takes the general path.
   */
  @Override
  public boolean linearGuidance(float[] x, double t, boolean[] dropMotion, Tensor text, GuidanceRule.Coefficients coefficients,
      float[] guided) {
    int p = dropMotion.length;
    if (layout != LatentLayout.BCTHW || (fixedBatch != 0 && fixedBatch != p)) {
      return false;
    }
    LatentShape l = info.latent();
    int n = l.size();
    double[] ca = coefficients.appearance();
    double[] cm = coefficients.motion();
    if (x.length != n || guided.length != n || ca.length != p || text.shape()[0] != p) {
      throw new IllegalArgumentException("linear guidance over " + p + " passes of a latent of " + n + " values: got a latent of " + x.length
          + ", a result of " + guided.length + ", " + ca.length + " coefficients and a text batch of " + text.shape()[0]);
    }
    int split = l.appearanceChannels() * l.planeSize();
    double scale = conventions.inputScale(t);
    float[] ab = conventions.affine(t);
    float[] appearance = new float[p];
    float[] motion = new float[p];
    double seenA = 0;
    double seenM = 0;
    for (int k = 0; k < p; k++) {
      appearance[k] = (float) (ab[0] * ca[k]);
      motion[k] = (float) (ab[0] * cm[k]);
      seenA += ca[k];
      seenM += dropMotion[k] ? 0 : cm[k];
    }
    float stateA = (float) (ab[1] * seenA);
    float stateM = (float) (ab[1] * seenM);
    long[] shape = layout.dims(p, l.channels(), l.frames(), l.height(), l.width());
    int blocks = (n + BLOCK - 1) / BLOCK;
    session.runInPlace(conditions(p, t, text), latentName, shape, in -> {
      for (int k = 0; k < p; k++) {
        int end = dropMotion[k] ? split : n;
        if (scale == 1.0) {
          in.put(k * n, x, 0, end);
        } else {
          for (int i = 0; i < end; i++) {
            in.put(k * n + i, (float) (x[i] * scale));
          }
        }
        for (int i = end; i < n; i += BLOCK) { // the dropped motion channels
          in.put(k * n + i, ZEROS, 0, Math.min(BLOCK, n - i));
        }
      }
    }, velocityName, shape, out -> {
      // a block of each pass at a time, bulk-copied into small arrays that stay in the core's first-level
      // cache, then combined in loops over separate arrays, which the JIT vectorises (reading the buffer
      // value by value, or one array at k offsets, it does not)
      float[][] o = new float[p][BLOCK];
      for (int b = 0; b < blocks; b++) {
        int from = b * BLOCK;
        int len = Math.min(BLOCK, n - from);
        for (int k = 0; k < p; k++) {
          out.get(k * n + from, o[k], 0, len);
        }
        int cut = Math.max(0, Math.min(len, split - from)); // values before it are appearance channels
        combine(o, appearance, stateA, x, guided, from, 0, cut);
        combine(o, motion, stateM, x, guided, from, cut, len);
      }
    });
    return true;
  }

  /** Values of each pass combined at a time by {@link #linearGuidance}: three blocks and their results fit a first-level cache. */
  private static final int BLOCK = 1024;

  private static final float[] ZEROS = new float[BLOCK];

  /**
   * guided[at + i] = sum_k coef[k] * block[k][i] + state * x[at + i] for i in [from, to), in one pass
   * for up to three passes.
   */
  private static void combine(float[][] block, float[] coef, float state, float[] x, float[] guided, int at, int from, int to) {
    float c0 = coef[0];
    float[] o0 = block[0];
    switch (coef.length) {
      case 1 -> {
        for (int i = from; i < to; i++) {
          guided[at + i] = c0 * o0[i] + state * x[at + i];
        }
      }
      case 2 -> {
        float c1 = coef[1];
        float[] o1 = block[1];
        for (int i = from; i < to; i++) {
          guided[at + i] = c0 * o0[i] + c1 * o1[i] + state * x[at + i];
        }
      }
      case 3 -> {
        float c1 = coef[1];
        float c2 = coef[2];
        float[] o1 = block[1];
        float[] o2 = block[2];
        for (int i = from; i < to; i++) {
          guided[at + i] = c0 * o0[i] + c1 * o1[i] + c2 * o2[i] + state * x[at + i];
        }
      }
      default -> {
        for (int i = from; i < to; i++) {
          guided[at + i] = state * x[at + i];
        }
        for (int k = 0; k < coef.length; k++) {
          float c = coef[k];
          float[] ok = block[k];
          for (int i = from; i < to; i++) {
            guided[at + i] += c * ok[i];
          }
        }
      }
    }
  }

  /**
   * One graph run as the framework feeds it, for comparing with a plain ONNX Runtime loop on the
   * same graph: the denoiser file, its inputs for {@code latent} (any batch, [B, C, T, H, W]) at
   * time {@code t}, and the name of the output read.
   */
  public record GraphRun(Path graph, Map<String, Tensor> inputs, String output) {}

  /** See {@link GraphRun}. */
  public GraphRun graphRun(FloatTensor latent, double t, Tensor textCondition) {
    return new GraphRun(onnx, feed(latent.data(), (int) latent.shape()[0], t, textCondition), velocityName);
  }

  /** Rows {@code first .. first + rows} of a batched text condition, padded to {@code size} rows with the last. */
  private static Tensor rows(Tensor t, int first, int rows, int size) {
    long[] shape = t.shape().clone();
    int per = (int) (Shapes.count(shape) / shape[0]);
    shape[0] = size;
    if (t instanceof FloatTensor f) {
      float[] d = new float[size * per];
      for (int r = 0; r < size; r++) {
        System.arraycopy(f.data(), (first + Math.min(r, rows - 1)) * per, d, r * per, per);
      }
      return new FloatTensor(shape, d);
    }
    long[] src = ((LongTensor) t).data();
    long[] d = new long[size * per];
    for (int r = 0; r < size; r++) {
      System.arraycopy(src, (first + Math.min(r, rows - 1)) * per, d, r * per, per);
    }
    return new LongTensor(shape, d);
  }

  private static Tensor repeat(Tensor t, int b) {
    return rows(t, 0, 1, b);
  }

  @Override
  public List<String> notes() {
    return List.copyOf(notes);
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
