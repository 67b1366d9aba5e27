import { TOPICS } from "@fleetstream/contracts";
import { brokersVar, type KafkaSecurity } from "@fleetstream/service";
import { MALFORMED_KINDS, type MalformedKind } from "../domain/codec";
import { type FaultOptions, NO_FAULTS } from "../domain/faults";
import { MAX_SEED } from "../domain/random";

/** A bad command line; the CLI prints the message as one line and exits 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

const fail = (message: string): never => {
  throw new UsageError(message);
};

const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "20s", "1.5m", "500ms", "2h", "1d"; a bare number is seconds. */
export function parseDuration(flag: string, text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(text);
  if (!match) return fail(`${flag} must be a duration like 20s, 5m, 1h or 500ms (got "${text}")`);
  const ms = Number(match[1]) * (UNITS[match[2] ?? "s"] as number);
  if (!(ms >= 1)) return fail(`${flag} must be at least 1ms (got "${text}")`);
  return Math.round(ms);
}

export function parsePositiveInt(
  flag: string,
  text: string,
  max = Number.MAX_SAFE_INTEGER,
): number {
  const value = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || !Number.isSafeInteger(value) || value < 1) {
    return fail(`${flag} must be a positive integer (got "${text}")`);
  }
  if (value > max) return fail(`${flag} must be at most ${max} (got "${text}")`);
  return value;
}

export function parsePositiveNumber(flag: string, text: string): number {
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value) || value <= 0) {
    return fail(`${flag} must be a positive number (got "${text}")`);
  }
  return value;
}

export function parseNonNegativeNumber(flag: string, text: string): number {
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value) || value < 0) {
    return fail(`${flag} must be a number >= 0 (got "${text}")`);
  }
  return value;
}

/** A probability: 0.01 or 1%. */
export function parseProbability(flag: string, text: string): number {
  const percent = text.trim().endsWith("%");
  const value = Number(percent ? text.trim().slice(0, -1) : text);
  const p = percent ? value / 100 : value;
  if (text.trim() === "" || !Number.isFinite(p) || p < 0 || p > 1) {
    return fail(`${flag} must be a probability between 0 and 1, like 0.01 or 1% (got "${text}")`);
  }
  return p;
}

export function parseSeed(text: string): number {
  const value = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || !Number.isInteger(value) || value > MAX_SEED) {
    return fail(`--seed must be an integer from 0 to ${MAX_SEED} (got "${text}")`);
  }
  return value;
}

/** "now", an ISO-8601 time, or epoch milliseconds. */
export function parseStartTime(text: string, now: number): number {
  if (text === "now") return now;
  if (/^\d+$/.test(text)) return Number(text);
  const ms = Date.parse(text);
  if (Number.isNaN(ms) || ms < 0) {
    return fail(`--start-time must be "now", an ISO-8601 time or epoch ms (got "${text}")`);
  }
  return ms;
}

export function parseBrokers(text: string): string[] {
  const parsed = brokersVar.safeParse(text);
  if (!parsed.success) {
    return fail(`--brokers must be a comma-separated list of host:port (got "${text}")`);
  }
  return parsed.data;
}

export function parseTopic(text: string): string {
  if (!/^[A-Za-z0-9._-]{1,249}$/.test(text) || text === "." || text === "..") {
    return fail(`--topic must be a Kafka topic name: letters, digits, . _ - (got "${text}")`);
  }
  return text;
}

export function parseMalformedKinds(text: string): MalformedKind[] {
  const kinds = text
    .split(",")
    .map((k) => k.trim())
    .filter(Boolean);
  const known = new Set<string>(MALFORMED_KINDS);
  const unknown = kinds.filter((k) => !known.has(k));
  if (kinds.length === 0 || unknown.length > 0) {
    return fail(
      `--malformed-kinds takes a comma-separated list of ${MALFORMED_KINDS.join(", ")} (got "${text}")`,
    );
  }
  return kinds as MalformedKind[];
}

export type Target = "kafka" | "stdout";

export function parseTarget(text: string): Target {
  if (text !== "kafka" && text !== "stdout") {
    return fail(`--to must be kafka or stdout (got "${text}")`);
  }
  return text;
}

/** Raw option values as commander hands them over (strings, or booleans for flags). */
export interface RawRunOptions {
  trucks: string;
  interval: string;
  speedup?: string;
  rate?: string;
  duration?: string;
  count?: string;
  seed?: string;
  startTime: string;
  gpsNoise: string;
  routes?: string;
  to: string;
  brokers?: string;
  topic: string;
  partitions: string;
  producers: string;
  batchSize: string;
  duplicateRate: string;
  reorderRate: string;
  reorderWindow: string;
  lateRate: string;
  lateBy: string;
  malformedRate: string;
  malformedKinds?: string;
  dropRate: string;
  silenceRate: string;
  silenceFor: string;
  json?: boolean;
  status?: boolean;
}

export interface CommonOutput {
  to: Target;
  brokers: string[];
  topic: string;
  partitions: number;
  json: boolean;
  /** Live status line allowed (--no-status turns it off; it also needs terminals). */
  status: boolean;
}

export interface RunConfig extends CommonOutput {
  trucks: number;
  intervalMs: number;
  /** Realtime pacing factor (1 = wall clock). Absent in rate mode. */
  speedup: number;
  /** Load mode: records per second (Infinity for "max"); absent in realtime mode. */
  rate?: number;
  durationMs?: number;
  count?: number;
  seed: number;
  startTime: number;
  gpsNoiseM: number;
  routesFile?: string;
  producers: number;
  batchSize: number;
  faults: FaultOptions;
}

