import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

/** One of kafkajs's internal modules (a path under `kafkajs/src/`), as kafkajs loads it. */
export const requireKafkajs = <T>(path: string): T => require(`kafkajs/src/${path}`) as T;

/**
 * Puts `exports` in place of one of kafkajs's internal modules, so kafkajs gets ours when it
 * first requires it. That only works before kafkajs has loaded `loadedBy`, the module (or any of
 * the modules) that require it: then nothing changes and this returns false.
 */
export function replaceKafkajsModule(
  path: string,
  loadedBy: string | readonly string[],
  exports: unknown,
): boolean {
  const loaders = typeof loadedBy === "string" ? [loadedBy] : loadedBy;
  if (loaders.some((loader) => require.cache[require.resolve(`kafkajs/src/${loader}`)]))
    return false;
  const target = require.resolve(`kafkajs/src/${path}`);
  require.cache[target] = {
    id: target,
    filename: target,
    loaded: true,
    exports,
  } as unknown as NodeJS.Module;
  return true;
}

type EncoderClass = new () => { buf: Buffer; offset: number };
const Encoder = requireKafkajs<EncoderClass>("protocol/encoder.js");

/** Bytes already written, as the kafkajs Encoder its callers read (`buf` up to `offset`). */
export function asKafkajsEncoder(buffer: Buffer, length: number): { buf: Buffer; offset: number } {
  const encoder = Object.create(Encoder.prototype) as { buf: Buffer; offset: number };
  encoder.buf = buffer;
  encoder.offset = length;
  return encoder;
}
