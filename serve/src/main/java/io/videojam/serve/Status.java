package io.videojam.serve;

import java.util.Locale;

/** Where a request stands. */
public enum Status {
  QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED;

  /** As the API writes it: {@code queued}, {@code running}, ... */
  public String key() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Whether the request is over (succeeded, failed or cancelled). */
  public boolean finished() {
    return this == SUCCEEDED || this == FAILED || this == CANCELLED;
  }
}
