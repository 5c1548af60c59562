package io.videojam.api;

import java.util.SplittableRandom;

/** Random frame orders for the permutation diagnostics (training previews, evaluation's shuffled null). */
public final class Permutations {
  private Permutations() {}

  /**
   * A random order of {@code 0..n-1} that moves every element (n >= 2), drawn by Fisher-Yates
   * shuffles until none stays; the same {@code rnd} state gives the same order everywhere.
   */
  public static int[] derangement(int n, SplittableRandom rnd) {
    int[] p = new int[n];
    while (true) {
      for (int i = 0; i < n; i++) {
        p[i] = i;
      }
      for (int i = n - 1; i > 0; i--) {
        int j = rnd.nextInt(i + 1);
        int tmp = p[i];
        p[i] = p[j];
        p[j] = tmp;
      }
      boolean ok = true;
      for (int i = 0; i < n && ok; i++) {
        ok = p[i] != i;
      }
      if (ok || n < 2) {
        return p;
      }
    }
  }
}
