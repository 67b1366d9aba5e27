import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

/** One of kafkajs's internal modules (a path under `kafkajs/src/`), as kafkajs loads it. */
export const requireKafkajs = <T>(path: string): T => require(`kafkajs/src/${path}`) as T;

/**
 * Puts `exports` in place of one of kafkajs's internal modules, so kafkajs gets ours when it
 * first requires it. That only works before kafkajs has loaded `loadedBy`, the module that
 * requires it: then nothing changes and this returns false.
 */
export function replaceKafkajsModule(path: string, loadedBy: string, exports: unknown): boolean {
  if (require.cache[require.resolve(`kafkajs/src/${loadedBy}`)]) return false;
  const target = require.resolve(`kafkajs/src/${path}`);
  require.cache[target] = {
    id: target,
    filename: target,
    loaded: true,
    exports,
  } as unknown as NodeJS.Module;
  return true;
}
