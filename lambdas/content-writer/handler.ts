import { functionHandler, type StepContext } from '../../runtime/steps/handler';
import { TemplateGenerator } from '../shared/content/template-generator';
import type { TextGenerator, WritingRequest, WrittenText } from '../shared/content/text-generator';
import { contentWriter } from './steps';

/** The content pipeline's writing steps, each one request to the TextGenerator; tokens and cost are logged per step. */
const generator: TextGenerator = new TemplateGenerator();

async function write(request: WritingRequest, { log }: StepContext): Promise<WrittenText> {
  const written = await generator.write(request);
  log.info('text written', { task: request.task, words: written.words, inputTokens: written.usage.inputTokens, outputTokens: written.usage.outputTokens, cost: written.cost.amount, generator: written.generator });
  return written;
}

export const handler = functionHandler(contentWriter, {
  draft: ({ brief }, context) =>
    write(
      {
        task: 'draft',
        instructions: `Write an article about ${brief.topic}${brief.audience ? ` for ${brief.audience}` : ''}, covering each key point.`,
        source: [brief.topic, ...brief.keyPoints].join('\n'),
        ...(brief.targetWords !== undefined ? { targetWords: brief.targetWords } : {}),
        ...(brief.audience !== undefined ? { audience: brief.audience } : {}),
      },
      context,
    ),
  socialPost: ({ draft, maxChars }, context) => write({ task: 'socialPost', instructions: 'Write a social media post announcing this article.', source: draft, maxChars: maxChars ?? 280 }, context),
  email: ({ draft, audience }, context) => write({ task: 'email', instructions: 'Write an email introducing this article.', source: draft, ...(audience !== undefined ? { audience } : {}) }, context),
  summary: ({ draft }, context) => write({ task: 'summary', instructions: 'Summarise this article in at most three sentences.', source: draft }, context),
  qualityCheck: ({ draft }, context) => write({ task: 'qualityCheck', instructions: 'Review this article for readability.', source: draft }, context),
});
