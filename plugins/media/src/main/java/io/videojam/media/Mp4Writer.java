package io.videojam.media;

import io.videojam.api.AtomicFiles;
import io.videojam.api.FloatTensor;
import io.videojam.api.StepListener;
import io.videojam.api.VideoJamException;
import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;

/**
 * Writes H.264 MP4 files that play in browsers: libx264, High profile, yuv420p, constant quality
 * (CRF, default {@value #DEFAULT_CRF}), {@code +faststart} (index at the front, so playback starts
 * before the download ends), no audio.
 *
 * <p>Colour: frames are converted from sRGB to limited-range YUV with the BT.601 matrix (FFmpeg's
 * swscale default) and the stream is tagged accordingly (matrix smpte170m, range tv, primaries
 * bt709, transfer sRGB), so players that honour the tags show the intended colours.
 *
 * <p>yuv420p needs even frame sizes: an odd width or height is padded by one column or row that
 * repeats the last one (use {@link Frames#autoScale} to get even sizes without padding).
 *
 * <p>The file is written to a temporary sibling and moved into place atomically; on failure the
 * temporary file is removed and a one-line {@link VideoJamException} naming the file is thrown.
 */
public final class Mp4Writer {
  /** Default x264 constant rate factor: visually near-lossless. */
  public static final int DEFAULT_CRF = 18;
  /** Default x264 preset. */
  public static final String DEFAULT_PRESET = "medium";
  /**
   * A faster x264 preset for videos that are smooth fields of colour (motion videos): at the same
   * CRF it spends less search effort; docs/performance.md has what it costs in size and quality.
   */
  public static final String FAST_PRESET = "veryfast";

  private Mp4Writer() {}

  /**
   * Writes a video tensor {@code [3, T, H, W]} (values in [-1, 1]) upscaled by {@code scale}
   * (nearest neighbour); {@code scale == 0} picks {@link Frames#autoScale}.
   */
  public static void write(Path mp4, FloatTensor video, double fps, int scale) {
    int s = Frames.resolveScale(video, scale);
    write(mp4, Frames.toImages(video, s), fps);
  }

  /** Writes the frames (all the same size, any image type) at {@code fps} with the default quality. */
  public static void write(Path mp4, List<BufferedImage> frames, double fps) {
    write(mp4, frames, fps, DEFAULT_CRF, StepListener.NONE);
  }

  /**
   * Writes the frames (all the same size, any image type) at {@code fps}.
   *
   * @param crf x264 constant rate factor, 0 (lossless luma) to 51 (worst); 18 is near-lossless
   * @param progress called after each encoded frame with (frames done, total)
   * @throws VideoJamException one line naming the file, for bad arguments or any encoding or I/O
   *     failure
   */
  public static void write(Path mp4, List<BufferedImage> frames, double fps, int crf, StepListener progress) {
    if (frames.isEmpty()) {
      throw new VideoJamException("cannot write MP4 video " + mp4 + ": there are no frames");
    }
    int w = frames.get(0).getWidth();
    int h = frames.get(0).getHeight();
    for (int i = 1; i < frames.size(); i++) {
      BufferedImage f = frames.get(i);
      if (f.getWidth() != w || f.getHeight() != h) {
        throw new VideoJamException("cannot write MP4 video " + mp4 + ": frame " + i + " is "
            + f.getWidth() + "x" + f.getHeight() + " but frame 0 is " + w + "x" + h);
      }
    }
    java.util.Iterator<BufferedImage> it = frames.iterator();
    int[] done = {0};
    write(mp4, w, h, fps, crf, DEFAULT_PRESET, () -> {
      if (done[0] > 0) {
        progress.step(done[0], frames.size());
      }
      if (!it.hasNext()) {
        return null;
      }
      done[0]++;
      return it.next();
    });
    progress.step(frames.size(), frames.size());
  }

