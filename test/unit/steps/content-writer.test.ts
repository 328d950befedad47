import type { Context } from 'aws-lambda';
import { handler } from '../../../lambdas/content-writer/handler';
import { TemplateGenerator } from '../../../lambdas/shared/content/template-generator';
import { countWords, type WrittenText } from '../../../lambdas/shared/content/text-generator';

const meta = (step: string) => ({ workflowId: 'wf', runId: 'run', activityId: '1', attempt: 1, idempotencyKey: 'wf/run/1', step });
const context = { awsRequestId: 'test' } as Context;
const call = (step: string, input: unknown) => handler({ input, meta: meta(step) }, context) as Promise<WrittenText>;

const brief = { topic: 'remote onboarding', audience: 'engineering managers', keyPoints: ['a buddy for the first month', 'written setup guides', 'small first tasks'] };

describe('contentWriter (the content pipeline writing steps, deterministic TextGenerator)', () => {
  beforeEach(() => {
    jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });
  afterEach(() => jest.restoreAllMocks());

  it('writes a draft of about the target length, with tokens and cost, the same every time', async () => {
    const short = await call('writeDraft', { brief: { ...brief, targetWords: 120 } });
    expect(short.words).toBeGreaterThanOrEqual(120);
    expect(short.words).toBeLessThan(120 + 25);
    expect(short.text.split('\n\n')[0]).toBe('Remote onboarding');
    expect(short.generator).toBe('template-v1');
    expect(short.usage.outputTokens).toBe(Math.ceil(short.text.length / 4));
    expect(short.cost).toEqual({ amount: Math.round(((short.usage.inputTokens / 1000) * 0.0005 + (short.usage.outputTokens / 1000) * 0.0015) * 1e9) / 1e9, currency: 'USD' });
    await expect(call('writeDraft', { brief: { ...brief, targetWords: 120 } })).resolves.toEqual(short);
    const long = await call('writeDraft', { brief: { ...brief, targetWords: 600 } });
    expect(long.words).toBeGreaterThan(500);
  });

  it('writes a social post within its limit, an email with a subject, a summary of at most three sentences', async () => {
    const { text: draft } = await call('writeDraft', { brief: { ...brief, targetWords: 200 } });
    const post = await call('writeSocialPost', { draft, maxChars: 120 });
    expect(post.text.length).toBeLessThanOrEqual(120);
    expect(post.text).toMatch(/#remote #onboarding$/);
    const email = await call('writeEmail', { draft, audience: 'managers' });
    expect(email.subject).toBe('Remote onboarding');
    expect(email.text.startsWith('Hello managers,')).toBe(true);
    const summary = await call('writeSummary', { draft });
    expect(summary.text.split(/(?<=[.!?])\s+/).length).toBeLessThanOrEqual(3);
    expect(summary.text).not.toContain('Remote onboarding\n');
  });

  it('checks quality: a score, a verdict and the issues found', async () => {
    const generator = new TemplateGenerator();
    const repetitive = await generator.write({ task: 'qualityCheck', instructions: 'review', source: 'Onboarding onboarding onboarding onboarding is onboarding. Onboarding again.' });
    expect(repetitive.review).toMatchObject({ passed: false });
    expect(repetitive.review!.issues[0]).toMatch(/"onboarding" is \d+\.\d% of all words/);
    const { text: draft } = await call('writeDraft', { brief: { ...brief, targetWords: 600 } });
    const checked = await call('checkQuality', { draft });
    expect(checked.review).toEqual({ score: expect.any(Number), passed: checked.review!.score >= 70, issues: expect.any(Array) });
    expect(countWords(checked.text)).toBeGreaterThan(3);
  });

  it('refuses a brief without key points, naming the field, never retried', async () => {
    await expect(call('writeDraft', { brief: { topic: 'x', keyPoints: [] } })).rejects.toMatchObject({ name: 'NonRetryable:InvalidStepInput', message: expect.stringContaining('keyPoints: must hold at least one key point') });
  });
});
