package io.videojam.api;

/** Frames, size and frame rate of a decoded video. */
public record VideoFormat(int frames, int height, int width, double fps) {
  public VideoFormat {
    if (frames < 1 || height < 1 || width < 1 || !(fps > 0)) {
      throw new VideoJamException("invalid video format " + frames + " frames " + width + "x" + height + " at " + fps + " fps");
    }
  }
}