export interface Environment {
  kafkaBrokers?: string[];
  /** TLS and SASL from KAFKA_SSL*, KAFKA_SASL_* (`{}`: plaintext). */
  kafkaSecurity?: KafkaSecurity;
  now: number;
  randomSeed: () => number;
}

export const DEFAULT_BROKERS = ["127.0.0.1:9092"];

/** Validates `fleet-sim run` options; throws UsageError with one line naming the flag. */
export function buildRunConfig(raw: RawRunOptions, env: Environment): RunConfig {
  if (raw.speedup !== undefined && raw.rate !== undefined) {
    fail("--speedup and --rate do not mix: --rate sets the pace by itself (load mode)");
  }
  const rate =
    raw.rate === undefined
      ? undefined
      : raw.rate === "max"
        ? Number.POSITIVE_INFINITY
        : parsePositiveNumber("--rate", raw.rate);
  return {
    ...buildOutput(raw, env),
    trucks: parsePositiveInt("--trucks", raw.trucks, 1_000_000),
    intervalMs: parseDuration("--interval", raw.interval),
    speedup: raw.speedup === undefined ? 1 : parsePositiveNumber("--speedup", raw.speedup),
    ...(rate !== undefined ? { rate } : {}),
    ...(raw.duration !== undefined
      ? { durationMs: parseDuration("--duration", raw.duration) }
      : {}),
    ...(raw.count !== undefined ? { count: parsePositiveInt("--count", raw.count) } : {}),
    seed: raw.seed === undefined ? env.randomSeed() : parseSeed(raw.seed),
    startTime: parseStartTime(raw.startTime, env.now),
    gpsNoiseM: parseNonNegativeNumber("--gps-noise", raw.gpsNoise),
    ...(raw.routes !== undefined ? { routesFile: raw.routes } : {}),
    producers: parsePositiveInt("--producers", raw.producers, 16),
    batchSize: parsePositiveInt("--batch-size", raw.batchSize, 100_000),
    faults: {
      ...NO_FAULTS,
      duplicateRate: parseProbability("--duplicate-rate", raw.duplicateRate),
      reorderRate: parseProbability("--reorder-rate", raw.reorderRate),
      reorderWindowMs: parseDuration("--reorder-window", raw.reorderWindow),
      lateRate: parseProbability("--late-rate", raw.lateRate),
      lateByMs: parseDuration("--late-by", raw.lateBy),
      malformedRate: parseProbability("--malformed-rate", raw.malformedRate),
      malformedKinds:
        raw.malformedKinds === undefined
          ? MALFORMED_KINDS
          : parseMalformedKinds(raw.malformedKinds),
      dropRate: parseProbability("--drop-rate", raw.dropRate),
      silenceRate: parseProbability("--silence-rate", raw.silenceRate),
      silenceForMs: parseDuration("--silence-for", raw.silenceFor),
    },
  };
}

export function checkFaultTotal(faults: FaultOptions): void {
  if (faults.lateRate + faults.reorderRate > 1) {
    fail("--late-rate plus --reorder-rate must be at most 1 (one fix is either late or reordered)");
  }
}

export interface RawOutputOptions {
  to: string;
  brokers?: string;
  topic: string;
  partitions: string;
  json?: boolean;
  status?: boolean;
}

export function buildOutput(raw: RawOutputOptions, env: Environment): CommonOutput {
  return {
    to: parseTarget(raw.to),
    brokers:
      raw.brokers !== undefined ? parseBrokers(raw.brokers) : (env.kafkaBrokers ?? DEFAULT_BROKERS),
    topic: parseTopic(raw.topic),
    partitions: parsePositiveInt("--partitions", raw.partitions, 10_000),
    json: raw.json === true,
    status: raw.status !== false,
  };
}

export interface RawReplayOptions extends RawOutputOptions {
  speedup?: string;
  fast?: boolean;
  shiftToNow?: boolean;
  format?: string;
  truckId?: string;
}

export type ReplayFormat = "ndjson" | "csv" | "gpx";

export interface ReplayConfig extends CommonOutput {
  file: string;
  format: ReplayFormat;
  /** Infinity with --fast. */
  speedup: number;
  shiftToNow: boolean;
  truckId: string;
}

export function detectFormat(file: string, explicit: string | undefined): ReplayFormat {
  if (explicit !== undefined) {
    if (explicit === "ndjson" || explicit === "csv" || explicit === "gpx") return explicit;
    return fail(`--format must be ndjson, csv or gpx (got "${explicit}")`);
  }
  const lower = file.toLowerCase();
  if (lower.endsWith(".csv")) return "csv";
  if (lower.endsWith(".gpx")) return "gpx";
  if (
    lower.endsWith(".ndjson") ||
    lower.endsWith(".jsonl") ||
    lower.endsWith(".json") ||
    file === "-"
  ) {
    return "ndjson";
  }
  return fail(`cannot tell the format of "${file}" from its name; pass --format ndjson|csv|gpx`);
}

export function buildReplayConfig(
  file: string,
  raw: RawReplayOptions,
  env: Environment,
): ReplayConfig {
  if (raw.fast && raw.speedup !== undefined) fail("--fast and --speedup do not mix");
  return {
    ...buildOutput(raw, env),
    file,
    format: detectFormat(file, raw.format),
    speedup: raw.fast
      ? Number.POSITIVE_INFINITY
      : raw.speedup === undefined
        ? 1
        : parsePositiveNumber("--speedup", raw.speedup),
    shiftToNow: raw.shiftToNow === true,
    truckId: raw.truckId ?? "GPX-1",
  };
}

export const DEFAULT_TOPIC = TOPICS.gpsFixes.name;
