/** The training workflow's names, for clients that do not import the workflow package (the API). */
export const TRAINING_WORKFLOW = 'trainingWorkflow';

/** Its query, update and signal (messages.ts defines them). */
export const TRAINING_MESSAGES = { stateQuery: 'state', decisionUpdate: 'decision', decisionSignal: 'decisionSignal' } as const;

/** The audit event names of trainings started before the one scheme (workflows/lib/audit.ts), by today's name. */
export const TRAINING_LEGACY_AUDIT = {
  names: {
    'training.started': 'training.started',
    'training.resumed': 'training.resumed',
    'training.checkpoint-saved': 'training.checkpoint',
    'training.decision-taken:review': 'training.decision',
    'training.completed': 'training.completed',
    'training.stopped': 'training.completed',
    'training.failed': 'training.failed',
    'training.cancelled': 'training.cancelled',
  },
  inputDigest: 'requestSha256',
} as const;
