/** The training workflow's messages, shared by the workflow and its clients (the API, tests, scripts). */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import { TRAINING_MESSAGES } from './names';
import type { DecisionInput, DecisionResult, TrainingState } from './types';

/** The training's state: epoch, losses, checkpoints, decisions, the review awaiting a decision. */
export const trainingStateQuery = defineQuery<TrainingState>(TRAINING_MESSAGES.stateQuery);

/** A researcher's decision at a review (continue, adjust, stop); answers synchronously, the validator rejects what cannot apply. */
export const decisionUpdate = defineUpdate<DecisionResult, [DecisionInput]>(TRAINING_MESSAGES.decisionUpdate);

/** The same decision as a signal, for clients that cannot wait for an answer. */
export const decisionSignal = defineSignal<[DecisionInput]>(TRAINING_MESSAGES.decisionSignal);
