/** The task queue the worker polls and the API starts workflows on, unless configured otherwise. */
export const DEFAULT_TASK_QUEUE = 'stepless';
