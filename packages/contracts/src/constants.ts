// Plain values of the contracts, kept apart from the zod schemas built on them so the browser can
// import them without loading zod (see browser.ts).

/** viewer (read only) < dispatcher (+ acknowledge alerts, edit geofences) < admin (everything). */
export const ROLES = ["viewer", "dispatcher", "admin"] as const;

export const TRUCK_STATUSES = ["moving", "stopped", "offline"] as const;

export const GEOFENCE_ALERT_KINDS = ["ENTER", "EXIT", "DWELL", "CROSSED", "OVERSPEED"] as const;

/**
 * Default debounce: 3 consecutive fixes spanning at least 20 s. GPS drift of a few metres at a
 * fence edge produces isolated fixes on the wrong side; requiring three in a row over 20 s turns
 * that into no alert, while a truck really crossing is confirmed one or two reporting intervals
 * later (the alert's `since` still carries the first fix on the new side). See
 * packages/geofence/README.md.
 */
export const DEFAULT_DEBOUNCE: { fixes: number; seconds: number } = { fixes: 3, seconds: 20 };
