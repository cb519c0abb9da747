/**
 * Time comes in from outside: the executor, the watcher and the fake cluster take a `Clock`, so tests can run
 * minutes of simulated rollout in milliseconds and repeat exactly.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms` of this clock's time; rejects with the signal's reason when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}
