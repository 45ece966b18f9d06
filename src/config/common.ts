/** Settings every process shares: the task queue and the log level. */
import { z } from 'zod';
import { LOG_LEVELS, type LogLevel } from '../logger';
import { DEFAULT_TASK_QUEUE, TASK_QUEUE_PATTERN } from '../contract/workflow';
import { EnvReader, type Env, type Parsed } from './env';

export interface CommonSettings {
  taskQueue: string;
  logLevel: LogLevel;
}

export const DEFAULT_COMMON_SETTINGS: CommonSettings = { taskQueue: DEFAULT_TASK_QUEUE, logLevel: 'INFO' };

const taskQueue = z.string().regex(TASK_QUEUE_PATTERN);
const logLevel = z
  .string()
  .transform((s) => s.toUpperCase())
  .pipe(z.enum(LOG_LEVELS));

export function parseCommonSettings(env: Env): Parsed<CommonSettings> {
  const r = new EnvReader(env);
  return r.result({
    taskQueue: r.parse(
      'JOURNEY_TASK_QUEUE',
      taskQueue,
      DEFAULT_COMMON_SETTINGS.taskQueue,
      'letters, digits and ._:/- only',
    ),
    logLevel: r.parse('LOG_LEVEL', logLevel, DEFAULT_COMMON_SETTINGS.logLevel, 'TRACE, DEBUG, INFO, WARN or ERROR'),
  });
}