  /**
   * Writes the frames {@code source} gives, in order, until it gives null (a stream: the frames
   * need not be in memory together). Frames are {@code width x height}, any image type.
   *
   * @param preset x264 preset, e.g. {@value #DEFAULT_PRESET} or {@code veryfast}
   * @return the number of frames written
   * @throws VideoJamException one line naming the file, for bad arguments, a frame of another size,
   *     no frames, or any encoding or I/O failure; a failure of {@code source} is rethrown as it is
   */
  public static int write(Path mp4, int width, int height, double fps, int crf, String preset, java.util.function.Supplier<BufferedImage> source) {
    if (!(fps > 0) || fps > 1000) {
      throw new VideoJamException("cannot write MP4 video " + mp4 + ": fps must be in (0, 1000], got " + fps);
    }
    if (crf < 0 || crf > 51) {
      throw new VideoJamException("cannot write MP4 video " + mp4 + ": crf must be in [0, 51], got " + crf);
    }
    if (width < 1 || height < 1) {
      throw new VideoJamException("cannot write MP4 video " + mp4 + ": frames of " + width + "x" + height);
    }
    Ffmpeg.ensureLoaded();
    int outW = width + (width & 1);
    int outH = height + (height & 1);
    int[] written = {0};
    RuntimeException[] fromSource = {null};
    try {
      AtomicFiles.write(mp4, "MP4 video", temp -> {
        try (FFmpegFrameRecorder rec = new FFmpegFrameRecorder(temp.toFile(), outW, outH, 0);
            Frame frame = new Frame(outW, outH, Frame.DEPTH_UBYTE, 3)) {
          rec.setFormat("mp4");
          rec.setVideoCodec(avcodec.AV_CODEC_ID_H264);
          rec.setVideoProfile(avcodec.AV_PROFILE_H264_HIGH);
          rec.setPixelFormat(avutil.AV_PIX_FMT_YUV420P);
          rec.setFrameRate(fps);
          rec.setVideoBitrate(0); // constant quality, no bitrate target
          rec.setVideoOption("crf", Integer.toString(crf));
          rec.setVideoOption("preset", preset);
          rec.setVideoOption("colorspace", "smpte170m");
          rec.setVideoOption("color_range", "tv");
          rec.setVideoOption("color_primaries", "bt709");
          rec.setVideoOption("color_trc", "iec61966-2-1");
          rec.setOption("movflags", "+faststart");
          rec.start();
          for (BufferedImage img = next(source, fromSource); img != null; img = next(source, fromSource)) {
            if (img.getWidth() != width || img.getHeight() != height) {
              throw new VideoJamException("frame " + written[0] + " is " + img.getWidth() + "x" + img.getHeight() + " but the video is "
                  + width + "x" + height);
            }
            fill(frame, img);
            rec.record(frame);
            written[0]++;
          }
          if (written[0] == 0) {
            throw new VideoJamException("there are no frames");
          }
          rec.stop(); // flushes the encoder and writes the index; errors here must fail the write
        } catch (org.bytedeco.javacv.FrameRecorder.Exception e) {
          throw new VideoJamException(Ffmpeg.describe(e), e);
        }
      });
    } catch (VideoJamException e) {
      if (fromSource[0] != null) {
        throw fromSource[0];
      }
      throw e;
    }
    return written[0];
  }

  /** The source's next frame; a failure of the source is kept apart, so that it is not reported as a write error. */
  private static BufferedImage next(java.util.function.Supplier<BufferedImage> source, RuntimeException[] failure) {
    try {
      return source.get();
    } catch (RuntimeException e) {
      failure[0] = e;
      throw new VideoJamException("the frames failed: " + e.getMessage(), e);
    }
  }

  /** Copies the image as BGR24 into the frame, repeating the last column/row into any padding. */
  private static void fill(Frame frame, BufferedImage img) {
    int w = img.getWidth();
    int h = img.getHeight();
    int stride = frame.imageStride;
    ByteBuffer buf = (ByteBuffer) frame.image[0];
    byte[] row = new byte[frame.imageWidth * 3];
    byte[] bgr = packedBgr(img);
    int[] argb = bgr == null ? new int[w] : null;
    for (int y = 0; y < frame.imageHeight; y++) {
      int sy = Math.min(y, h - 1);
      if (bgr != null) { // the raster is BGR24 already, rows w * 3 bytes apart
        System.arraycopy(bgr, sy * w * 3, row, 0, w * 3);
      } else {
        img.getRGB(0, sy, w, 1, argb, 0, w);
        for (int x = 0; x < w; x++) {
          int p = argb[x];
          row[3 * x] = (byte) p; // B
          row[3 * x + 1] = (byte) (p >> 8); // G
          row[3 * x + 2] = (byte) (p >> 16); // R
        }
      }
      if (frame.imageWidth > w) { // odd width: repeat the last column
        System.arraycopy(row, 3 * (w - 1), row, 3 * w, 3);
      }
      buf.position(y * stride);
      buf.put(row);
    }
    buf.position(0);
  }

  /** The image's bytes when it is BGR24 with rows {@code 3 * width} apart from offset 0 (not a sub-image), else null. */
  static byte[] packedBgr(BufferedImage img) {
    java.awt.image.WritableRaster r = img.getRaster();
    if (img.getType() != BufferedImage.TYPE_3BYTE_BGR || r.getSampleModelTranslateX() != 0 || r.getSampleModelTranslateY() != 0
        || !(r.getSampleModel() instanceof java.awt.image.ComponentSampleModel m) || m.getScanlineStride() != 3 * img.getWidth()
        || m.getPixelStride() != 3) {
      return null;
    }
    byte[] data = ((java.awt.image.DataBufferByte) r.getDataBuffer()).getData();
    return data.length == 3 * img.getWidth() * img.getHeight() ? data : null;
  }
}
