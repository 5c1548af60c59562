package io.videojam.api;

/** ServiceLoader entry for time schedules, selected by {@code --schedule NAME}. */
public interface TimeScheduleProvider extends Named {
  TimeSchedule create(Settings settings);
}
