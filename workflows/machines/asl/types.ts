/**
 * The shape of an Amazon States Language definition as this interpreter reads it. Validation
 * (validate.ts) establishes it; the fields are typed loosely where the language allows a path,
 * an expression or a literal in the same place.
 */

export type QueryLanguage = 'JSONPath' | 'JSONata';

export interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
  JitterStrategy?: 'FULL' | 'NONE';
}

export interface Catcher {
  ErrorEquals: string[];
  Next: string;
  ResultPath?: string | null;
  Output?: unknown;
  Assign?: Record<string, unknown>;
}

export interface AslState {
  Type: 'Task' | 'Pass' | 'Choice' | 'Wait' | 'Succeed' | 'Fail' | 'Parallel' | 'Map';
  Comment?: string;
  QueryLanguage?: QueryLanguage;
  Next?: string;
  End?: boolean;
  // JSONPath processing
  InputPath?: string | null;
  OutputPath?: string | null;
  Parameters?: unknown;
  ResultSelector?: unknown;
  ResultPath?: string | null;
  Result?: unknown;
  // JSONata processing
  Arguments?: unknown;
  Output?: unknown;
  Assign?: Record<string, unknown>;
  // Task
  Resource?: string;
  TimeoutSeconds?: number | string;
  TimeoutSecondsPath?: string;
  HeartbeatSeconds?: number | string;
  HeartbeatSecondsPath?: string;
  Retry?: Retrier[];
  Catch?: Catcher[];
  // Choice
  Choices?: Array<Record<string, unknown>>;
  Default?: string;
  // Wait
  Seconds?: number | string;
  SecondsPath?: string;
  Timestamp?: string;
  TimestampPath?: string;
  // Fail
  Error?: string;
  ErrorPath?: string;
  Cause?: string;
  CausePath?: string;
  // Parallel
  Branches?: AslMachine[];
  // Map
  ItemProcessor?: AslMachine & { ProcessorConfig?: { Mode?: string; ExecutionType?: string } };
  Iterator?: AslMachine;
  ItemsPath?: string;
  Items?: unknown;
  ItemSelector?: unknown;
  MaxConcurrency?: number | string;
  MaxConcurrencyPath?: string;
}

export interface AslMachine {
  StartAt: string;
  States: Record<string, AslState>;
  QueryLanguage?: QueryLanguage;
  Comment?: string;
  TimeoutSeconds?: number;
  Version?: string;
}
