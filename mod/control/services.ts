/**
 * The roles of one `weka run` process as a Control Agent reaches them (mod/control/agent.ts): each role registers
 * the dispatcher of its command registry under Kea's service name ("dhcp4", "dhcp6", "d2") and the unix sockets
 * it listens on, so a command sent with `"service": ["dhcp4"]` is answered in the process, exactly as the role's
 * own control socket would answer it.
 */
import type { Answer } from "./answer.ts";
import type { LiveFile } from "./safe_write.ts";

/** One role as the agent sees it. */
export interface ServiceEntry {
  dispatch(text: string): Promise<Answer>;
  /** the unix control sockets the role listens on now (an agent socket naming one of them is this role) */
  unixSockets(): readonly string[];
  /** the files the role lives on (the agent's config-write may not overwrite them either) */
  liveFiles?(): LiveFile[];
}

/** The in-process roles by service name. */
export class ServiceDirectory {
  private readonly roles = new Map<string, ServiceEntry>();
  private readonly waiting: (() => void)[] = [];

  /** Registers `name` (replacing an earlier entry); returns the function that removes it again. */
  register(name: string, entry: ServiceEntry): () => void {
    this.roles.set(name, entry);
    for (const wake of this.waiting.splice(0)) wake();
    return () => {
      if (this.roles.get(name) === entry) this.roles.delete(name);
    };
  }

  /** Resolves once every one of `names` is registered. */
  async ready(names: readonly string[]): Promise<void> {
    while (!names.every((n) => this.roles.has(n))) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }

  /** The role registered as `name`. */
  get(name: string): ServiceEntry | undefined {
    return this.roles.get(name);
  }

  /** Every registered role's live files. */
  liveFiles(): LiveFile[] {
    return [...this.roles.values()].flatMap((r) => r.liveFiles?.() ?? []);
  }

  /** The registered service names, sorted. */
  names(): string[] {
    return [...this.roles.keys()].sort();
  }
}
