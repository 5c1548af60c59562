package io.videojam.backend.ort;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;

/**
 * Frees direct buffers when their owner closes, instead of when a garbage collection happens to
 * run their cleaner: a model opened and closed 200 times otherwise holds tens of MB of dead input
 * and output buffers outside the heap until the next old-generation collection.
 */
final class DirectBuffers {
  private static final MethodHandle INVOKE_CLEANER = find();

  private DirectBuffers() {}

  /** Frees {@code buffer}'s memory now (a no-op where the JDK offers no way); the buffer must not be used again. */
  static void free(ByteBuffer buffer) {
    if (INVOKE_CLEANER == null || buffer == null || !buffer.isDirect()) {
      return;
    }
    try {
      INVOKE_CLEANER.invokeExact(buffer);
    } catch (Throwable e) {
      // a slice or duplicate, or a JDK without the method: the garbage collector frees it later
    }
  }

  /** {@code sun.misc.Unsafe.invokeCleaner(ByteBuffer)}, bound to the instance (module jdk.unsupported). */
  private static MethodHandle find() {
    try {
      Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
      var field = unsafeClass.getDeclaredField("theUnsafe");
      field.setAccessible(true);
      Object unsafe = field.get(null);
      return MethodHandles.lookup().findVirtual(unsafeClass, "invokeCleaner", MethodType.methodType(void.class, ByteBuffer.class))
          .bindTo(unsafe);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }
}
