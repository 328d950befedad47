import type { Logger } from '@temporalio/common';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';

export interface TaskProtectionOptions {
  /** The ECS agent's base URI (ECS_AGENT_URI, injected by ECS into every container of a task). */
  readonly agentUri: string;
  /** How long one protection lasts (1-2880 minutes); a busy period longer than this is protected only this long. */
  readonly expiresInMinutes: number;
  /** How long the worker must stay idle before protection is cleared, so a stream of short steps does not flip it per call. */
  readonly clearAfterIdleMs: number;
  readonly logger: Logger;
  /** Per request to the agent. */
  readonly requestTimeoutMs?: number;
}

/** Default protection length: bounds how long a deploy or a scale-in waits for a busy task. */
export const DEFAULT_PROTECTION_MINUTES = 10;
const DEFAULT_CLEAR_AFTER_IDLE_MS = 5_000;

/**
 * ECS task scale-in protection, held while this worker has activities in flight: a scale-in or a
 * deploy then stops idle tasks first and waits for busy ones (up to `expiresInMinutes`), instead of
 * sending SIGTERM to a task in the middle of a Lambda call. Set through the ECS agent's endpoint
 * (`PUT $ECS_AGENT_URI/task-protection/v1/state`), one request at a time, always converging on the
 * latest wanted state; a failed request is logged and never fails an activity.
 */
export class TaskProtection {
  private inFlight = 0;
  /** What the agent last confirmed; undefined before the first answer. */
  private confirmed: boolean | undefined;
  private wanted = false;
  private sending: Promise<void> | undefined;
  private clearTimer: NodeJS.Timeout | undefined;
  private readonly url: string;

  constructor(private readonly options: TaskProtectionOptions) {
    this.url = `${options.agentUri.replace(/\/+$/, '')}/task-protection/v1/state`;
  }

  /** An activity began: protect the task before the work starts. */
  activityStarted(): void {
    this.inFlight += 1;
    clearTimeout(this.clearTimer);
    this.clearTimer = undefined;
    this.want(true);
  }

  /** An activity left the worker (finished, failed, or handed off for asynchronous completion). */
  activityFinished(): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
    if (this.inFlight > 0 || this.clearTimer) return;
    this.clearTimer = setTimeout(() => {
      this.clearTimer = undefined;
      if (this.inFlight === 0) this.want(false);
    }, this.options.clearAfterIdleMs);
    this.clearTimer.unref();
  }

  /** Resolves once the agent has been told the latest wanted state (or the attempt failed). */
  async settled(): Promise<void> {
    while (this.sending) await this.sending;
  }

  /** The activity interceptor that reports each attempt's start and end. */
  interceptor(): ActivityInterceptorsFactory {
    return () => ({
      inbound: {
        execute: async (input, next) => {
          this.activityStarted();
          try {
            return await next(input);
          } finally {
            this.activityFinished();
          }
        },
      },
    });
  }

  private want(enabled: boolean): void {
    this.wanted = enabled;
    this.sending ??= this.converge().finally(() => {
      this.sending = undefined;
    });
  }

  private async converge(): Promise<void> {
    while (this.confirmed !== this.wanted) {
      const enabled = this.wanted;
      if (!(await this.put(enabled))) return;
      this.confirmed = enabled;
    }
  }

  private async put(enabled: boolean): Promise<boolean> {
    const body = enabled ? { ProtectionEnabled: true, ExpiresInMinutes: this.options.expiresInMinutes } : { ProtectionEnabled: false };
    try {
      const res = await fetch(this.url, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.options.requestTimeoutMs ?? 5_000),
      });
      const answer = (await res.json().catch(() => ({}))) as { protection?: unknown; failure?: unknown; error?: unknown };
      // The agent answers 200 with `protection`, or a `failure`/`error` object (with a 4xx/5xx for errors).
      if (!res.ok || answer.protection === undefined) {
        this.options.logger.warn('the ECS agent refused to change task scale-in protection', { protectionEnabled: enabled, status: res.status, answer: JSON.stringify(answer).slice(0, 500) });
        return false;
      }
      return true;
    } catch (err) {
      this.options.logger.warn('could not reach the ECS agent to change task scale-in protection', { protectionEnabled: enabled, error: String(err) });
      return false;
    }
  }
}

/**
 * Task protection from the environment: ECS_AGENT_URI (set by ECS; absent on this machine, where
 * there is nothing to protect, so undefined) and WORKER_SCALE_IN_PROTECTION_MINUTES (1-2880, default 10).
 */
export function taskProtectionFromEnv(env: NodeJS.ProcessEnv, logger: Logger): TaskProtection | undefined {
  const agentUri = env.ECS_AGENT_URI;
  if (!agentUri) return undefined;
  const raw = env.WORKER_SCALE_IN_PROTECTION_MINUTES || String(DEFAULT_PROTECTION_MINUTES);
  const minutes = Number(raw);
  if (!/^\d+$/.test(raw) || minutes < 1 || minutes > 2880) {
    throw new Error(`WORKER_SCALE_IN_PROTECTION_MINUTES must be a whole number of minutes from 1 to 2880 (ECS's limits), got "${raw}"`);
  }
  return new TaskProtection({ agentUri, expiresInMinutes: minutes, clearAfterIdleMs: DEFAULT_CLEAR_AFTER_IDLE_MS, logger });
}
