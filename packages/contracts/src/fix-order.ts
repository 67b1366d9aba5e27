/**
 * The one rule for "a truck's latest fix", applied to `trucks`, `truck_positions`, the map and
 * the geofence state (windows go by event time anyway): the later event time wins, and at the
 * same event time the higher seq. Event time rather than seq, so a device that restarts its
 * sequence, or sends one absurd seq, keeps moving with its next real fixes; event times are
 * bounded (EVENT_TIME_RANGE, and at most PROCESSOR_MAX_EVENT_AHEAD_MS ahead of the processor's
 * clock), so one wrong clock holds a truck back for at most that long.
 */
export function isNewerFix(
  candidate: { eventTime: number; seq: number },
  current: { eventTime: number; seq: number } | undefined,
): boolean {
  return (
    current === undefined ||
    candidate.eventTime > current.eventTime ||
    (candidate.eventTime === current.eventTime && candidate.seq > current.seq)
  );
}
