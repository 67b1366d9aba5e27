import { Outage, type OutageLog } from "./outage";

/**
 * Something an app needs before it can start (PostgreSQL, Kafka): the first call to make, and
 * which of its failures mean "not reachable yet" rather than "wrong".
 */
export interface Dependency<T> {
  name: string;
  call(): Promise<T>;
  unreachable(error: unknown): boolean;
}

/**
 * Start-up against dependencies that may still be down (a fresh cluster, a restart of
 * everything at once): makes the dependency's first call until it answers, waiting with capped
 * backoff and logging once when it waits and once when it is back. Any other failure is thrown,
 * so a misconfiguration still stops the start with its own error.
 */
export function whenReachable<T>(dependency: Dependency<T>, log: OutageLog): Promise<T> {
  return new Outage(dependency.name, log).retry(() => dependency.call(), {
    retriable: dependency.unreachable,
  });
}
