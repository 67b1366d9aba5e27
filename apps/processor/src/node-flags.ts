/**
 * Node flags the processor runs with (the launchers, tests and benchmarks pass them; README says
 * so for other launches). Every input fix allocates short-lived objects (the parsed record,
 * output records, Kafka request buffers): a larger young generation than V8's default (16 MB per
 * semi-space) lets most of them die before a scavenge, which cut garbage-collection time from a
 * quarter of the processor's CPU to a sixth in the pipeline bench (issue 13). 32 MB, not more:
 * a scavenge copies what survives, and with 128 MB single scavenges paused the processor for
 * 110–230 ms (60–75 ms at 32 MB) at the same throughput (pipeline bench, two runs each).
 */
export const PROCESSOR_NODE_FLAGS: readonly string[] = ["--max-semi-space-size=32"];
