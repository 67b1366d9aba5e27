/**
 * Node flags the processor runs with (the launchers, tests and benchmarks pass them; README's
 * `npm run start:processor` does too). Every input fix allocates short-lived objects (the parsed
 * record, output records, Kafka request buffers): a larger young generation than V8's default
 * (16 MB per semi-space) lets most of them die before a scavenge, which cut garbage-collection
 * time from a quarter of the processor's CPU to a sixth in the pipeline bench (issue 13). With
 * 128 MB single scavenges once paused the processor for 110–230 ms, when fetches of 2 MiB per
 * partition kept ~50,000 decoded records alive through them. Since fetches are 256 KiB, 64 MB:
 * in alternated pipeline bench runs 28,600 and 25,500 fixes/s at 0.027–0.031 CPU s per 1,000
 * fixes, against 24,700 and 25,700 at 0.031–0.032 with 32 MB.
 */
export const PROCESSOR_NODE_FLAGS: readonly string[] = ["--max-semi-space-size=64"];
