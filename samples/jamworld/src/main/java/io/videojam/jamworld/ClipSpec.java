package io.videojam.jamworld;

/**
 * Everything needed to render one clip. Positions and speeds are in <em>reference pixels</em>
 * of a 16 x 16 frame (scaled by width / 16 and height / 16 when rendering other sizes); times in
 * frames; angles in radians, positive = clockwise on screen.
 *
 * <table>
 *   <caption>meaning of the numeric parameters per motion</caption>
 *   <tr><th>motion</th><th>x0, y0</th><th>speed</th><th>phase</th><th>extra</th></tr>
 *   <tr><td>right, left, up, down, up-right, up-left, down-right, down-left</td><td>start</td><td>px/frame</td><td>-</td><td>-</td></tr>
 *   <tr><td>zigzag-right, zigzag-left</td><td>start (y0: middle line)</td><td>horizontal px/frame</td><td>wave phase in [0,1)</td><td>amplitude (px)</td></tr>
 *   <tr><td>speed-up-right, speed-up-left</td><td>start</td><td>final px/frame</td><td>-</td><td>initial px/frame</td></tr>
 *   <tr><td>spin-cw, spin-ccw</td><td>centre</td><td>rad/frame</td><td>-</td><td>-</td></tr>
 *   <tr><td>bounce</td><td>drop point</td><td>-</td><td>-</td><td>gravity (px/frame^2)</td></tr>
 *   <tr><td>wall-bounce-right, wall-bounce-left</td><td>start</td><td>px/frame</td><td>-</td><td>-</td></tr>
 * </table>
 *
 * {@code angle0} is the object's orientation at frame 0. {@code colour2} is a second object's
 * colour ("" in every clip the world samples; the metrics still accept one). {@code gradient} is the brightness added at the
 * top of the background, fading to 0 at the bottom.
 */
public record ClipSpec(
    Category category,
    String motion,
    String prompt,
    String background,
    long seed,
    String shape,
    String colour,
    String colour2,
    double gradient,
    double x0,
    double y0,
    double speed,
    double angle0,
    double phase,
    double extra) {

  /** The same clip on another background (for example black without gradient, for measurements). */
  public ClipSpec withBackground(String newBackground, double newGradient) {
    return new ClipSpec(category, motion, prompt, newBackground, seed, shape, colour, colour2, newGradient,
        x0, y0, speed, angle0, phase, extra);
  }
}
