package io.videojam.onnx;

import static io.videojam.api.TensorInfo.ElementType.FLOAT;
import static io.videojam.api.TensorInfo.ElementType.INT64;
import static io.videojam.onnx.OnnxPrecision.fromBfloat16;
import static io.videojam.onnx.OnnxPrecision.fromHalf;
import static io.videojam.onnx.OnnxPrecision.toBfloat16;
import static io.videojam.onnx.OnnxPrecision.toHalf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.onnx.proto.OnnxMl;
import ai.onnxruntime.OrtException;
import io.videojam.api.TensorInfo;
import io.videojam.api.VideoJamException;
import io.videojam.onnx.OnnxPrecision.Precision;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxPrecisionTest {
  static final Path DENOISER =
      Path.of("../../models/jamworld-videojam/denoiser.onnx").toAbsolutePath().normalize();
  static final int F16 = OnnxMl.TensorProto.DataType.FLOAT16_VALUE;
  static final int BF16 = OnnxMl.TensorProto.DataType.BFLOAT16_VALUE;
  static final int F32 = OnnxMl.TensorProto.DataType.FLOAT_VALUE;

  /**
   * Operators of the denoiser that ONNX Runtime 1.29's CPU provider has no bfloat16 kernel for
   * (session creation fails with ORT_NOT_IMPLEMENTED; Softmax and LayerNormalization are expanded
   * into Mul, ReduceMax, ... which lack it too). It has bf16 kernels only for Cast, Concat,
   * Gather, Identity, Reshape, Split, Transpose and Unsqueeze.
   */
  static final Set<String> NO_BF16_ON_ORT_CPU = Set.of("Add", "Mul", "MatMul", "Exp", "Expand",
      "LayerNormalization", "ReduceMean", "Sigmoid", "Softmax");

  /**
   * The nodes of the denoiser that compute in float32 after an fp16 or a bf16 conversion with the
   * default block list (opset 17), as {@link #float32Nodes} finds them: 8 of its 234 nodes.
   * Blocked: Range_4 (k = 0..63), Sin_12 and Cos_13. The float32 island (unblocked nodes whose
   * inputs are float32 and whose result a float32 node reads): Mul_6 (k * -ln(10000) / 64), Exp_7
   * (the frequencies), Unsqueeze_8 (t[:, None]), Mul_10 (1000 t) and Mul_11 (1000 t * freq, the
   * argument of Sin and Cos). Everything from Concat_14 (the Sin/Cos features) on, and the whole
   * latent path from x, computes in the target type. (The denoiser has no int64 shape arithmetic:
   * its shapes are initializers.)
   */
  static final Set<String> TIME_EMBEDDING_FLOAT32_NODES = Set.of("Range_4", "Mul_6", "Exp_7",
      "Unsqueeze_8", "Mul_10", "Mul_11", "Sin_12", "Cos_13");

  @TempDir Path dir;

  // -------------------------------------------------------------------------------------------
  // Bit conversions

  @Test
  void halfOfKnownValues() {
    assertThat(toHalf(1f)).isEqualTo((short) 0x3C00);
    assertThat(toHalf(-2f)).isEqualTo((short) 0xC000);
    assertThat(toHalf(0.5f)).isEqualTo((short) 0x3800);
    assertThat(toHalf(65504f)).isEqualTo((short) 0x7BFF); // largest half
    assertThat(toHalf(65519.99f)).isEqualTo((short) 0x7BFF);
    assertThat(toHalf(65520f)).isEqualTo((short) 0x7C00); // half way to 2^16: ties to even = inf
    assertThat(toHalf(1e6f)).isEqualTo((short) 0x7C00);
    assertThat(toHalf(-1e6f)).isEqualTo((short) 0xFC00);
    assertThat(toHalf(Float.POSITIVE_INFINITY)).isEqualTo((short) 0x7C00);
    assertThat(toHalf(Float.NEGATIVE_INFINITY)).isEqualTo((short) 0xFC00);
    assertThat(toHalf(0x1p-14f)).isEqualTo((short) 0x0400); // smallest normal
    assertThat(toHalf(0x1p-24f)).isEqualTo((short) 0x0001); // smallest subnormal
    assertThat(toHalf(0x1p-25f)).isEqualTo((short) 0x0000); // tie between 0 and 2^-24: even
    assertThat(toHalf(0x1.8p-24f)).isEqualTo((short) 0x0002); // tie between 1 and 2 ulp: even
    assertThat(toHalf(0x1.000002p-25f)).isEqualTo((short) 0x0001); // just above the tie
    assertThat(toHalf(Float.MIN_VALUE)).isEqualTo((short) 0x0000);
    assertThat(toHalf(0f)).isEqualTo((short) 0x0000);
    assertThat(toHalf(-0f)).isEqualTo((short) 0x8000);
    assertThat(toHalf(1f + 0x1p-11f)).isEqualTo((short) 0x3C00); // tie: to even (down)
    assertThat(toHalf(1f + 0x3p-11f)).isEqualTo((short) 0x3C02); // tie: to even (up)
    assertThat(toHalf(0.1f)).isEqualTo((short) 0x2E66);
    short nan = toHalf(Float.NaN);
    assertThat(nan & 0x7C00).isEqualTo(0x7C00);
    assertThat(nan & 0x03FF).isNotZero();
    assertThat(fromHalf(nan)).isNaN();
    assertThat(fromHalf((short) 0x0001)).isEqualTo(0x1p-24f);
    assertThat(fromHalf((short) 0x7BFF)).isEqualTo(65504f);
    assertThat(fromHalf((short) 0x8000)).isEqualTo(-0f);
    assertThat(Float.floatToRawIntBits(fromHalf((short) 0x8000))).isEqualTo(0x80000000);
    assertThat(fromHalf((short) 0xFC00)).isEqualTo(Float.NEGATIVE_INFINITY);
  }

  @Test
  void bfloat16OfKnownValues() {
    assertThat(toBfloat16(1f)).isEqualTo((short) 0x3F80);
    assertThat(toBfloat16(-2f)).isEqualTo((short) 0xC000);
    assertThat(toBfloat16(0f)).isEqualTo((short) 0x0000);
    assertThat(toBfloat16(-0f)).isEqualTo((short) 0x8000);
    // 1 + 2^-8 lies half way between 1 (0x3F80, even) and 1 + 2^-7 (0x3F81): down to even
    assertThat(toBfloat16(1f + 0x1p-8f)).isEqualTo((short) 0x3F80);
    // 1 + 3 * 2^-8 lies half way between 0x3F81 and 0x3F82 (even): up
    assertThat(toBfloat16(1f + 0x3p-8f)).isEqualTo((short) 0x3F82);
    assertThat(toBfloat16(1f + 0x1p-8f + 0x1p-20f)).isEqualTo((short) 0x3F81);
    assertThat(toBfloat16(Float.MAX_VALUE)).isEqualTo((short) 0x7F80); // rounds up to infinity
    assertThat(toBfloat16(Float.POSITIVE_INFINITY)).isEqualTo((short) 0x7F80);
    assertThat(toBfloat16(Float.NEGATIVE_INFINITY)).isEqualTo((short) 0xFF80);
    assertThat(fromBfloat16(toBfloat16(Float.NaN))).isNaN();
    // a NaN whose payload is only in the low 16 bits must not become infinity
    assertThat(fromBfloat16(toBfloat16(Float.intBitsToFloat(0x7F800001)))).isNaN();
    assertThat(fromBfloat16((short) 0x3F80)).isEqualTo(1f);
    assertThat(fromBfloat16((short) 0x0001)).isEqualTo(Float.intBitsToFloat(0x00010000));
  }

  @Test
  void everyHalfAndBfloat16RoundTripsExactly() {
    for (int h = 0; h < 0x10000; h++) {
      float f = fromHalf((short) h);
      if (Float.isNaN(f)) {
        assertThat(fromHalf(toHalf(f))).isNaN();
      } else {
        assertThat(toHalf(f) & 0xFFFF).as("half 0x%04X", h).isEqualTo(h);
      }
      float b = fromBfloat16((short) h);
      if (Float.isNaN(b)) {
        assertThat(fromBfloat16(toBfloat16(b))).isNaN();
      } else {
        assertThat(toBfloat16(b) & 0xFFFF).as("bfloat16 0x%04X", h).isEqualTo(h);
      }
    }
  }

  @Test
  void randomFloatsRoundToTheNearestHalfWithinRelativeError() {
    Random r = new Random(1);
    for (int i = 0; i < 200_000; i++) {
      // log-uniform magnitudes over the normal half range [2^-14, 65504]
      float x = (float) (Math.pow(2, -14 + 30 * r.nextDouble()) * (r.nextBoolean() ? 1 : -1));
      if (Math.abs(x) > 65504f) {
        continue;
      }
      short h = toHalf(x);
      double y = fromHalf(h);
      assertThat(Math.abs(y - x)).as("x=%s", x).isLessThanOrEqualTo(Math.abs(x) * 0x1p-11);
      // the nearest half: neither neighbour is closer (the doubles are exact)
      double d = Math.abs(y - x);
      for (int n : new int[] {(h & 0xFFFF) - 1, (h & 0xFFFF) + 1}) {
        float neighbour = fromHalf((short) n);
        if (!Float.isNaN(neighbour) && !Float.isInfinite(neighbour) && (n & 0x7FFF) != 0) {
          assertThat(Math.abs(neighbour - (double) x)).as("x=%s", x).isGreaterThanOrEqualTo(d);
        }
      }
      double yb = fromBfloat16(toBfloat16(x));
      assertThat(Math.abs(yb - x)).as("x=%s", x).isLessThanOrEqualTo(Math.abs(x) * 0x1p-8);
    }
  }

  /** ONNX Runtime's Cast is an independent reference for both conversions, bit for bit. */
  @Test
  void conversionsMatchOnnxRuntimeCast() throws Exception {
    Random r = new Random(2);
    List<Float> xs = new ArrayList<>(List.of(1f, -0f, 0f, 65504f, 65519f, 65520f, 1e9f, 0x1p-24f,
        0x1p-25f, 0x1.8p-24f, 0x1p-14f, 0x1.ffcp-15f, Float.MIN_VALUE, Float.MAX_VALUE,
        Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN, 1f + 0x1p-8f, 1f + 0x3p-8f));
    for (int i = 0; i < 20_000; i++) {
      xs.add(Float.intBitsToFloat(r.nextInt())); // every exponent, subnormals, NaNs
      xs.add((float) (r.nextGaussian() * Math.pow(10, r.nextInt(12) - 8)));
      // exact ties between two neighbouring halves and two neighbouring bfloat16s
      int h = r.nextInt(0x7BFF);
      xs.add((float) ((fromHalf((short) h) + (double) fromHalf((short) (h + 1))) / 2));
      int b = r.nextInt(0x7F7F);
      xs.add((float) ((fromBfloat16((short) b) + (double) fromBfloat16((short) (b + 1))) / 2));
    }
    float[] x = new float[xs.size()];
    for (int i = 0; i < x.length; i++) {
      x[i] = xs.get(i);
    }
    GraphBuilder g = new GraphBuilder("casts", 17);
    String in = g.input("x", FLOAT, "N");
    g.output("half", g.op("Cast", Map.of("to", (long) F32), g.op("Cast", Map.of("to", (long) F16),
        in)), FLOAT, "N");
    g.output("bf16", g.op("Cast", Map.of("to", (long) F32), g.op("Cast", Map.of("to", (long) BF16),
        in)), FLOAT, "N");
    try (Ort ort = new Ort(g.build())) {
      Map<String, Ort.Out> out = ort.run(Map.of("x", new Ort.In(x, x.length)));
      float[] half = out.get("half").data();
      float[] bf = out.get("bf16").data();
      for (int i = 0; i < x.length; i++) {
        // floatToIntBits: any NaN equals any NaN, -0 differs from +0
        assertThat(Float.floatToIntBits(fromHalf(toHalf(x[i]))))
            .as("half of %s (0x%08X)", x[i], Float.floatToRawIntBits(x[i]))
            .isEqualTo(Float.floatToIntBits(half[i]));
        assertThat(Float.floatToIntBits(fromBfloat16(toBfloat16(x[i]))))
            .as("bfloat16 of %s (0x%08X)", x[i], Float.floatToRawIntBits(x[i]))
            .isEqualTo(Float.floatToIntBits(bf[i]));
      }
    }
  }

  // -------------------------------------------------------------------------------------------
  // The built-in denoiser

  @Test
  void fp16DenoiserAgreesWithFloat32OnOnnxRuntime() throws Exception {
    OnnxMl.ModelProto model = OnnxModels.read(DENOISER);
    OnnxMl.ModelProto fp16 = OnnxPrecision.convert(model, Precision.FP16);
    Map<String, Ort.In> in = denoiserInputs(model, 3, 11);
    float[] ref;
    float[] got;
    try (Ort a = new Ort(model); Ort b = new Ort(fp16)) {
      ref = a.run(in).get("v").data();
      got = b.run(in).get("v").data();
    }
    // ORT CPU runs this graph partly in fp16 (MatMul, Softmax's expansion, LayerNormalization,
    // Sigmoid, ...) and runs Add and Mul, which have no fp16 CPU kernel, in fp32 between inserted
    // Casts; the time embedding's argument and its Sin and Cos are a float32 island. Measured
    // (batch 3, seed 11): max |err| 0.0117 with max |v| 6.06 (0.19%), RMS relative error 0.18%;
    // seeds 1-5 gave 0.13-0.20% and 0.14-0.17% (before the islands, with t rounded to fp16 and
    // the sinusoid's argument computed in fp16: 0.19% and 0.18% for seed 11, 0.16-0.24% and
    // 0.15-0.20% for seeds 1-5). Half's unit roundoff is 2^-11 = 0.049%: the weights and x are
    // rounded once each, and 4 blocks of K = 128..512 dot products, layer norms and softmaxes add
    // a few roundoffs each. The bounds leave about 5x headroom.
    Error e = error(got, ref);
    assertThat(e.rmsRel).isLessThan(0.01).isGreaterThan(1e-5); // reduced, but really reduced
    assertThat(e.maxAbs).isLessThan(0.02 * e.maxRef);
  }

  @Test
  void fp16DenoiserStructure() {
    OnnxMl.ModelProto model = OnnxModels.read(DENOISER);
    OnnxMl.ModelProto fp16 = OnnxPrecision.convert(model, Precision.FP16);
    OnnxMl.GraphProto g = fp16.getGraph();

    assertThat(OnnxModels.inputs(fp16)).usingRecursiveFieldByFieldElementComparator()
        .isEqualTo(OnnxModels.inputs(model));
    assertThat(OnnxModels.outputs(fp16)).usingRecursiveFieldByFieldElementComparator()
        .isEqualTo(OnnxModels.outputs(model));
    assertThat(fp16.getOpsetImportList()).isEqualTo(model.getOpsetImportList());
    assertThat(fp16.getMetadataPropsList()).contains(OnnxMl.StringStringEntryProto.newBuilder()
        .setKey(OnnxPrecision.METADATA_KEY).setValue("fp16").build());
    assertThat(fp16.getMetadataPropsList()).containsAll(model.getMetadataPropsList());

    // Range (no float16 type in ONNX), Sin and Cos (blocked) and the float32 island that
    // computes their inputs from t and constants stay float32, with float32 initializers
    Set<String> float32Inputs = g.getNodeList().stream()
        .filter(n -> TIME_EMBEDDING_FLOAT32_NODES.contains(n.getName()))
        .flatMap(n -> n.getInputList().stream()).collect(Collectors.toSet());
    for (OnnxMl.TensorProto t : g.getInitializerList()) {
      if (t.getDataType() == F32) {
        assertThat(float32Inputs).as(t.getName()).contains(t.getName());
      }
    }
    long halves = g.getInitializerList().stream().filter(t -> t.getDataType() == F16).count();
    long floats32 = g.getInitializerList().stream().filter(t -> t.getDataType() == F32).count();
    long floats = model.getGraph().getInitializerList().stream()
        .filter(t -> t.getDataType() == F32).count();
    // Range's start and limit, the scale before Exp, the 1000 before the frequencies, and an
    // exact copy of Range's delta (1), which also feeds Expand and Adds: it is fp16 too
    assertThat(floats32).isEqualTo(5);
    assertThat(halves).isEqualTo(floats - 4);
    assertThat(g.getInitializerCount()).isEqualTo(model.getGraph().getInitializerCount() + 1);
    assertThat(OnnxModels.parameterCount(fp16)).isEqualTo(OnnxModels.parameterCount(model));

    // Casts: x in, Sin's and Cos's results to fp16, v out (a Cast named v from the renamed
    // value); t is read in float32 by the island, and Range's result only there
    List<OnnxMl.NodeProto> casts = g.getNodeList().stream()
        .filter(n -> n.getOpType().equals("Cast")).toList();
    assertThat(casts)
        .extracting(n -> n.getInput(0) + "->" + n.getOutput(0) + ":" + n.getAttribute(0).getI())
        .containsExactlyInAnyOrder("x->x_fp16:10", "Sin_12->Sin_12_fp16:10",
            "Cos_13->Cos_13_fp16:10", "v_fp16->v:1");
    assertThat(g.getNodeCount()).isEqualTo(model.getGraph().getNodeCount() + 4);
    assertThat(g.getNode(0).getOutput(0)).isEqualTo("x_fp16"); // input casts come first
    // nothing reads x but its Cast, nothing reads t but the island's Unsqueeze; the int64 tokens
    // are read as they are
    for (OnnxMl.NodeProto n : g.getNodeList()) {
      if (!n.getOpType().equals("Cast")) {
        assertThat(n.getInputList()).doesNotContain("x");
      }
      if (n.getInputList().contains("t")) {
        assertThat(n.getName()).isEqualTo("Unsqueeze_8");
      }
    }
    assertThat(node(g, "Gather").getInput(1)).isEqualTo("text");

    // the file round trip keeps everything
    Path file = dir.resolve("fp16.onnx");
    OnnxModels.write(fp16, file);
    assertThat(OnnxModels.read(file)).isEqualTo(fp16);
    // deterministic
    assertThat(OnnxPrecision.convert(model, Precision.FP16).toByteArray())
        .isEqualTo(fp16.toByteArray());
  }

  @Test
  void bf16DenoiserStructure() throws Exception {
    OnnxMl.ModelProto model = OnnxModels.read(DENOISER);
    OnnxMl.ModelProto bf16 = OnnxPrecision.convert(model, Precision.BF16);
    OnnxMl.GraphProto g = bf16.getGraph();

    assertThat(OnnxModels.inputs(bf16)).usingRecursiveFieldByFieldElementComparator()
        .isEqualTo(OnnxModels.inputs(model));
    assertThat(OnnxModels.outputs(bf16)).usingRecursiveFieldByFieldElementComparator()
        .isEqualTo(OnnxModels.outputs(model));
    assertThat(bf16.getMetadataPropsList()).contains(OnnxMl.StringStringEntryProto.newBuilder()
        .setKey(OnnxPrecision.METADATA_KEY).setValue("bf16").build());
    assertThat(g.getInitializerList().stream().map(t -> t.getDataType())
            .collect(Collectors.toSet()))
        .containsExactlyInAnyOrder(BF16, F32, OnnxMl.TensorProto.DataType.INT64_VALUE);
    assertThat(g.getInitializerList()).filteredOn(t -> t.getName().startsWith("blocks."))
        .allSatisfy(t -> assertThat(t.getDataType()).isEqualTo(BF16));
    // Sin and Cos are blocked (and have bfloat16 only from opset 22): they read the float32
    // island's argument as it is and give float32
    assertThat(node(g, "Sin").getInput(0)).isEqualTo(node(g, "Cos").getInput(0))
        .isEqualTo("Mul_11");
    assertThat(g.getNodeList().stream().filter(n -> n.getOpType().equals("Cast")).count())
        .isEqualTo(4); // x, v; Sin's and Cos's results
    Path file = dir.resolve("bf16.onnx");
    OnnxModels.write(bf16, file);
    assertThat(OnnxModels.read(file)).isEqualTo(bf16);

    // ORT CPU type-checks the graph (an invalid one fails with ORT_INVALID_GRAPH) before it looks
    // for kernels, and has no bfloat16 Add, MatMul, ... (ORT_NOT_IMPLEMENTED)
    try (Ort ort = new Ort(bf16)) {
      Map<String, Ort.In> in = denoiserInputs(model, 2, 5);
      float[] ref;
      try (Ort a = new Ort(model)) {
        ref = a.run(in).get("v").data();
      }
      assertThat(error(ort.run(in).get("v").data(), ref).rmsRel).isLessThan(0.03);
    } catch (OrtException e) {
      assertThat(e.getCode()).as(e.getMessage())
          .isEqualTo(OrtException.OrtErrorCode.ORT_NOT_IMPLEMENTED);
    }
  }

  @Test
  void defaultBlockListIsNeededForAValidGraph() {
    OnnxMl.ModelProto model = OnnxModels.read(DENOISER);
    assertThatThrownBy(
            () -> new Ort(OnnxPrecision.convert(model, Precision.FP16, Set.of())).close())
        .isInstanceOfSatisfying(OrtException.class, e -> assertThat(e.getCode())
            .isEqualTo(OrtException.OrtErrorCode.ORT_INVALID_GRAPH))
        .hasMessageContaining("Range");
    assertThatThrownBy(
            () -> new Ort(OnnxPrecision.convert(model, Precision.BF16, Set.of("Range"))).close())
        .isInstanceOfSatisfying(OrtException.class, e -> assertThat(e.getCode())
            .isEqualTo(OrtException.OrtErrorCode.ORT_INVALID_GRAPH))
        .hasMessageContaining("Cos");
    assertThat(OnnxPrecision.defaultBlockedOps(Precision.FP16, 17))
        .containsExactlyInAnyOrder("Range", "Sin", "Cos");
    assertThat(OnnxPrecision.defaultBlockedOps(Precision.FP16, 22))
        .containsExactlyInAnyOrder("Range", "Sin", "Cos");
    assertThat(OnnxPrecision.defaultBlockedOps(Precision.BF16, 22))
        .containsExactlyInAnyOrder("Range", "Sin", "Cos");
    assertThat(OnnxPrecision.defaultBlockedOps(Precision.BF16, 17))
        .contains("Range", "Sin", "Cos", "Conv").hasSize(48);
    assertThat(OnnxPrecision.defaultBlockedOps(Precision.FP32, 17)).isEmpty();
  }

  /**
   * What ORT CPU runs of bfloat16: the denoiser with the operators it has no bf16 kernel for kept
   * in float32. Without float32 islands the layout operators (Reshape, Transpose, Split, Concat,
   * Unsqueeze, Gather) move bfloat16 values between float32 blocks and every Cast pair rounds to
   * 8 significant bits; with them, every layout operator between float32 nodes is float32 too.
   */
  @Test
  void bf16DenoiserWithCpuMissingOpsBlockedRunsOnOnnxRuntime() throws Exception {
    OnnxMl.ModelProto model = OnnxModels.read(DENOISER);
    Set<String> blocked = new HashSet<>(OnnxPrecision.defaultBlockedOps(Precision.BF16, 17));
    blocked.addAll(NO_BF16_ON_ORT_CPU);
    OnnxMl.ModelProto islands = OnnxPrecision.convert(model, Precision.BF16, blocked);
    OnnxMl.ModelProto bf16 = OnnxPrecision.convert(model, Precision.BF16, blocked, false);
    Map<String, Ort.In> in = denoiserInputs(model, 3, 11);
    float[] ref;
    float[] got;
    float[] gotIslands;
    try (Ort a = new Ort(model); Ort b = new Ort(bf16); Ort c = new Ort(islands)) {
      ref = a.run(in).get("v").data();
      got = b.run(in).get("v").data();
      gotIslands = c.run(in).get("v").data();
    }
    // With islands only the unpatchify tail (Reshape, Transpose, Reshape, Identity), which no
    // float32 node reads, is bfloat16: the result is the float32 model's, rounded once to
    // bfloat16 (measured exactly so for seeds 1-5 and 11; RMS relative error 0.17%)
    Map<String, Integer> types = OnnxPrecision.elementTypes(islands.getGraph());
    assertThat(islands.getGraph().getNodeList()).filteredOn(n -> !n.getOpType().equals("Cast")
            && n.getOutputList().stream().anyMatch(o -> Objects.equals(types.get(o), BF16)))
        .extracting(OnnxMl.NodeProto::getName)
        .containsExactly("Reshape_258", "Transpose_259", "Reshape_260", "output.v");
    for (int i = 0; i < ref.length; i++) {
      assertThat(gotIslands[i]).as("v[%d]", i).isEqualTo(fromBfloat16(toBfloat16(ref[i])));
    }
    // Without islands, measured (batch 3, seed 11): max |err| 0.032 with max |v| 6.06 (0.53%),
    // RMS relative 0.39%; seeds 1-5 gave 0.53-0.80% and 0.43-0.51%. bfloat16's unit roundoff is
    // 2^-8 = 0.39%, and values are rounded at every layout operator, about 10 times along the
    // residual path. The bounds leave about 6x headroom.
    Error e = error(got, ref);
    assertThat(e.rmsRel).isLessThan(0.03).isGreaterThan(1e-4);
    assertThat(e.maxAbs).isLessThan(0.05 * e.maxRef);
    // the text table (read only by Gather) is bfloat16, the weights of blocked MatMuls float32
    OnnxMl.GraphProto g = bf16.getGraph();
    assertThat(g.getInitializerList()).filteredOn(t -> t.getName().equals(DitBuilder.TEXT_EMBED))
        .singleElement().satisfies(t -> assertThat(t.getDataType()).isEqualTo(BF16));
    assertThat(g.getInitializerList()).filteredOn(t -> t.getName().equals(DitBuilder.W_IN))
        .singleElement().satisfies(t -> assertThat(t.getDataType()).isEqualTo(F32));
  }

  // -------------------------------------------------------------------------------------------
  // Float32 islands

  @Test
  void onlyTheTimeEmbeddingChainStaysFloat32InTheDenoiser() {
    OnnxMl.ModelProto model = OnnxModels.read(DENOISER);
    assertThat(float32Nodes(model.getGraph())).hasSize(model.getGraph().getNodeCount());
    for (Precision p : List.of(Precision.FP16, Precision.BF16)) {
      OnnxMl.GraphProto g = OnnxPrecision.convert(model, p).getGraph();
      assertThat(float32Nodes(g)).as(p.label())
          .containsExactlyInAnyOrderElementsOf(TIME_EMBEDDING_FLOAT32_NODES);
      // without islands only the blocked operators
      OnnxMl.GraphProto without = OnnxPrecision.convert(
          model, p, OnnxPrecision.defaultBlockedOps(p, 17), false).getGraph();
      assertThat(float32Nodes(without)).as(p.label())
          .containsExactlyInAnyOrder("Range_4", "Sin_12", "Cos_13");
    }
  }

  /** Walks up from the inputs of Sin and Cos: the sinusoid's argument is computed in float32. */
  @Test
  void fp16DenoiserComputesTheSinusoidArgumentInFloat32() {
    OnnxMl.ModelProto model = OnnxModels.read(DENOISER);
    OnnxMl.GraphProto g = OnnxPrecision.convert(model, Precision.FP16).getGraph();
    Map<String, Integer> types = OnnxPrecision.elementTypes(g);
    Map<String, OnnxMl.NodeProto> producer = new HashMap<>();
    g.getNodeList().forEach(n -> n.getOutputList().forEach(o -> producer.put(o, n)));
    String arg = node(g, "Sin").getInput(0);
    assertThat(node(g, "Cos").getInput(0)).isEqualTo(arg);
    assertThat(types.get(arg)).isEqualTo(F32);

    List<OnnxMl.NodeProto> upstream = new ArrayList<>();
    Set<String> sources = new HashSet<>();
    Set<String> seen = new HashSet<>();
    Deque<String> todo = new ArrayDeque<>(List.of(arg));
    while (!todo.isEmpty()) {
      String v = todo.pop();
      if (seen.add(v)) {
        OnnxMl.NodeProto p = producer.get(v);
        if (p == null) {
          sources.add(v);
        } else {
          upstream.add(p);
          todo.addAll(p.getInputList());
        }
      }
    }
    // no Cast on the way (nothing was rounded to fp16 and cast back), every result is float32
    assertThat(upstream).extracting(OnnxMl.NodeProto::getOpType)
        .containsExactlyInAnyOrder("Mul", "Mul", "Mul", "Exp", "Range", "Unsqueeze");
    for (OnnxMl.NodeProto n : upstream) {
      assertThat(types.get(n.getOutput(0))).as(n.getName()).isEqualTo(F32);
    }
    // the argument is (1000 t) * freq: Mul(Mul(Unsqueeze(t), 1000), Exp(...))
    OnnxMl.NodeProto product = producer.get(arg);
    assertThat(product.getOpType()).isEqualTo("Mul");
    OnnxMl.NodeProto scaled = producer.get(product.getInput(0));
    assertThat(scaled.getOpType()).isEqualTo("Mul");
    assertThat(producer.get(product.getInput(1)).getOpType()).isEqualTo("Exp");
    assertThat(producer.get(scaled.getInput(0)).getOpType()).isEqualTo("Unsqueeze");
    assertThat(producer.get(scaled.getInput(0)).getInput(0)).isEqualTo(DitBuilder.T);
    OnnxMl.TensorProto thousand = initializer(g, scaled.getInput(1));
    assertThat(thousand.getDataType()).isEqualTo(F32);
    assertThat(OnnxPrecision.floats(thousand)).containsExactly(1000f);
    // the sources: t as the caller gave it, float32 initializers, the int64 axes
    assertThat(sources).contains(DitBuilder.T);
    for (String v : sources) {
      if (!v.equals(DitBuilder.T)) {
        assertThat(initializer(g, v).getDataType()).as(v)
            .isIn(F32, OnnxMl.TensorProto.DataType.INT64_VALUE);
      }
    }
  }

  /**
   * The denoiser's Sin/Cos features (Concat_14, published as an extra output) on ONNX Runtime CPU
   * against a double reference, sin and cos of 1000 t 10000^(-k/64).
   */
  @Test
  void fp16DenoiserSinusoidIsFloat32AccurateOnOnnxRuntime() throws Exception {
    OnnxMl.ModelProto denoiser = OnnxModels.read(DENOISER);
    String feature = node(denoiser.getGraph(), "Concat").getOutput(0);
    OnnxMl.ModelProto.Builder mb = denoiser.toBuilder();
    mb.getGraphBuilder().addOutput(OnnxMl.ValueInfoProto.newBuilder().setName(feature)
        .setType(OnnxMl.TypeProto.newBuilder()
            .setTensorType(OnnxMl.TypeProto.Tensor.newBuilder().setElemType(F32))));
    OnnxMl.ModelProto model = mb.build();
    OnnxMl.ModelProto fp16 = OnnxPrecision.convert(model, Precision.FP16);
    OnnxMl.ModelProto without = OnnxPrecision.convert(
        model, Precision.FP16, OnnxPrecision.defaultBlockedOps(Precision.FP16, 17), false);
    // the feature is computed as Concat_14_fp16 and published by a Cast, which must not take the
    // name of the Concat node (named after its output)
    assertThat(fp16.getGraph().getNodeList()).extracting(OnnxMl.NodeProto::getName)
        .doesNotHaveDuplicates();
    int batch = 32;
    Map<String, Ort.In> in = denoiserInputs(model, batch, 11);
    float[] t = (float[]) in.get(DitBuilder.T).data();
    Map<String, Ort.Out> ref;
    Map<String, Ort.Out> got;
    Map<String, Ort.Out> gotWithout;
    try (Ort a = new Ort(model); Ort b = new Ort(fp16); Ort c = new Ort(without)) {
      ref = a.run(in);
      got = b.run(in);
      gotWithout = c.run(in);
    }
    // Measured (batch 32, seed 11), max |error| over the 32 x 128 features: the float32 graph
    // 4.6e-5 (float32's spacing near 1000 is 6.1e-5); fp16 with islands 2.5e-4 (the features
    // themselves are rounded to fp16 once, by up to 2^-12 = 2.4e-4 where |value| <= 1); fp16
    // without islands 0.18 (t, the frequencies and the products rounded to fp16, whose spacing
    // near 1000 is 0.5). v: RMS relative error 0.156% with islands, 0.162% without.
    assertThat(sinusoidError(ref.get(feature).data(), t)).isLessThan(2e-4);
    assertThat(sinusoidError(got.get(feature).data(), t)).isLessThan(2e-4 + 0x1p-12);
    assertThat(sinusoidError(gotWithout.get(feature).data(), t)).isGreaterThan(0.05);
    Error e = error(got.get("v").data(), ref.get("v").data());
    assertThat(e.rmsRel).isLessThan(0.01);
    assertThat(e.maxAbs).isLessThan(0.02 * e.maxRef);
  }

  /** Max |error| of [sin | cos](1000 t 10000^(-k/half)) features of a batch against doubles. */
  static double sinusoidError(float[] features, float[] t) {
    int d = features.length / t.length;
    int half = d / 2;
    double max = 0;
    for (int b = 0; b < t.length; b++) {
      for (int k = 0; k < half; k++) {
        double angle = 1000.0 * t[b] * Math.exp(-Math.log(10000.0) * k / half);
        max = Math.max(max, Math.abs(features[b * d + k] - Math.sin(angle)));
        max = Math.max(max, Math.abs(features[b * d + half + k] - Math.cos(angle)));
      }
    }
    return max;
  }

  /**
   * y = Sin(t * 1000 * f) + MatMul(x, W), with Sin's own result published as a second output:
   * after an fp16 conversion the Muls of the argument are a float32 island and the Sin branch is
   * float32-accurate. Without islands, t, f and the products are rounded to fp16 (ONNX Runtime
   * CPU runs an fp16 Mul in float32 between Casts, but its result is still rounded to fp16).
   */
  @Test
  void sinOfALargeArgumentIsFloat32AccurateAfterFp16Conversion() throws Exception {
    int n = 16;
    float[] f = new float[n];
    for (int k = 0; k < n; k++) {
      f[k] = (float) Math.pow(10000, -k / (double) n);
    }
    Random rnd = new Random(6);
    float[] w = new float[n * n];
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) rnd.nextGaussian();
    }
    GraphBuilder g = new GraphBuilder("phase", 17);
    String t = g.input("t", FLOAT, "B");
    String x = g.input("x", FLOAT, "B", n);
    String unsqueezed = g.op("Unsqueeze", t, g.constant("axes", new long[] {1}, 1));
    String scaled = g.op("Mul", unsqueezed, g.scalar(1000f));
    String arg = g.op("Mul", scaled, g.constant("f", f, n));
    String sin = g.op("Sin", arg);
    g.output(sin, sin, FLOAT, "B", n); // Sin's result itself (no Identity)
    String matmul = g.op("MatMul", x, g.constant("W", w, n, n));
    String sum = g.op("Add", sin, matmul);
    g.output("y", sum, FLOAT, "B", n);
    OnnxMl.ModelProto model = g.build();
    OnnxMl.ModelProto fp16 = OnnxPrecision.convert(model, Precision.FP16);
    OnnxMl.ModelProto without = OnnxPrecision.convert(
        model, Precision.FP16, OnnxPrecision.defaultBlockedOps(Precision.FP16, 17), false);

    assertThat(float32Nodes(fp16.getGraph()))
        .containsExactlyInAnyOrder(unsqueezed, scaled, arg, sin);
    assertThat(float32Nodes(without.getGraph())).containsExactly(sin);
    Map<String, Integer> types = OnnxPrecision.elementTypes(fp16.getGraph());
    assertThat(types.get(matmul)).isEqualTo(F16);
    assertThat(types.get(sum)).isEqualTo(F16);
    assertThat(initializer(fp16.getGraph(), "f").getDataType()).isEqualTo(F32);
    assertThat(initializer(fp16.getGraph(), "W").getDataType()).isEqualTo(F16);

    // t: 0, 1, just below 1 and 61 uniform in [0, 1); x = 0 isolates the Sin branch in y too
    int batch = 64;
    float[] tv = new float[batch];
    tv[1] = 1f;
    tv[2] = Math.nextDown(1f);
    for (int b = 3; b < batch; b++) {
      tv[b] = rnd.nextFloat();
    }
    Map<String, Ort.In> in = Map.of("t", new Ort.In(tv, batch),
        "x", new Ort.In(new float[batch * n], batch, n));
    Map<String, Ort.Out> got;
    Map<String, Ort.Out> gotWithout;
    try (Ort a = new Ort(fp16); Ort b = new Ort(without)) {
      got = a.run(in);
      gotWithout = b.run(in);
    }
    double[] err = new double[4]; // sin, y; with islands, then without
    for (int b = 0; b < batch; b++) {
      for (int k = 0; k < n; k++) {
        double ref = Math.sin(1000.0 * tv[b] * f[k]); // t and f as the model holds them
        int i = b * n + k;
        err[0] = Math.max(err[0], Math.abs(got.get(sin).data()[i] - ref));
        err[1] = Math.max(err[1], Math.abs(got.get("y").data()[i] - ref));
        err[2] = Math.max(err[2], Math.abs(gotWithout.get(sin).data()[i] - ref));
        err[3] = Math.max(err[3], Math.abs(gotWithout.get("y").data()[i] - ref));
      }
    }
    // Measured max |error|: with islands 3.2e-5 for Sin's result (float32's spacing near 1000
    // is 6.1e-5) and 2.5e-4 for y (rounded to fp16 once, by up to 2^-12 = 2.4e-4); without
    // islands 0.24 for both (the argument's spacing near 1000 is 0.5 in fp16).
    assertThat(err[0]).isLessThan(2e-4);
    assertThat(err[1]).isLessThan(2e-4 + 0x1p-12);
    assertThat(err[2]).isGreaterThan(0.05);
    assertThat(err[3]).isGreaterThan(0.05);
  }

  /**
   * Blocking LayerNormalization and Softmax as well: every node of the denoiser depends only on
   * x, t, text and the weights, so islands through MatMul would make 220 of its 234 nodes float32
   * (measured); a compute-bound operator ends an island, and only Expand_1 (LayerNormalization's
   * scale of ones, from a constant) joins the time-embedding chain.
   */
  @Test
  void islandsStopAtComputeBoundOperators() {
    OnnxMl.ModelProto model = OnnxModels.read(DENOISER);
    Set<String> blocked = new HashSet<>(OnnxPrecision.defaultBlockedOps(Precision.FP16, 17));
    blocked.addAll(Set.of("LayerNormalization", "Softmax"));
    OnnxMl.GraphProto g = OnnxPrecision.convert(model, Precision.FP16, blocked).getGraph();
    Set<String> expected = new HashSet<>(TIME_EMBEDDING_FLOAT32_NODES);
    expected.add("Expand_1");
    g.getNodeList().stream().filter(n -> blocked.contains(n.getOpType()))
        .forEach(n -> expected.add(n.getName()));
    assertThat(expected).hasSize(9 + 9 + 4);
    assertThat(float32Nodes(g)).containsExactlyInAnyOrderElementsOf(expected);
    assertThat(initializer(g, DitBuilder.W_IN).getDataType()).isEqualTo(F16);
  }

  /** A Resize reads its scales as float32: the Mul that computes them from inputs stays float32. */
  @Test
  void resizeScalesAreAFloat32Reader() throws Exception {
    GraphBuilder g = new GraphBuilder("resize", 17);
    String x = g.input("x", FLOAT, 1, 1, 2, 2);
    String s = g.input("s", FLOAT, 4);
    String scales = g.op("Mul", s, g.constant("c", new float[] {1f, 1f, 1.5f, 1.5f}, 4));
    String y = g.op("Resize", Map.of("mode", "nearest"), x, "", scales);
    g.output("y", y, FLOAT, 1, 1, "H", "W");
    OnnxMl.ModelProto model = g.build();
    OnnxMl.ModelProto fp16 = OnnxPrecision.convert(model, Precision.FP16);
    assertThat(float32Nodes(fp16.getGraph())).containsExactly(scales);
    assertThat(fp16.getGraph().getNodeList()).filteredOn(n -> n.getOpType().equals("Cast"))
        .extracting(n -> n.getInput(0) + "->" + n.getOutput(0))
        .containsExactlyInAnyOrder("x->x_fp16", "y_fp16->y");
    Map<String, Ort.In> in = Map.of("x", new Ort.In(new float[] {1, 2, 3, 4}, 1, 1, 2, 2),
        "s", new Ort.In(new float[] {1f, 1f, 2f, 2f}, 4));
    try (Ort a = new Ort(model); Ort b = new Ort(fp16)) {
      Ort.Out ref = a.run(in).get("y");
      Ort.Out got = b.run(in).get("y");
      assertThat(got.shape()).containsExactly(1, 1, 6, 6);
      assertThat(got.data()).containsExactly(ref.data());
    }
  }

  // -------------------------------------------------------------------------------------------
  // Small graphs: the parts of the conversion the denoiser does not use

  /**
   * Constant (tensor and value_floats), ConstantOfShape without a value, Cast to FLOAT,
   * value_info, a float_data initializer, an initializer read by a blocked and an unblocked node,
   * a float32 value published as an output and read inside.
   */
  static OnnxMl.ModelProto small() {
    GraphBuilder g = new GraphBuilder("small", 17);
    String x = g.input("x", FLOAT, "B", 4);
    String ids = g.input("ids", INT64, "B", 4);
    String w = g.constant("w", new float[] {0.1f, -0.2f, 0.3f, 0.4f, 0.5f, -0.6f, 0.7f, 0.8f,
        0.9f, 1.0f, -1.1f, 1.2f, 1.3f, 1.4f, 1.5f, -1.6f}, 4, 4);
    OnnxMl.TensorProto bias = OnnxMl.TensorProto.newBuilder().setDataType(F32).addDims(4)
        .addFloatData(0.25f).addFloatData(-0.5f).addFloatData(1f).addFloatData(2f).build();
    String c1 = g.op("Constant", Map.of("value", bias));
    String c2 = g.op("Constant", Map.of("value_floats", new float[] {1.5f, 1.5f, 1.5f, 1.5f}));
    String zeros = g.op("ConstantOfShape", g.constant("shape4", new long[] {4}, 1));
    String idsF = g.op("Cast", Map.of("to", (long) F32), ids);
    String y = g.op("Add", g.op("MatMul", x, w), c1);
    String z = g.op("Mul", g.op("Add", y, zeros), c2);
    String s = g.op("Add", z, g.op("Mul", idsF, g.scalar(0.125f)));
    g.output("s", s, FLOAT, "B", 4);
    String r = g.op("Relu", "s"); // blocked below, as is ReduceSum
    String u = g.op("Add", "s",
        g.op("ReduceSum", Map.of("keepdims", 0L), w, g.constant("axes", new long[] {0}, 1)));
    g.output("out", g.op("Add", r, u), FLOAT, "B", 4);
    OnnxMl.ModelProto.Builder m = g.build().toBuilder();
    OnnxMl.GraphProto.Builder gb = m.getGraphBuilder();
    // w as float_data instead of raw_data
    for (int i = 0; i < gb.getInitializerCount(); i++) {
      if (gb.getInitializer(i).getName().equals("w")) {
        float[] v = OnnxPrecision.floats(gb.getInitializer(i));
        OnnxMl.TensorProto.Builder t = gb.getInitializer(i).toBuilder().clearRawData();
        for (float f : v) {
          t.addFloatData(f);
        }
        gb.setInitializer(i, t);
      }
    }
    gb.addValueInfo(OnnxMl.ValueInfoProto.newBuilder().setName(y)
        .setType(OnnxMl.TypeProto.newBuilder()
            .setTensorType(OnnxMl.TypeProto.Tensor.newBuilder().setElemType(F32))));
    return m.build();
  }

  @Test
  void smallGraphConvertsEveryFloatSourceAndAgreesNumerically() throws Exception {
    OnnxMl.ModelProto model = small();
    OnnxMl.ModelProto fp16 =
        OnnxPrecision.convert(model, Precision.FP16, Set.of("Relu", "ReduceSum"));
    OnnxMl.GraphProto g = fp16.getGraph();
    assertThat(node(g, "Constant", 0).getAttribute(0).getT().getDataType()).isEqualTo(F16);
    assertThat(node(g, "Constant", 1).getAttribute(0).getName()).isEqualTo("value");
    assertThat(node(g, "Constant", 1).getAttribute(0).getT().getDataType()).isEqualTo(F16);
    assertThat(node(g, "ConstantOfShape", 0).getAttribute(0).getT().getDataType()).isEqualTo(F16);
    assertThat(node(g, "Cast", "Cast_").getAttribute(0).getI()).isEqualTo(F16);
    assertThat(g.getValueInfo(0).getType().getTensorType().getElemType()).isEqualTo(F16);
    OnnxMl.TensorProto w = initializer(g, "w");
    assertThat(w.getDataType()).isEqualTo(F16);
    assertThat(w.getFloatDataCount()).isZero();
    assertThat(w.getRawData().size()).isEqualTo(16 * 2);
    // the blocked ReduceSum reads an exact float32 copy of w
    assertThat(initializer(g, node(g, "ReduceSum").getInput(0)).getDataType()).isEqualTo(F32);
    assertThat(OnnxPrecision.floats(initializer(g, node(g, "ReduceSum").getInput(0))))
        .containsExactly(OnnxPrecision.floats(initializer(model.getGraph(), "w")));
    // the output s is computed as s_fp16 and cast to float32 once; Relu reads the float32 s, the
    // Add the fp16 value
    assertThat(node(g, "Cast", "s").getInput(0)).isEqualTo("s_fp16");
    assertThat(node(g, "Relu").getInput(0)).isEqualTo("s");
    assertThat(g.getNodeList()).filteredOn(n -> n.getOpType().equals("Add"))
        .anySatisfy(n -> assertThat(n.getInput(0)).isEqualTo("s_fp16"));
    assertThat(g.getOutputList())
        .extracting(v -> v.getName() + ":" + v.getType().getTensorType().getElemType())
        .containsExactly("s:1", "out:1");

    Random rnd = new Random(3);
    float[] x = new float[4 * 4];
    long[] ids = new long[4 * 4];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) rnd.nextGaussian();
      ids[i] = rnd.nextInt(100);
    }
    Map<String, Ort.In> in = Map.of("x", new Ort.In(x, 4, 4), "ids", new Ort.In(ids, 4, 4));
    try (Ort a = new Ort(model); Ort b = new Ort(fp16)) {
      Map<String, Ort.Out> ref = a.run(in);
      Map<String, Ort.Out> got = b.run(in);
      for (String out : List.of("s", "out")) {
        float[] r = ref.get(out).data();
        float[] v = got.get(out).data();
        for (int i = 0; i < r.length; i++) {
          // |s| < 30: a few half roundings of the inputs, weights and partial sums, 2^-11 each
          assertThat(v[i]).as(out + "[" + i + "]").isCloseTo(r[i],
              within(8 * 0x1p-11f * (Math.abs(r[i]) + 4)));
        }
      }
    }
  }

  /** A bf16 graph of operators ORT CPU has bf16 kernels for: its values are exact roundings. */
  @Test
  void bf16LayoutGraphGivesExactlyRoundedValues() throws Exception {
    GraphBuilder g = new GraphBuilder("layout", 17);
    Random rnd = new Random(4);
    float[] table = new float[8 * 3];
    for (int i = 0; i < table.length; i++) {
      table[i] = (float) rnd.nextGaussian();
    }
    String x = g.input("x", FLOAT, 8, 3);
    String ids = g.input("ids", INT64, 8);
    String emb = g.op("Gather", Map.of("axis", 0L), g.constant("table", table, 8, 3), ids);
    Map<String, Object> swap = Map.of("perm", new long[] {1, 0});
    String both = g.op("Concat", Map.of("axis", 1L),
        g.op("Transpose", swap, g.op("Transpose", swap, x)), emb);
    g.output("y", both, FLOAT, 8, 6);
    OnnxMl.ModelProto bf16 = OnnxPrecision.convert(g.build(), Precision.BF16);
    long[] identity = {0, 1, 2, 3, 4, 5, 6, 7};
    try (Ort ort = new Ort(bf16)) {
      float[] y = ort.run(Map.of("x", new Ort.In(table.clone(), 8, 3),
          "ids", new Ort.In(identity, 8))).get("y").data();
      for (int r = 0; r < 8; r++) {
        for (int c = 0; c < 3; c++) {
          float v = table[r * 3 + c];
          // left half: ORT's Cast of the input; right half: our stored initializer
          assertThat(y[r * 6 + c]).isEqualTo(fromBfloat16(toBfloat16(v)));
          assertThat(y[r * 6 + 3 + c]).isEqualTo(y[r * 6 + c]);
          assertThat(Math.abs(y[r * 6 + c] - v)).isLessThanOrEqualTo(Math.abs(v) * 0x1p-8f);
        }
      }
    }
  }

  // -------------------------------------------------------------------------------------------
  // API edges

  @Test
  void fp32ReturnsTheSameModel() {
    OnnxMl.ModelProto model = small();
    assertThat(OnnxPrecision.convert(model, Precision.FP32)).isSameAs(model);
  }

  @Test
  void aConvertedModelIsRejected() {
    OnnxMl.ModelProto fp16 = OnnxPrecision.convert(small(), Precision.FP16);
    for (Precision p : List.of(Precision.FP16, Precision.BF16)) {
      assertThatThrownBy(() -> OnnxPrecision.convert(fp16, p))
          .isInstanceOf(VideoJamException.class)
          .hasMessageContaining("already converted to fp16")
          .hasMessageContaining("float32 original");
    }
  }

  @Test
  void externalDataIsRejected() {
    OnnxMl.ModelProto.Builder m = small().toBuilder();
    m.getGraphBuilder().setInitializer(0, m.getGraph().getInitializer(0).toBuilder().clearRawData()
        .clearFloatData().setDataLocation(OnnxMl.TensorProto.DataLocation.EXTERNAL)
        .addExternalData(OnnxMl.StringStringEntryProto.newBuilder()
            .setKey("location").setValue("w.data")));
    assertThatThrownBy(() -> OnnxPrecision.convert(m.build(), Precision.FP16))
        .isInstanceOf(VideoJamException.class)
        .hasMessageContaining("external data")
        .hasMessageContaining("OnnxModels.readWithExternalData");
  }

  @Test
  void bf16NeedsOpset13() {
    GraphBuilder g = new GraphBuilder("old", 12);
    String x = g.input("x", FLOAT, 2);
    g.output("y", g.op("Relu", x), FLOAT, 2);
    OnnxMl.ModelProto old = g.build();
    assertThatThrownBy(() -> OnnxPrecision.convert(old, Precision.BF16))
        .isInstanceOf(VideoJamException.class).hasMessageContaining("opset 13");
    assertThat(OnnxPrecision.convert(old, Precision.FP16).getGraph().getNodeCount()).isEqualTo(4);
  }

  @Test
  void parse() {
    assertThat(Precision.parse("fp32")).isEqualTo(Precision.FP32);
    assertThat(Precision.parse("FP16")).isEqualTo(Precision.FP16);
    assertThat(Precision.parse(" Bf16 ")).isEqualTo(Precision.BF16);
    assertThat(Precision.BF16.label()).isEqualTo("bf16");
    assertThat(Precision.FP16.dataType()).isEqualTo(10);
    assertThat(Precision.BF16.dataType()).isEqualTo(16);
    for (String bad : new String[] {"int8", "", "float16", null}) {
      assertThatThrownBy(() -> Precision.parse(bad))
          .isInstanceOf(VideoJamException.class)
          .hasMessageContaining("fp32, fp16 or bf16");
    }
  }

  // -------------------------------------------------------------------------------------------

  record Error(double maxAbs, double maxRef, double rmsRel) {}

  static Error error(float[] got, float[] ref) {
    assertThat(got).hasSameSizeAs(ref);
    double maxAbs = 0;
    double maxRef = 0;
    double se = 0;
    double sr = 0;
    for (int i = 0; i < ref.length; i++) {
      assertThat(got[i]).isFinite();
      double d = Math.abs(got[i] - ref[i]);
      maxAbs = Math.max(maxAbs, d);
      maxRef = Math.max(maxRef, Math.abs(ref[i]));
      se += d * d;
      sr += (double) ref[i] * ref[i];
    }
    return new Error(maxAbs, maxRef, Math.sqrt(se / sr));
  }

  /** Gaussian x, t in [0, 1), token ids below the text table's row count; fixed seed. */
  static Map<String, Ort.In> denoiserInputs(OnnxMl.ModelProto model, int batch, long seed) {
    List<TensorInfo> ins = OnnxModels.inputs(model);
    long[] xShape = ins.get(0).shape().clone();
    xShape[0] = batch;
    int sample = 1;
    for (int d = 1; d < xShape.length; d++) {
      sample *= (int) xShape[d];
    }
    int tokens = (int) ins.get(2).shape()[1];
    OnnxMl.GraphProto g = model.getGraph();
    int vocab = (int) initializer(g, node(g, "Gather").getInput(0)).getDims(0);
    Random r = new Random(seed);
    float[] x = new float[batch * sample];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextGaussian();
    }
    float[] t = new float[batch];
    for (int i = 0; i < batch; i++) {
      t[i] = r.nextFloat();
    }
    long[] text = new long[batch * tokens];
    for (int i = 0; i < text.length; i++) {
      text[i] = r.nextInt(vocab);
    }
    return Map.of(DitBuilder.X, new Ort.In(x, xShape), DitBuilder.T, new Ort.In(t, batch),
        DitBuilder.TEXT, new Ort.In(text, batch, tokens));
  }

  /**
   * The nodes other than Cast with a float32 output, by their first output's name (GraphBuilder,
   * which built the denoiser, names a node after its output).
   */
  static List<String> float32Nodes(OnnxMl.GraphProto g) {
    Map<String, Integer> types = OnnxPrecision.elementTypes(g);
    return g.getNodeList().stream()
        .filter(n -> !n.getOpType().equals("Cast")
            && n.getOutputList().stream().anyMatch(o -> Objects.equals(types.get(o), F32)))
        .map(n -> n.getOutput(0)).toList();
  }

  static OnnxMl.NodeProto node(OnnxMl.GraphProto g, String opType) {
    return node(g, opType, 0);
  }

  /** The {@code index}-th node of the type. */
  static OnnxMl.NodeProto node(OnnxMl.GraphProto g, String opType, int index) {
    return g.getNodeList().stream().filter(n -> n.getOpType().equals(opType)).skip(index)
        .findFirst().orElseThrow();
  }

  /** The node of the type whose first output starts with {@code prefix}. */
  static OnnxMl.NodeProto node(OnnxMl.GraphProto g, String opType, String prefix) {
    return g.getNodeList().stream()
        .filter(n -> n.getOpType().equals(opType) && n.getOutput(0).startsWith(prefix))
        .findFirst().orElseThrow();
  }

  static OnnxMl.TensorProto initializer(OnnxMl.GraphProto g, String name) {
    return g.getInitializerList().stream().filter(t -> t.getName().equals(name)).findFirst()
        .orElseThrow();
  }
}
