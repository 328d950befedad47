import type { RetryPolicy } from '@temporalio/workflow';
import { lambdaFunction } from '../../runtime/lambda/workflow';
import type { AnalyzeFileInput, AnalyzeFileResult } from '../../lambdas/analyze-file/contract';
import type { CheckFilesInput, CheckFilesResult } from '../../lambdas/check-files/contract';
import type { RefactorFilesInput, RefactorFilesResult } from '../../lambdas/refactor-files/contract';
import type { SnapshotManifestInput, SnapshotManifestResult } from '../../lambdas/snapshot-manifest/contract';

/** The analysis workflows' Lambda steps. Logical names: infra/constructs/analysis-services.ts. */
const retry: RetryPolicy = { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '20 seconds', maximumAttempts: 6 };

export const snapshotManifest = lambdaFunction<SnapshotManifestInput, SnapshotManifestResult>('snapshotManifest', {
  startToCloseTimeout: '1 minute',
  retry: { ...retry, nonRetryableErrorTypes: ['SnapshotNotFound', 'SnapshotIntegrityError'] },
});

export const analyzeFile = lambdaFunction<AnalyzeFileInput, AnalyzeFileResult>('analyzeFile', {
  startToCloseTimeout: '3 minutes',
  // IdempotencyInProgress (a retry while the first call still runs) waits with this backoff.
  retry: { ...retry, maximumAttempts: 20, nonRetryableErrorTypes: ['SnapshotNotFound', 'SnapshotIntegrityError'] },
});

export const refactorFiles = lambdaFunction<RefactorFilesInput, RefactorFilesResult>('refactorFiles', {
  startToCloseTimeout: '3 minutes',
  retry: { ...retry, nonRetryableErrorTypes: ['SnapshotNotFound', 'SnapshotIntegrityError'] },
});

export const checkFiles = lambdaFunction<CheckFilesInput, CheckFilesResult>('checkFiles', {
  startToCloseTimeout: '5 minutes',
  retry: { ...retry, nonRetryableErrorTypes: ['SnapshotNotFound', 'MissingLibFiles'] },
});
