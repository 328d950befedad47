import { costOf, countWords, estimateTokens, type Pricing, type TextGenerator, type WritingRequest, type WrittenText } from './text-generator';

/**
 * The deterministic TextGenerator: composes texts from sentence templates chosen by a hash of the
 * source, so the same request always gives the same text, tokens and cost (tests compare them
 * exactly), with nothing to call. Tokens are estimated from characters; the price list is its own
 * (DEFAULT_PRICING), not any vendor's.
 */
export const DEFAULT_PRICING: Pricing = { inputPer1kTokens: 0.0005, outputPer1kTokens: 0.0015 };

const DRAFT_SENTENCES: ReadonlyArray<(point: string, topic: string, audience: string) => string> = [
  (p, t, a) => `${cap(p)} matters to ${a} because it shapes how ${t} is planned and delivered.`,
  (p) => `A practical first step is to look at ${p} with real numbers before deciding anything.`,
  (p, t) => `Teams that treat ${p} as part of ${t} from the start avoid rework later.`,
  (p) => `What is known about ${p} is uneven, so it pays to measure the outcome and adjust.`,
  (p, _t, a) => `For ${a}, the clearest gain from ${p} is time saved on routine work.`,
  (p, t) => `${cap(t)} changes slowly, and ${p} is where the change shows first.`,
];

const SENTENCES_PER_PARAGRAPH = 4;

export class TemplateGenerator implements TextGenerator {
  readonly name = 'template-v1';

  constructor(private readonly pricing: Pricing = DEFAULT_PRICING) {}

  write(request: WritingRequest): Promise<WrittenText> {
    const written = this.compose(request);
    const usage = { inputTokens: estimateTokens(request.instructions) + estimateTokens(request.source), outputTokens: estimateTokens(written.text) };
    return Promise.resolve({ ...written, words: countWords(written.text), usage, cost: costOf(usage, this.pricing), generator: this.name });
  }

  private compose(request: WritingRequest): Pick<WrittenText, 'text' | 'subject' | 'review'> {
    switch (request.task) {
      case 'draft':
        return { text: draft(request) };
      case 'summary':
        return { text: leadSentences(bodyOf(request.source), 3).join(' ') };
      case 'socialPost':
        return { text: socialPost(request.source, request.maxChars ?? 280) };
      case 'email': {
        const [title, ...body] = paragraphs(request.source);
        const highlights = leadSentences(body.join('\n\n'), 3).map((s) => `- ${s}`);
        return { subject: title ?? 'An update', text: [`Hello ${request.audience ?? 'everyone'},`, body[0] ?? '', ['In short:', ...highlights].join('\n'), 'Best regards'].join('\n\n') };
      }
      case 'qualityCheck':
        return review(request.source);
    }
  }
}

/** The brief as text is `topic`, `audience` and one key point per line (see lambdas/content-writer). */
function draft(request: WritingRequest): string {
  const lines = request.source.split('\n').map((l) => l.trim()).filter(Boolean);
  const topic = lines[0] ?? 'the topic';
  const audience = request.audience ?? 'readers';
  const points = lines.length > 1 ? lines.slice(1) : [topic];
  const target = request.targetWords ?? 300;
  const seed = fnv1a(request.source);
  const sentences: string[] = [];
  for (let i = 0, words = 0; words < target; i++) {
    const template = DRAFT_SENTENCES[(seed + i) % DRAFT_SENTENCES.length]!;
    const sentence = template(points[i % points.length]!, topic, audience);
    sentences.push(sentence);
    words += countWords(sentence);
  }
  const body: string[] = [];
  for (let i = 0; i < sentences.length; i += SENTENCES_PER_PARAGRAPH) body.push(sentences.slice(i, i + SENTENCES_PER_PARAGRAPH).join(' '));
  return [cap(topic), ...body].join('\n\n');
}

function socialPost(source: string, maxChars: number): string {
  const [title, ...body] = paragraphs(source);
  const tags = (title ?? '').split(/\s+/).filter((w) => w.length > 3).slice(0, 2).map((w) => `#${w.replace(/[^\p{L}\p{N}]/gu, '').toLowerCase()}`);
  const suffix = tags.length > 0 ? ` ${tags.join(' ')}` : '';
  const lead = leadSentences(body.join('\n\n'), 1)[0] ?? title ?? '';
  const room = Math.max(1, maxChars - suffix.length);
  const text = lead.length <= room ? lead : `${lead.slice(0, room - 1).replace(/\s+\S*$/, '')}…`;
  return `${text}${suffix}`.slice(0, maxChars);
}

/** A readability review: long sentences and repeated wording lower the score; 70 passes. */
function review(source: string): Pick<WrittenText, 'text' | 'review'> {
  const sentences = source.split(/(?<=[.!?])\s+/).filter((s) => countWords(s) > 0);
  const words = source.toLowerCase().match(/[\p{L}']+/gu) ?? [];
  const averageSentenceWords = sentences.length === 0 ? 0 : Math.round((words.length / sentences.length) * 10) / 10;
  const counts = new Map<string, number>();
  for (const w of words) if (w.length > 4) counts.set(w, (counts.get(w) ?? 0) + 1);
  const top = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0];
  const repetition = top && words.length > 0 ? top[1] / words.length : 0;
  const issues: string[] = [];
  let score = 100;
  if (averageSentenceWords > 20) {
    issues.push(`sentences average ${averageSentenceWords} words (aim for 20 or fewer)`);
    score -= 20;
  }
  if (top && repetition > 0.03) {
    issues.push(`"${top[0]}" is ${(repetition * 100).toFixed(1)}% of all words`);
    score -= Math.min(40, Math.round(repetition * 400));
  }
  const passed = score >= 70;
  const text = [`Score ${score}/100 (${passed ? 'passed' : 'failed'}).`, `${words.length} words in ${sentences.length} sentences, ${averageSentenceWords} words a sentence.`, ...issues].join(' ');
  return { text, review: { score, passed, issues } };
}

/** A draft without its title line (its first paragraph), when it has more than the title. */
function bodyOf(text: string): string {
  const all = paragraphs(text);
  return (all.length > 1 ? all.slice(1) : all).join('\n\n');
}

function paragraphs(text: string): string[] {
  return text.split(/\n\s*\n/).map((p) => p.trim()).filter(Boolean);
}

/** The first sentence of each paragraph, up to `n`. */
function leadSentences(text: string, n: number): string[] {
  return paragraphs(text).map((p) => p.split(/(?<=[.!?])\s+/)[0]!).slice(0, n);
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** 32-bit FNV-1a: a stable, portable hash for picking templates. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}
