package io.videojam.onnx;

import io.videojam.api.VideoJamException;

/**
 * The size and seed of a DiT-style video denoiser written by {@link DitBuilder}.
 *
 * @param appearanceChannels C_a, appearance channels of the joint latent (first)
 * @param motionChannels C_m, motion channels (last); 0 means a plain base model
 * @param frames T, frames of the latent
 * @param height H of the latent
 * @param width W of the latent
 * @param patchSize p, spatial patch size (p x p)
 * @param temporalPatchSize pt, frames per patch
 * @param hiddenSize D, the DiT width (token size)
 * @param depth number of transformer blocks
 * @param heads attention heads (must divide D)
 * @param mlpRatio MLP hidden size as a multiple of D
 * @param vocabSize text token vocabulary (id 0 is padding / no text)
 * @param maxTextTokens L, text ids per sample
 * @param seed seed of the random weights
 * @param motionInit how the motion rows of {@code patch_embed.weight} (W_in) are initialised
 */
public record DitConfig(
    int appearanceChannels,
    int motionChannels,
    int frames,
    int height,
    int width,
    int patchSize,
    int temporalPatchSize,
    int hiddenSize,
    int depth,
    int heads,
    int mlpRatio,
    int vocabSize,
    int maxTextTokens,
    long seed,
    MotionInit motionInit) {

  /** How the W_in rows that read the motion channels are initialised. */
  public enum MotionInit {
    /** Seeded random like the appearance rows: the output depends on the motion input. */
    RANDOM,
    /** Zero (VideoJAM's extension init): the output ignores the motion input exactly. */
    ZERO
  }

  /** Validates the sizes. */
  public DitConfig {
    if (motionInit == null) {
      throw new VideoJamException("DiT config: motionInit must be set (RANDOM or ZERO)");
    }
    requirePositive("appearanceChannels", appearanceChannels);
    if (motionChannels < 0) {
      throw new VideoJamException("DiT config: motionChannels must be >= 0, got " + motionChannels);
    }
    requirePositive("frames", frames);
    requirePositive("height", height);
    requirePositive("width", width);
    requirePositive("patchSize", patchSize);
    requirePositive("temporalPatchSize", temporalPatchSize);
    requirePositive("hiddenSize", hiddenSize);
    requirePositive("depth", depth);
    requirePositive("heads", heads);
    requirePositive("mlpRatio", mlpRatio);
    requirePositive("maxTextTokens", maxTextTokens);
    if (vocabSize < 2) {
      throw new VideoJamException("DiT config: vocabSize must be >= 2 (id 0 is padding), got " + vocabSize);
    }
    requireDivides("temporalPatchSize", temporalPatchSize, "frames", frames);
    requireDivides("patchSize", patchSize, "height", height);
    requireDivides("patchSize", patchSize, "width", width);
    requireDivides("heads", heads, "hiddenSize", hiddenSize);
    if (hiddenSize % 2 != 0) {
      throw new VideoJamException("DiT config: hiddenSize must be even, got " + hiddenSize);
    }
  }

  /**
   * The small test fixture and the defaults: 3 + 3 channels, 16 x 32 x 32, patches 2 x 4 x 4,
   * D = 64, depth 2, 4 heads, MLP ratio 4, vocabulary 64, 16 text tokens, seed 0, random motion
   * rows.
   */
  public static DitConfig fixture() {
    return new DitConfig(3, 3, 16, 32, 32, 4, 2, 64, 2, 4, 4, 64, 16, 0L, MotionInit.RANDOM);
  }

  /** Total channels C = C_a + C_m of {@code x} and {@code v}. */
  public int channels() {
    return appearanceChannels + motionChannels;
  }

  /** Tokens N = (T / pt) * (H / p) * (W / p). */
  public int tokens() {
    return (frames / temporalPatchSize) * (height / patchSize) * (width / patchSize);
  }

  /** Values per patch, C * pt * p * p: the rows of W_in and the columns of W_out. */
  public int patchDim() {
    return channels() * temporalPatchSize * patchSize * patchSize;
  }

  /** This config with another seed. */
  public DitConfig withSeed(long s) {
    return new DitConfig(appearanceChannels, motionChannels, frames, height, width, patchSize,
        temporalPatchSize, hiddenSize, depth, heads, mlpRatio, vocabSize, maxTextTokens, s, motionInit);
  }

  /** This config with other channel counts. */
  public DitConfig withChannels(int appearance, int motion) {
    return new DitConfig(appearance, motion, frames, height, width, patchSize,
        temporalPatchSize, hiddenSize, depth, heads, mlpRatio, vocabSize, maxTextTokens, seed, motionInit);
  }

  /** This config with another motion-row initialisation. */
  public DitConfig withMotionInit(MotionInit init) {
    return new DitConfig(appearanceChannels, motionChannels, frames, height, width, patchSize,
        temporalPatchSize, hiddenSize, depth, heads, mlpRatio, vocabSize, maxTextTokens, seed, init);
  }

  /** This config with another latent video size. */
  public DitConfig withVideo(int t, int h, int w) {
    return new DitConfig(appearanceChannels, motionChannels, t, h, w, patchSize,
        temporalPatchSize, hiddenSize, depth, heads, mlpRatio, vocabSize, maxTextTokens, seed, motionInit);
  }

  /** This config with another transformer size. */
  public DitConfig withTransformer(int hidden, int blocks, int numHeads, int ratio) {
    return new DitConfig(appearanceChannels, motionChannels, frames, height, width, patchSize,
        temporalPatchSize, hidden, blocks, numHeads, ratio, vocabSize, maxTextTokens, seed, motionInit);
  }

  private static void requirePositive(String name, int v) {
    if (v <= 0) {
      throw new VideoJamException("DiT config: " + name + " must be positive, got " + v);
    }
  }

  private static void requireDivides(String a, int av, String b, int bv) {
    if (bv % av != 0) {
      throw new VideoJamException(
          "DiT config: " + a + " (" + av + ") must divide " + b + " (" + bv + ")");
    }
  }
}
