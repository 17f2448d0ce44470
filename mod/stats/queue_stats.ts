/**
 * Kea's packet-queue statistics (`status-get` "packet-queue-statistics", Kea's ThreadPoolQueue `getQueueStat(10 |
 * 100 | 1000)`): the depth of the packet queue averaged over about the last 10, 100 and 1000 packets taken from it,
 * as exponentially decaying means (weight e^(-1/N) for the old mean), updated each time a packet is taken. In weka
 * the queue is a receive round: the packets received together and not yet handled.
 */

const DECAY = [Math.exp(-1 / 10), Math.exp(-1 / 100), Math.exp(-1 / 1000)] as const;

/** The three decaying averages of the queue depth. */
export class QueueStats {
  private readonly means = [0, 0, 0];

  /** A packet was taken from the queue; `depth` packets were still waiting behind it. */
  observe(depth: number): void {
    for (let i = 0; i < 3; i++) this.means[i] = this.means[i] * DECAY[i] + (1 - DECAY[i]) * depth;
  }

  /** A receive round of `n` packets, handled in order: depths n−1 … 0. */
  round(n: number): void {
    for (let k = n - 1; k >= 0; k--) this.observe(k);
  }

  /** `[avg10, avg100, avg1000]`, as Kea prints them (floating point). */
  averages(): [number, number, number] {
    return [this.means[0], this.means[1], this.means[2]];
  }
}
