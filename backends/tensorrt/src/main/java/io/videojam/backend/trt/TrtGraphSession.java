package io.videojam.backend.trt;

import static io.videojam.backend.trt.TrtNatives.check;
import static org.bytedeco.cuda.global.cudart.cudaFree;
import static org.bytedeco.cuda.global.cudart.cudaFreeHost;
import static org.bytedeco.cuda.global.cudart.cudaMalloc;
import static org.bytedeco.cuda.global.cudart.cudaMallocHost;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyAsync;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyDeviceToHost;
import static org.bytedeco.cuda.global.cudart.cudaMemcpyHostToDevice;
import static org.bytedeco.cuda.global.cudart.cudaSetDevice;
import static org.bytedeco.cuda.global.cudart.cudaStreamCreate;
import static org.bytedeco.cuda.global.cudart.cudaStreamDestroy;
import static org.bytedeco.cuda.global.cudart.cudaStreamSynchronize;

import io.videojam.api.BackendOptions;
import io.videojam.api.FloatTensor;
import io.videojam.api.GraphSession;
import io.videojam.api.LongTensor;
import io.videojam.api.Shapes;
import io.videojam.api.Tensor;
import io.videojam.api.TensorInfo;
import io.videojam.api.VideoJamException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.tensorrt.global.nvinfer;
import org.bytedeco.tensorrt.nvinfer.Dims64;
import org.bytedeco.tensorrt.nvinfer.IExecutionContext;

/**
 * One engine on one CUDA stream. Every input and output has a device buffer and a pinned host
 * buffer sized for the largest batch, made when the session opens and reused by every run: a run
 * copies changed inputs up, enqueues the engine, copies the wanted outputs down and waits. An input
 * that is the same tensor instance as in the previous run is not copied again (Inner-Guidance's
 * passes share the latent of a step).
 */
final class TrtGraphSession implements GraphSession {
  /** One engine input or output with its buffers. */
  private static final class Binding {
    final String name;
    final boolean input;
    final nvinfer.DataType type;
    final long[] engineShape;
    final long capacity;
    final Pointer device = new Pointer();
    final Pointer host = new Pointer();
    FloatPointer hostFloat;
    LongPointer hostLong;
    IntPointer hostInt;
    Tensor source;
    long[] shape;
    final Dims64 dims;

    Binding(String name, boolean input, nvinfer.DataType type, long[] engineShape, long[] maxShape) {
      this.name = name;
      this.input = input;
      this.type = type;
      this.engineShape = engineShape;
      this.capacity = Shapes.count(maxShape);
      this.dims = new Dims64();
    }

    long elementBytes() {
      return type == nvinfer.DataType.kINT64 ? 8 : 4;
    }
  }

  private final TrtEngines.Loaded loaded;
  private final Path file;
  private final int maxBatch;
  private final int device;
  private final IExecutionContext context;
  private final CUstream_st stream = new CUstream_st();
  private final Pointer scratch = new Pointer();
  private final long scratchBytes;
  private final Map<String, Binding> bindings = new LinkedHashMap<>();
  private final List<TensorInfo> inputs = new ArrayList<>();
  private final List<TensorInfo> outputs = new ArrayList<>();
  /** Output shapes are asked from TensorRT only after an input shape changed (the answer is a native allocation). */
  private boolean outputShapesStale = true;
  private long runNanos;
  private long runCount;
  private boolean closed;

