import { z } from 'zod';
import { declareFunction, defineStep, returns } from '../../runtime/steps/declare';
import type { WrittenText } from '../shared/content/text-generator';

/**
 * The content-writer function: the content pipeline's writing steps (a draft from a brief; a social
 * post, an email and a summary from the draft; a quality check), each through a TextGenerator
 * (lambdas/shared/content). Deterministic and without AWS resources, so each call is safe to retry.
 */

const draftText = z.string().min(1, 'must be a non-empty text');

const brief = z.object({
  topic: z.string().min(1, 'must name the topic').max(200),
  audience: z.string().min(1).max(200).optional(),
  keyPoints: z.array(z.string().min(1).max(300)).min(1, 'must hold at least one key point').max(20),
  /** How long the draft should be, in words. */
  targetWords: z.number().int().min(20).max(5000).optional(),
});
export type ContentBrief = z.infer<typeof brief>;

const draftInput = z.object({ brief });
const socialPostInput = z.object({ draft: draftText, maxChars: z.number().int().min(40).max(3000).optional() });
const emailInput = z.object({ draft: draftText, audience: z.string().min(1).max(200).optional() });
const fromDraft = z.object({ draft: draftText });

export type DraftInput = z.infer<typeof draftInput>;
export type SocialPostInput = z.infer<typeof socialPostInput>;
export type EmailInput = z.infer<typeof emailInput>;
export type FromDraftInput = z.infer<typeof fromDraft>;

export const contentWriter = declareFunction({
  name: 'contentWriter',
  description: "Writes the content pipeline's texts (draft, social post, email, summary) and checks a draft's quality",
  folder: 'content-writer',
  memoryMb: 256,
  timeoutSeconds: 60,
  steps: {
    draft: defineStep({
      name: 'writeDraft',
      description: 'Writes a draft from a brief (topic, audience, key points, length)',
      input: draftInput,
      output: returns<WrittenText>(),
      errors: { InvalidStepInput: 'nonRetryable' },
    }),
    socialPost: defineStep({
      name: 'writeSocialPost',
      description: 'Writes a social media post from a draft',
      input: socialPostInput,
      output: returns<WrittenText>(),
      errors: { InvalidStepInput: 'nonRetryable' },
    }),
    email: defineStep({
      name: 'writeEmail',
      description: 'Writes an email (subject and body) from a draft',
      input: emailInput,
      output: returns<WrittenText>(),
      errors: { InvalidStepInput: 'nonRetryable' },
    }),
    summary: defineStep({
      name: 'writeSummary',
      description: 'Summarises a draft in at most three sentences',
      input: fromDraft,
      output: returns<WrittenText>(),
      errors: { InvalidStepInput: 'nonRetryable' },
    }),
    qualityCheck: defineStep({
      name: 'checkQuality',
      description: "Reviews a draft's readability: a score, whether it passed, and the issues found",
      input: fromDraft,
      output: returns<WrittenText>(),
      errors: { InvalidStepInput: 'nonRetryable' },
    }),
  },
});
