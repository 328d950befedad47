import type { FunctionDeclaration } from '../runtime/steps/declare';
import { analyzeFile } from './analyze-file/steps';
import { checkFiles } from './check-files/steps';
import { contentWriter } from './content-writer/steps';
import { evaluateModel } from './evaluate-model/steps';
import { inventory } from './inventory/steps';
import { payment } from './payment/steps';
import { refactorFiles } from './refactor-files/steps';
import { shipping } from './shipping/steps';
import { snapshotManifest } from './snapshot-manifest/steps';
import { textStats } from './text-stats/steps';
import { trainEpoch } from './train-epoch/steps';
import { trainingData } from './training-data/steps';

/**
 * Every Lambda function of the project and the steps it runs, from their declarations. The CDK app
 * builds one function per entry (infra/constructs/declared-function.ts), and the worker registers
 * one activity per step, refusing to start when one has no deployed function.
 */
export const FUNCTIONS: readonly FunctionDeclaration[] = [
  textStats,
  inventory,
  payment,
  shipping,
  trainEpoch,
  evaluateModel,
  trainingData,
  snapshotManifest,
  analyzeFile,
  refactorFiles,
  checkFiles,
  contentWriter,
];
