package io.videojam.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.videojam.api.FloatTensor;
import io.videojam.api.VideoJamException;
import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.Test;

class FramesTest {
  @Test
  void levelsClampAndRound() {
    assertThat(Frames.toLevel(-1f)).isZero();
    assertThat(Frames.toLevel(1f)).isEqualTo(255);
    assertThat(Frames.toLevel(-3f)).isZero();
    assertThat(Frames.toLevel(7f)).isEqualTo(255);
    assertThat(Frames.toLevel(0f)).isEqualTo(128); // 127.5 rounds up
    for (int p = 0; p < 256; p++) {
      assertThat(Frames.toLevel(Frames.fromLevel(p))).isEqualTo(p);
    }
  }

  @Test
  void autoScaleReaches256WithEvenSizes() {
    assertThat(Frames.autoScale(32, 32)).isEqualTo(8);
    assertThat(Frames.autoScale(64, 48)).isEqualTo(6); // 48 * 6 = 288 >= 256, 48 * 5 = 240
    assertThat(Frames.autoScale(256, 300)).isEqualTo(1);
    assertThat(Frames.autoScale(512, 512)).isEqualTo(1);
    assertThat(Frames.autoScale(257, 300)).isEqualTo(2); // odd side at s = 1
    assertThat(Frames.autoScale(33, 40)).isEqualTo(8); // s = 8 already makes 33 * 8 even
    assertThat(Frames.autoScale(37, 37)).isEqualTo(8); // 37 * 7 = 259 is odd -> 8
    for (int h = 1; h < 300; h += 7) {
      for (int w = 1; w < 300; w += 11) {
        int s = Frames.autoScale(h, w);
        assertThat(Math.min(h, w) * s).isGreaterThanOrEqualTo(256);
        assertThat(h * s % 2).isZero();
        assertThat(w * s % 2).isZero();
        assertThat(s == 1 || Math.min(h, w) * (s - 1) < 256 || (s % 2 == 0 && (h * (s - 1) % 2 != 0 || w * (s - 1) % 2 != 0)))
            .as("smallest for %dx%d", h, w).isTrue();
      }
    }
  }

  @Test
  void tensorToImagesLayoutAndUpscale() {
    // [3, 2, 2, 3]: frame 1, pixel (x=2, y=1) is pure red; everything else -1 (black)
    int t = 2, h = 2, w = 3;
    float[] data = new float[3 * t * h * w];
    java.util.Arrays.fill(data, -1f);
    data[(0 * t + 1) * h * w + 1 * w + 2] = 1f;
    List<BufferedImage> imgs = Frames.toImages(new FloatTensor(new long[] {3, t, h, w}, data), 3);
    assertThat(imgs).hasSize(2);
    BufferedImage f1 = imgs.get(1);
    assertThat(f1.getType()).isEqualTo(BufferedImage.TYPE_3BYTE_BGR);
    assertThat(f1.getWidth()).isEqualTo(9);
    assertThat(f1.getHeight()).isEqualTo(6);
    for (int y = 0; y < 6; y++) {
      for (int x = 0; x < 9; x++) {
        int expected = x >= 6 && y >= 3 ? 0xff0000 : 0;
        assertThat(f1.getRGB(x, y) & 0xffffff).isEqualTo(expected);
      }
    }
    assertThat(imgs.get(0).getRGB(8, 5) & 0xffffff).isZero();
  }

  @Test
  void greyTensorAndRoundTrip() {
    FloatTensor grey = new FloatTensor(new long[] {1, 1, 1, 2}, new float[] {0f, 1f});
    BufferedImage img = Frames.toImage(grey, 0, 1);
    assertThat(img.getRGB(0, 0) & 0xffffff).isEqualTo(0x808080);
    assertThat(img.getRGB(1, 0) & 0xffffff).isEqualTo(0xffffff);
    FloatTensor rgb = Frames.fromImages(List.of(img));
    assertThat(rgb.shape()).containsExactly(3, 1, 1, 2);
    assertThat(Frames.toImages(rgb, 1).get(0).getRGB(0, 0)).isEqualTo(img.getRGB(0, 0));
  }

  @Test
  void rejectsBadInput() {
    assertThatThrownBy(() -> Frames.toImages(FloatTensor.zeros(2, 1, 4, 4), 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Frames.toImages(new FloatTensor(new long[] {3, 1, 1, 1}, new float[] {0, Float.NaN, 0}), 1))
        .isInstanceOf(VideoJamException.class)
        .hasMessageContaining("non-finite");
  }

  @Test
  void bgrBytesAndPlanarLevelsConvertAsTheImagePathsDo() {
    // 3 x 2 pixels (W != H), every level different
    int w = 3;
    int h = 2;
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_3BYTE_BGR);
    byte[] bgr = new byte[3 * w * h];
    byte[] planar = new byte[3 * w * h];
    for (int p = 0; p < w * h; p++) {
      int r = 10 + 40 * p;
      int g = 250 - 30 * p;
      int b = 7 * p + 1;
      img.setRGB(p % w, p / w, (r << 16) | (g << 8) | b);
      bgr[3 * p] = (byte) b;
      bgr[3 * p + 1] = (byte) g;
      bgr[3 * p + 2] = (byte) r;
      planar[p] = (byte) r;
      planar[w * h + p] = (byte) g;
      planar[2 * w * h + p] = (byte) b;
    }
    io.videojam.api.FloatTensor viaImages = Frames.fromImages(java.util.List.of(img));
    io.videojam.api.FloatTensor viaBytes = Frames.fromBgr(bgr, h, w);
    org.assertj.core.api.Assertions.assertThat(viaBytes.shape()).containsExactly(3, h, w);
    org.assertj.core.api.Assertions.assertThat(viaBytes.data()).containsExactly(viaImages.data());
    BufferedImage up = Frames.fromPlanarLevels(planar, h, w, 2);
    BufferedImage expected = Frames.upscale(img, 2);
    org.assertj.core.api.Assertions.assertThat(up.getWidth()).isEqualTo(6);
    org.assertj.core.api.Assertions.assertThat(up.getHeight()).isEqualTo(4);
    for (int y = 0; y < 4; y++) {
      for (int x = 0; x < 6; x++) {
        org.assertj.core.api.Assertions.assertThat(up.getRGB(x, y)).as("(%d, %d)", x, y).isEqualTo(expected.getRGB(x, y));
      }
    }
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Frames.fromBgr(new byte[5], h, w)).isInstanceOf(IllegalArgumentException.class);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Frames.fromPlanarLevels(planar, h, w, 0)).isInstanceOf(IllegalArgumentException.class);
  }
}
