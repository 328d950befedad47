import type { RetryPolicy } from '@temporalio/workflow';
import { analyzeFile as analyzeFileFunction } from '../../lambdas/analyze-file/steps';
import { checkFiles as checkFilesFunction } from '../../lambdas/check-files/steps';
import { refactorFiles } from '../../lambdas/refactor-files/steps';
import { snapshotManifest as snapshotManifestFunction } from '../../lambdas/snapshot-manifest/steps';
import { step } from '../../runtime/steps/workflow';

/** The analysis workflows' Lambda steps; their errors (and which a retry cannot fix) come from the declarations. */
const retry: RetryPolicy = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '20 seconds', maximumAttempts: 6 };

export const snapshotManifest = step(snapshotManifestFunction.steps.read, { startToCloseTimeout: '1 minute', retry });

export const analyzeFile = step(analyzeFileFunction.steps.analyze, {
  startToCloseTimeout: '3 minutes',
  // IdempotencyInProgress (a retry while the first call still runs) waits with this backoff.
  retry: { ...retry, maximumAttempts: 20 },
});

export const applyRefactoring = step(refactorFiles.steps.apply, { startToCloseTimeout: '3 minutes', retry });

export const rollbackRefactoring = step(refactorFiles.steps.rollback, { startToCloseTimeout: '3 minutes', retry });

export const checkFiles = step(checkFilesFunction.steps.check, { startToCloseTimeout: '5 minutes', retry });