  TrtGraphSession(TrtEngines.Loaded loaded, Path file, BackendOptions options) {
    this.loaded = loaded;
    this.file = file;
    this.maxBatch = options.maxBatch();
    this.device = options.deviceId();
    check(cudaSetDevice(options.deviceId()), "cudaSetDevice(" + options.deviceId() + ")");
    this.context = loaded.borrow();
    try {
      check(cudaStreamCreate(stream), "cudaStreamCreate");
      var engine = loaded.engine;
      scratchBytes = engine.getDeviceMemorySizeV2();
      if (scratchBytes > 0) {
        check(cudaMalloc(scratch, scratchBytes), "cudaMalloc(" + scratchBytes + " bytes of engine scratch)");
      }
      context.setDeviceMemoryV2(scratch, scratchBytes); // null and 0 when the engine needs none
      List<String> outNames = new ArrayList<>();
      for (int i = 0; i < engine.getNbIOTensors(); i++) {
        String name = engine.getIOTensorName(i);
        long[] shape = shape(engine.getTensorShape(name));
        // intern(): JavaCPP may return an enum instance other than the constant, with the right value
        if (engine.getTensorIOMode(name).intern() == nvinfer.TensorIOMode.kINPUT) {
          long[] max = loaded.profile.max().get(name);
          if (max == null) {
            throw new VideoJamException(file + ": TensorRT input '" + name + "' is not a graph input; rebuild the engine (delete "
                + loaded.file + ")");
          }
          Binding b = new Binding(name, true, type(engine.getTensorDataType(name), name), shape, max);
          bindings.put(name, b);
          setShape(b, max);
          inputs.add(new TensorInfo(name, b.type == nvinfer.DataType.kFLOAT ? TensorInfo.ElementType.FLOAT : TensorInfo.ElementType.INT64,
              shape));
        } else {
          outNames.add(name);
        }
      }
      for (String name : outNames) { // output sizes at the largest input shapes
        long[] max = shape(context.getTensorShape(name));
        if (Arrays.stream(max).anyMatch(d -> d < 0)) {
          throw new VideoJamException(file + ": output '" + name + "' has a data-dependent shape " + Arrays.toString(max)
              + "; trt-native needs output sizes that follow from the input sizes, use --backend tensorrt or cuda");
        }
        Binding b = new Binding(name, false, type(engine.getTensorDataType(name), name), shape(engine.getTensorShape(name)), max);
        if (b.type != nvinfer.DataType.kFLOAT) {
          throw new VideoJamException(file + ": output '" + name + "' is " + b.type + "; trt-native returns float32 outputs only");
        }
        bindings.put(name, b);
        outputs.add(new TensorInfo(name, TensorInfo.ElementType.FLOAT, b.engineShape));
      }
      for (Binding b : bindings.values()) {
        long bytes = Math.max(1, b.capacity) * b.elementBytes();
        check(cudaMalloc(b.device, bytes), "cudaMalloc(" + bytes + " bytes for '" + b.name + "')");
        check(cudaMallocHost(b.host, bytes), "cudaMallocHost(" + bytes + " bytes for '" + b.name + "')");
        switch (b.type) {
          case kFLOAT -> b.hostFloat = new FloatPointer(b.host).capacity(b.capacity);
          case kINT64 -> b.hostLong = new LongPointer(b.host).capacity(b.capacity);
          default -> b.hostInt = new IntPointer(b.host).capacity(b.capacity);
        }
        if (!context.setTensorAddress(b.name, b.device)) {
          throw new VideoJamException("TensorRT refused the buffer of '" + b.name + "' for " + file + ": " + TrtEngines.logger().lastError());
        }
      }
    } catch (RuntimeException | Error e) {
      close();
      throw e;
    }
  }

  private nvinfer.DataType type(nvinfer.DataType returned, String name) {
    nvinfer.DataType t = returned.intern();
    if (t == nvinfer.DataType.kFLOAT || t == nvinfer.DataType.kINT64 || t == nvinfer.DataType.kINT32) {
      return t;
    }
    throw new VideoJamException(file + ": engine tensor '" + name + "' has type " + t
        + "; only float32, int32 and int64 inputs and outputs are supported (the precision conversion keeps them float32)");
  }

  /** The shape in a Dims64 returned by value (a native copy JavaCPP allocates), which is freed here. */
  private static long[] shape(Dims64 d) {
    try (d) {
      long[] s = new long[d.nbDims()];
      for (int i = 0; i < s.length; i++) {
        s[i] = d.d(i);
      }
      return s;
    }
  }

  private void setShape(Binding b, long[] shape) {
    if (Arrays.equals(b.shape, shape)) {
      return;
    }
    b.dims.nbDims(shape.length);
    for (int i = 0; i < shape.length; i++) {
      b.dims.d(i, shape[i]);
    }
    if (!context.setInputShape(b.name, b.dims)) {
      throw new VideoJamException(file + ": TensorRT rejects shape " + Arrays.toString(shape) + " for input '" + b.name
          + "' (the engine takes batch 1 to " + maxBatch + "; a larger batch needs --max-batch): " + TrtEngines.logger().lastError());
    }
    b.shape = shape.clone();
    outputShapesStale = true;
  }

  @Override
  public List<TensorInfo> inputs() {
    return List.copyOf(inputs);
  }

  @Override
  public List<TensorInfo> outputs() {
    return List.copyOf(outputs);
  }

  @Override
  public Map<String, Tensor> run(Map<String, Tensor> feed, List<String> outputNames) {
    Map<String, long[]> wanted = new LinkedHashMap<>();
    outputNames.forEach(n -> wanted.put(n, null));
    return run(feed, wanted);
  }

