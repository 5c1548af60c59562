package io.videojam.media;

import java.io.ByteArrayOutputStream;

/** GIF files with the header and image-descriptor fields the fuzz test picks, so the decoders get past them. */
final class GifBytes {
  private GifBytes() {}

  /**
   * A GIF89a with a two-colour palette, an optional NETSCAPE loop block and {@code frames} images of {@code w x h}
   * at ({@code left}, {@code top}), each with a graphic control block and {@code lzw} as its image data.
   */
  static byte[] gif(int screenW, int screenH, int frames, int left, int top, int w, int h, int disposal, int loop, byte[] lzw) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes("GIF89a".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    u16(out, screenW);
    u16(out, screenH);
    out.writeBytes(new byte[] {(byte) 0x80, 0, 0, 0, 0, 0, (byte) 255, (byte) 255, (byte) 255});
    if (loop >= 0) {
      out.writeBytes(new byte[] {0x21, (byte) 0xff, 0x0b});
      out.writeBytes("NETSCAPE2.0".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      out.writeBytes(new byte[] {3, 1});
      u16(out, loop);
      out.write(0);
    }
    for (int i = 0; i < frames; i++) {
      out.writeBytes(new byte[] {0x21, (byte) 0xf9, 4, (byte) ((disposal & 7) << 2), 10, 0, 0, 0});
      out.write(0x2c);
      u16(out, left);
      u16(out, top);
      u16(out, w);
      u16(out, h);
      out.write(0);
      out.write(2); // LZW minimum code size
      for (int at = 0; at < lzw.length; at += 255) {
        int n = Math.min(255, lzw.length - at);
        out.write(n);
        out.write(lzw, at, n);
      }
      out.write(0);
    }
    out.write(0x3b);
    return out.toByteArray();
  }

  private static void u16(ByteArrayOutputStream out, int v) {
    out.write(v & 0xff);
    out.write((v >> 8) & 0xff);
  }
}
