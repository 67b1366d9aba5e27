import { createRequire } from "node:module";
import { replaceKafkajsModule, requireKafkajs } from "./kafkajs-module";

/**
 * kafkajs 2.2.4 checksums every record batch it produces with a CRC32C that reads one byte per
 * table lookup, in JavaScript: 1.9 % of the processor's CPU in the pipeline bench, and the same
 * share of every producer of ours (the simulator's above all). SheetJS's crc-32 package (no
 * dependencies, no install script) has one that reads sixteen bytes per step, about four times
 * as fast here on the same bytes; it takes the place of kafkajs's module, which kafkajs's record
 * batch encoder and our produce-request encoder (produce-encoding.ts) both use. Imported before
 * anything imports "kafkajs".
 */
const sheetjs = createRequire(import.meta.url)("crc-32/crc32c.js") as {
  buf(data: Uint8Array, seed?: number): number;
};

const MODULE = "protocol/recordBatch/crc32C/index.js";
/** kafkajs's own: what ours must equal. */
export const kafkajsCrc32C = requireKafkajs<(buffer: Buffer) => number>(MODULE);

/** The CRC32C (Castagnoli) of `buffer`, unsigned, as kafkajs's. */
export const crc32C = (buffer: Uint8Array): number => sheetjs.buf(buffer) >>> 0;

/** Whether kafkajs's record batches use it (false: kafkajs was loaded before). */
export const kafkajsCrc32CPatched = replaceKafkajsModule(
  MODULE,
  "protocol/recordBatch/v0/index.js",
  crc32C,
);
