/**
 * Media output and input for VideoJAM: video tensors {@code [3, T, H, W]} in [-1, 1] to images
 * ({@link io.videojam.media.Frames}), browser-playable H.264 MP4 via FFmpeg ({@link
 * io.videojam.media.Mp4Writer}), animated GIF and PNG frames without natives ({@link
 * io.videojam.media.GifWriter}, {@link io.videojam.media.PngWriter}), contact sheets ({@link
 * io.videojam.media.ContactSheet}), decoding ({@link io.videojam.media.VideoReader}, {@link
 * io.videojam.media.GifReader}) and all-or-nothing output folders ({@link
 * io.videojam.media.OutputStaging}).
 *
 * <p>Every file is written to a temporary sibling and moved into place atomically; failures the
 * user can fix are one-line {@link io.videojam.api.VideoJamException}s naming the file.
 */
package io.videojam.media;
