/**
 * Node flags the processor runs with (the launchers, tests and benchmarks pass them; README says
 * so for other launches). Every input fix allocates short-lived objects (the parsed record,
 * output records, Kafka request buffers): a 128 MB young generation (V8's default is 16 MB per
 * semi-space) lets most of them die before a scavenge, which cut garbage-collection time from a
 * quarter of the processor's CPU to a sixth in the pipeline bench (issue 13).
 */
export const PROCESSOR_NODE_FLAGS: readonly string[] = ["--max-semi-space-size=128"];
