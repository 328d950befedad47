import { z } from 'zod';
import { defineSpec, errors } from './route-spec';

/** The API's own routes: its health and its description. */
export const serviceSpecs = {
  health: defineSpec({
    method: 'GET',
    path: '/health',
    summary: 'Whether the API can reach Temporal',
    tags: ['service'],
    responses: { 200: { description: 'Healthy', schema: z.object({ status: z.literal('ok') }) }, 503: errors[503] },
  }),
  openapi: defineSpec({
    method: 'GET',
    path: '/openapi.json',
    summary: 'This OpenAPI 3.1 document, generated from the schemas the API validates with',
    tags: ['service'],
    responses: { 200: { description: 'The document' } },
  }),
};
