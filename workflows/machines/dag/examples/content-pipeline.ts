import { contentWriter } from '../../../../lambdas/content-writer/steps';
import { dag } from '../builder';

/**
 * The content pipeline: a brief becomes a draft; from the draft a social post, an email and a
 * summary are written in parallel; a quality check runs only when the draft is longer than 500
 * words; a person approves the result within a day. Its execution input is `{ "brief": { topic,
 * audience?, keyPoints, targetWords? } }`. docs/dags.md shows the JSON this builds.
 */
export const contentPipeline = dag({
  comment: 'Brief → draft → social post, email and summary in parallel (+ a quality check for long drafts) → approval',
  maxConcurrency: 4,
  timeoutSeconds: 2 * 86_400,
})
  .lambda('draft', contentWriter.steps.draft, { input: '{ "brief": input.brief }', timeoutSeconds: 60 })
  .lambda('socialPost', contentWriter.steps.socialPost, { dependsOn: ['draft'], input: '{ "draft": steps.draft.output.text }', timeoutSeconds: 60 })
  .lambda('email', contentWriter.steps.email, {
    dependsOn: ['draft'],
    input: '$merge([{ "draft": steps.draft.output.text }, input.brief.audience ? { "audience": input.brief.audience } : {}])',
    timeoutSeconds: 60,
  })
  .lambda('summary', contentWriter.steps.summary, { dependsOn: ['draft'], input: '{ "draft": steps.draft.output.text }', timeoutSeconds: 60 })
  .lambda('qualityCheck', contentWriter.steps.qualityCheck, {
    dependsOn: ['draft'],
    when: 'steps.draft.output.words > 500',
    input: '{ "draft": steps.draft.output.text }',
    timeoutSeconds: 60,
  })
  .decision('approval', {
    // The quality check may be skipped (a short draft); a failure anywhere above still stops the approval.
    dependsOn: ['socialPost', 'email', 'summary', 'qualityCheck'],
    requires: 'noneFailed',
    prompt: 'Publish the social post, the email and the summary?',
    input: '{ "socialPost": steps.socialPost.output.text, "email": { "subject": steps.email.output.subject, "body": steps.email.output.text }, "summary": steps.summary.output.text, "quality": steps.qualityCheck.output.review }',
    timeoutSeconds: 86_400,
  })
  .output(
    '{ "draft": steps.draft.output.text, "socialPost": steps.socialPost.output.text, "email": { "subject": steps.email.output.subject, "body": steps.email.output.text }, ' +
      '"summary": steps.summary.output.text, "quality": steps.qualityCheck.output.review, "approvedBy": steps.approval.output.by, ' +
      '"tokens": $sum(steps.*.output.usage.(inputTokens + outputTokens)), "cost": $round($sum(steps.*.output.cost.amount), 9) }',
  )
  .build();
