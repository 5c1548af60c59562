package io.videojam.api;

/**
 * A failure the user can fix: bad input, a bad configuration, a missing file, an unavailable
 * backend. The message is one line that names the file or setting at fault and the fix; the CLI
 * prints it as it is and exits with code 2.
 */
public class VideoJamException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public VideoJamException(String message) {
    super(message);
  }

  public VideoJamException(String message, Throwable cause) {
    super(message, cause);
  }
}