  @Override
  public Map<String, Tensor> run(Map<String, Tensor> feed, Map<String, long[]> wanted) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    execute(feed, wanted.keySet(), (b, shape) -> {
      float[] data = new float[Math.toIntExact(Shapes.count(shape))];
      b.hostFloat.position(0).get(data);
      out.put(b.name, new FloatTensor(shape, data));
    });
    return out;
  }

  @Override
  public void runInto(Map<String, Tensor> feed, String output, long[] shape, float[] into) {
    execute(feed, List.of(output), (b, s) -> {
      if (Shapes.count(s) != into.length) {
        throw new IllegalArgumentException("output '" + output + "' holds " + Shapes.count(s) + " values, the destination " + into.length);
      }
      b.hostFloat.position(0).get(into);
    });
  }

  private interface Sink {
    void take(Binding b, long[] shape);
  }

  private void execute(Map<String, Tensor> feed, java.util.Collection<String> wanted, Sink sink) {
    if (closed) {
      throw new IllegalStateException("session of " + file + " is closed");
    }
    long start = System.nanoTime();
    // the current device is per thread, and other backends or sessions of this thread may have changed it
    check(cudaSetDevice(device), "cudaSetDevice(" + device + ")");
    // everything is checked before the first asynchronous copy, so a bad feed leaves nothing in flight
    for (Binding b : bindings.values()) {
      if (b.input) {
        Tensor t = feed.get(b.name);
        if (t == null) {
          throw new VideoJamException(file + ": no value for TensorRT input '" + b.name + "'; check model.json's input names");
        }
        long[] s = t.shape();
        if (s.length != b.engineShape.length || Shapes.count(s) > b.capacity) {
          throw new VideoJamException(file + ": input '" + b.name + "' has shape " + Arrays.toString(s) + "; the engine takes "
              + Arrays.toString(b.engineShape) + " with batch 1 to " + maxBatch + " (--max-batch)");
        }
        boolean isFloat = t instanceof FloatTensor;
        if (isFloat != (b.type == nvinfer.DataType.kFLOAT)) {
          throw new VideoJamException(file + ": input '" + b.name + "' wants " + b.type + ", got " + (isFloat ? "float32" : "int64"));
        }
        setShape(b, s);
      }
    }
    for (String name : wanted) {
      Binding b = bindings.get(name);
      if (b == null || b.input) {
        throw new VideoJamException(file + ": the engine has no output '" + name + "'; check model.json's output names");
      }
    }
    if (outputShapesStale) { // input shapes are all set: the output shapes follow
      for (Binding b : bindings.values()) {
        if (!b.input) {
          long[] s = shape(context.getTensorShape(b.name));
          if (Arrays.stream(s).anyMatch(d -> d < 0) || Shapes.count(s) > b.capacity) {
            throw new VideoJamException(file + ": output '" + b.name + "' would have shape " + Arrays.toString(s) + ", beyond the "
                + b.capacity + " values its buffer holds; use --backend tensorrt or cuda for this graph");
          }
          b.shape = s;
        }
      }
      outputShapesStale = false;
    }
    try {
      for (Binding b : bindings.values()) {
        if (!b.input) {
          continue;
        }
        Tensor t = feed.get(b.name);
        if (t != b.source) {
          int n = (int) Shapes.count(t.shape()); // at most the capacity of a Java array's worth
          if (t instanceof FloatTensor f) {
            b.hostFloat.position(0).put(f.data(), 0, n);
          } else if (b.type == nvinfer.DataType.kINT64) {
            b.hostLong.position(0).put(((LongTensor) t).data(), 0, n);
          } else {
            long[] d = ((LongTensor) t).data();
            for (int i = 0; i < n; i++) {
              b.hostInt.put(i, (int) d[i]);
            }
          }
          b.source = null; // until the copy is queued
          check(cudaMemcpyAsync(b.device, b.host, n * b.elementBytes(), cudaMemcpyHostToDevice, stream),
              "copy of '" + b.name + "' to the GPU");
          b.source = t;
        }
      }
      if (!context.enqueueV3(stream)) {
        throw new VideoJamException("TensorRT failed running " + file + ": " + TrtEngines.logger().lastError());
      }
      for (String name : wanted) {
        Binding b = bindings.get(name);
        check(cudaMemcpyAsync(b.host, b.device, Shapes.count(b.shape) * b.elementBytes(), cudaMemcpyDeviceToHost, stream),
            "copy of '" + name + "' from the GPU");
      }
    } finally {
      // also after a failure: nothing may still read the pinned buffers when the next run writes them
      int rc = cudaStreamSynchronize(stream);
      if (rc != org.bytedeco.cuda.global.cudart.cudaSuccess) {
        bindings.values().forEach(b -> b.source = null);
        check(rc, "stream synchronize after running " + file);
      }
    }
    for (String name : wanted) {
      Binding b = bindings.get(name);
      sink.take(b, b.shape);
    }
    runNanos += System.nanoTime() - start;
    runCount++;
  }

  @Override
  public long runNanos() {
    return runNanos;
  }

  @Override
  public long runCount() {
    return runCount;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    cudaSetDevice(device); // frees go to the device the memory is on
    if (!stream.isNull()) {
      cudaStreamSynchronize(stream);
    }
    for (Binding b : bindings.values()) {
      if (!b.device.isNull()) {
        cudaFree(b.device);
      }
      if (!b.host.isNull()) {
        cudaFreeHost(b.host);
      }
      b.dims.close();
    }
    if (!scratch.isNull()) {
      cudaFree(scratch);
    }
    if (!stream.isNull()) {
      cudaStreamDestroy(stream);
    }
    loaded.giveBack(context);
  }
}
