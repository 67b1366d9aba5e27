import type { OutgoingRecord, Producer } from "@fleetstream/eventlog";
import { Outage } from "@fleetstream/service";
import { describe, expect, it } from "vitest";
import { ProducerSink } from "./sink";

const emission = (i: number) => ({ key: `T-${i % 3}`, value: `{"seq":${i}}`, emitAt: i });
const connectionError = () =>
  new Error("Cannot reach Kafka at 127.0.0.1:9092", {
    cause: Object.assign(new Error("connect ECONNREFUSED"), { name: "KafkaJSConnectionError" }),
  });

/** A producer whose sends fail while `down` is true (a broker restart). */
function flakyProducer(failures: number) {
  const written: OutgoingRecord[] = [];
  let calls = 0;
  const producer: Producer = {
    async send(_topic, records) {
      calls++;
      if (calls <= failures) throw connectionError();
      written.push(...records);
      return [];
    },
    async close() {},
  };
  return { producer, written };
}

describe("ProducerSink during a broker restart", () => {
  it("sends the same batches again until acknowledged, in order, logging the outage once", async () => {
    const { producer, written } = flakyProducer(4);
    const lines: string[] = [];
    const outage = new Outage(
      "Kafka",
      { warn: (_f, m) => lines.push(m), info: (_f, m) => lines.push(m) },
      50,
    );
    const sink = new ProducerSink(producer, "gps", 1, outage);
    for (let i = 0; i < 3; i++) await sink.write([emission(2 * i), emission(2 * i + 1)]);
    await sink.flush();
    expect(sink.acked).toBe(6);
    expect(sink.failed).toBe(0);
    expect(written.map((r) => r.value)).toEqual([0, 1, 2, 3, 4, 5].map((i) => `{"seq":${i}}`));
    expect(lines).toEqual(["Kafka unreachable; retrying with backoff", "Kafka back"]);
  });

  it("fails on an error a resend cannot fix", async () => {
    const producer: Producer = {
      send: () => Promise.reject(new Error('Unknown topic "gps"')),
      close: async () => {},
    };
    const sink = new ProducerSink(producer, "gps", 1);
    await sink.write([emission(0)]).catch(() => {});
    await expect(sink.flush()).rejects.toThrow("Unknown topic");
    expect(sink.failed).toBe(1);
  });
});
